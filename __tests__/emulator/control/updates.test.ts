// What terraform's updates and deletes call, through the AWS SDK's clients: tags, role and policy
// documents, policy versions, retention, a function's configuration and concurrency, its URL
// configuration and permissions; each read back as changed, and each conflict as AWS's error type.

import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  ListTagsForResourceCommand,
  ListTagsLogGroupCommand,
  PutRetentionPolicyCommand,
  TagLogGroupCommand,
  TagResourceCommand as TagLogsResourceCommand,
  UntagLogGroupCommand,
  UntagResourceCommand as UntagLogsResourceCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListInstanceProfilesForRoleCommand,
  ListPolicyTagsCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  PutRolePolicyCommand,
  SetDefaultPolicyVersionCommand,
  TagPolicyCommand,
  TagRoleCommand,
  UntagPolicyCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
  UpdateRoleDescriptionCommand,
} from "@aws-sdk/client-iam";
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  DeleteFunctionUrlConfigCommand,
  GetFunctionCodeSigningConfigCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  GetPolicyCommand as GetFunctionPolicyCommand,
  GetFunctionUrlConfigCommand,
  GetRuntimeManagementConfigCommand,
  LambdaClient,
  ListTagsCommand,
  ListVersionsByFunctionCommand,
  PutFunctionConcurrencyCommand,
  RemovePermissionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  UpdateFunctionUrlConfigCommand,
} from "@aws-sdk/client-lambda";
import { zipSync } from "fflate";
import { LAMBDA_ASSUME_ROLE_POLICY as ASSUME, useLocalAws } from "../../helpers/local-aws-clients";

const doc = (action: string): string =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] });
const zip = (text: string): Uint8Array => zipSync({ "index.js": new TextEncoder().encode(text) });

const local = useLocalAws();
const client = <T>(Client: new (config: object) => T): T => local.client(Client);

test("IAM roles: tags, description, session length, trust policy, inline and attached policies; a delete waits for them", async () => {
  const iam = client(IAMClient);
  await iam.send(new CreateRoleCommand({ RoleName: "r", AssumeRolePolicyDocument: ASSUME, Tags: [{ Key: "a", Value: "1" }] }));
  await iam.send(
    new TagRoleCommand({
      RoleName: "r",
      Tags: [
        { Key: "b", Value: "2" },
        { Key: "a", Value: "one" },
      ],
    }),
  );
  await iam.send(new UntagRoleCommand({ RoleName: "r", TagKeys: ["b"] }));
  expect((await iam.send(new ListRoleTagsCommand({ RoleName: "r" }))).Tags).toEqual([{ Key: "a", Value: "one" }]);
  await iam.send(new UpdateRoleCommand({ RoleName: "r", Description: "d", MaxSessionDuration: 7200 }));
  await iam.send(new UpdateRoleDescriptionCommand({ RoleName: "r", Description: "d2" }));
  await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: "r", PolicyDocument: doc("sts:AssumeRole") }));
  const { Role } = await iam.send(new GetRoleCommand({ RoleName: "r" }));
  expect(Role).toMatchObject({ Description: "d2", MaxSessionDuration: 7200 });
  expect(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? "")).toBe(doc("sts:AssumeRole"));

  await iam.send(new PutRolePolicyCommand({ RoleName: "r", PolicyName: "inline", PolicyDocument: doc("logs:PutLogEvents") }));
  expect(decodeURIComponent((await iam.send(new GetRolePolicyCommand({ RoleName: "r", PolicyName: "inline" }))).PolicyDocument ?? "")).toBe(
    doc("logs:PutLogEvents"),
  );
  expect((await iam.send(new ListRolePoliciesCommand({ RoleName: "r" }))).PolicyNames).toEqual(["inline"]);
  const policyArn =
    (await iam.send(new CreatePolicyCommand({ PolicyName: "managed", PolicyDocument: doc("s3:GetObject") }))).Policy?.Arn ?? "";
  await iam.send(new AttachRolePolicyCommand({ RoleName: "r", PolicyArn: policyArn }));
  expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "r" }))).AttachedPolicies).toEqual([
    { PolicyName: "managed", PolicyArn: policyArn },
  ]);
  expect((await iam.send(new GetPolicyCommand({ PolicyArn: policyArn }))).Policy?.AttachmentCount).toBe(1);
  expect((await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: policyArn }))).PolicyRoles).toEqual([
    expect.objectContaining({ RoleName: "r" }),
  ]);
  expect((await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: "r" }))).InstanceProfiles).toEqual([]);

  await expect(iam.send(new DeleteRoleCommand({ RoleName: "r" }))).rejects.toMatchObject({ name: "DeleteConflictException" });
  await expect(iam.send(new DeletePolicyCommand({ PolicyArn: policyArn }))).rejects.toMatchObject({ name: "DeleteConflictException" });
  await iam.send(new DetachRolePolicyCommand({ RoleName: "r", PolicyArn: policyArn }));
  await expect(iam.send(new DetachRolePolicyCommand({ RoleName: "r", PolicyArn: policyArn }))).rejects.toMatchObject({
    name: "NoSuchEntityException",
  });
  await iam.send(new DeleteRolePolicyCommand({ RoleName: "r", PolicyName: "inline" }));
  await expect(iam.send(new GetRolePolicyCommand({ RoleName: "r", PolicyName: "inline" }))).rejects.toMatchObject({
    name: "NoSuchEntityException",
  });
  await iam.send(new DeleteRoleCommand({ RoleName: "r" }));
  await expect(iam.send(new GetRoleCommand({ RoleName: "r" }))).rejects.toMatchObject({ name: "NoSuchEntityException" });
});

test("IAM managed policies: versions (at most five, the default kept), tags, and a delete once one version is left", async () => {
  const iam = client(IAMClient);
  const arn =
    (await iam.send(new CreatePolicyCommand({ PolicyName: "versioned", PolicyDocument: doc("a:1"), Tags: [{ Key: "k", Value: "v" }] })))
      .Policy?.Arn ?? "";
  await expect(iam.send(new CreatePolicyCommand({ PolicyName: "versioned", PolicyDocument: doc("a:1") }))).rejects.toMatchObject({
    name: "EntityAlreadyExistsException",
  });
  const v2 = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc("a:2"), SetAsDefault: true }));
  expect(v2.PolicyVersion).toMatchObject({ VersionId: "v2", IsDefaultVersion: true });
  expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy).toMatchObject({
    DefaultVersionId: "v2",
    Tags: [{ Key: "k", Value: "v" }],
  });
  expect(
    decodeURIComponent((await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: "v2" }))).PolicyVersion?.Document ?? ""),
  ).toBe(doc("a:2"));
  for (const n of [3, 4, 5]) await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(`a:${n}`) }));
  await expect(iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc("a:6") }))).rejects.toMatchObject({
    name: "LimitExceededException",
  });
  expect((await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions?.map((v) => v.VersionId)).toEqual([
    "v5",
    "v4",
    "v3",
    "v2",
    "v1",
  ]);
  await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: "v5" }));
  await expect(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: "v5" }))).rejects.toMatchObject({
    name: "DeleteConflictException",
  });
  await expect(iam.send(new DeletePolicyCommand({ PolicyArn: arn }))).rejects.toMatchObject({ name: "DeleteConflictException" });
  for (const id of ["v1", "v2", "v3", "v4"]) await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: id }));
  await iam.send(new TagPolicyCommand({ PolicyArn: arn, Tags: [{ Key: "x", Value: "y" }] }));
  await iam.send(new UntagPolicyCommand({ PolicyArn: arn, TagKeys: ["k"] }));
  expect((await iam.send(new ListPolicyTagsCommand({ PolicyArn: arn }))).Tags).toEqual([{ Key: "x", Value: "y" }]);
  await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
  await expect(iam.send(new GetPolicyCommand({ PolicyArn: arn }))).rejects.toMatchObject({ name: "NoSuchEntityException" });
});

test("CloudWatch Logs: retention set and removed, tags by name and by ARN, and a delete", async () => {
  const logs = client(CloudWatchLogsClient);
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/aws/lambda/u", tags: { a: "1" } }));
  await logs.send(new PutRetentionPolicyCommand({ logGroupName: "/aws/lambda/u", retentionInDays: 30 }));
  await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: "/aws/lambda/u" }));
  expect(
    (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/aws/lambda/u" }))).logGroups?.[0].retentionInDays,
  ).toBeUndefined();
  const arn = "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/u";
  await logs.send(new TagLogsResourceCommand({ resourceArn: arn, tags: { b: "2" } }));
  await logs.send(new UntagLogsResourceCommand({ resourceArn: arn, tagKeys: ["a"] }));
  await logs.send(new TagLogGroupCommand({ logGroupName: "/aws/lambda/u", tags: { c: "3" } }));
  await logs.send(new UntagLogGroupCommand({ logGroupName: "/aws/lambda/u", tags: ["c"] }));
  expect((await logs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({ b: "2" });
  expect((await logs.send(new ListTagsLogGroupCommand({ logGroupName: "/aws/lambda/u" }))).tags).toEqual({ b: "2" });
  await logs.send(new DeleteLogGroupCommand({ logGroupName: "/aws/lambda/u" }));
  await expect(logs.send(new DeleteLogGroupCommand({ logGroupName: "/aws/lambda/u" }))).rejects.toMatchObject({
    name: "ResourceNotFoundException",
  });
  await expect(logs.send(new ListTagsForResourceCommand({ resourceArn: "not-an-arn" }))).rejects.toMatchObject({
    name: "InvalidParameterException",
  });
});

test("Lambda: configuration, code, concurrency, tags, URL configuration and permissions change in place; a delete takes them all", async () => {
  const iam = client(IAMClient);
  const lambda = client(LambdaClient);
  const role = (await iam.send(new CreateRoleCommand({ RoleName: "fn", AssumeRolePolicyDocument: ASSUME }))).Role?.Arn ?? "";
  const created = await lambda.send(
    new CreateFunctionCommand({
      FunctionName: "u",
      Role: role,
      Runtime: "nodejs22.x",
      Handler: "index.handler",
      Code: { ZipFile: zip("v1") },
      Tags: { a: "1" },
    }),
  );
  const updated = await lambda.send(
    new UpdateFunctionConfigurationCommand({ FunctionName: "u", MemorySize: 512, Timeout: 30, Environment: { Variables: { K: "v" } } }),
  );
  expect(updated).toMatchObject({ MemorySize: 512, Timeout: 30, Environment: { Variables: { K: "v" } } });
  expect(updated.RevisionId).not.toBe(created.RevisionId);
  await expect(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "u", Timeout: 901 }))).rejects.toMatchObject({
    name: "InvalidParameterValueException",
  });
  await expect(
    lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "u", MemorySize: 256, RevisionId: created.RevisionId })),
  ).rejects.toMatchObject({
    name: "PreconditionFailedException",
  });
  const code = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "u", ZipFile: zip("v2") }));
  expect(code.CodeSha256).not.toBe(created.CodeSha256);
  expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "u" }))).CodeSha256).toBe(code.CodeSha256);
  expect((await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "u" }))).Versions?.map((v) => v.Version)).toEqual([
    "$LATEST",
  ]);
  expect((await lambda.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: "u" }))).CodeSigningConfigArn).toBe("");
  expect((await lambda.send(new GetRuntimeManagementConfigCommand({ FunctionName: "u" }))).UpdateRuntimeOn).toBe("Auto");

  await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "u", ReservedConcurrentExecutions: 10 }));
  expect((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "u" }))).ReservedConcurrentExecutions).toBe(10);
  expect((await lambda.send(new GetFunctionCommand({ FunctionName: "u" }))).Concurrency).toEqual({ ReservedConcurrentExecutions: 10 });
  await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "u" }));
  expect((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "u" }))).ReservedConcurrentExecutions).toBeUndefined();

  const arn = created.FunctionArn ?? "";
  await lambda.send(new TagResourceCommand({ Resource: arn, Tags: { b: "2" } }));
  await lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: ["a"] }));
  expect((await lambda.send(new ListTagsCommand({ Resource: arn }))).Tags).toEqual({ b: "2" });

  await expect(lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: "u" }))).rejects.toMatchObject({
    name: "ResourceNotFoundException",
  });
  const url = await lambda.send(
    new CreateFunctionUrlConfigCommand({ FunctionName: "u", AuthType: "AWS_IAM", InvokeMode: "RESPONSE_STREAM" }),
  );
  expect(url.FunctionUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  await expect(lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "u", AuthType: "NONE" }))).rejects.toMatchObject({
    name: "ResourceConflictException",
  });
  await lambda.send(
    new UpdateFunctionUrlConfigCommand({ FunctionName: "u", AuthType: "NONE", Cors: { AllowOrigins: ["https://example.com"] } }),
  );
  expect(await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: "u" }))).toMatchObject({
    FunctionUrl: url.FunctionUrl,
    AuthType: "NONE",
    InvokeMode: "RESPONSE_STREAM",
    Cors: { AllowOrigins: ["https://example.com"] },
  });
  await expect(lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: "u", AuthType: "OPEN" as "NONE" }))).rejects.toMatchObject({
    name: "InvalidParameterValueException",
  });

  await lambda.send(
    new AddPermissionCommand({
      FunctionName: "u",
      StatementId: "cf",
      Action: "lambda:InvokeFunctionUrl",
      Principal: "cloudfront.amazonaws.com",
      SourceArn: "arn:aws:cloudfront::000000000000:distribution/X",
    }),
  );
  await expect(
    lambda.send(new AddPermissionCommand({ FunctionName: "u", StatementId: "cf", Action: "lambda:InvokeFunction", Principal: "*" })),
  ).rejects.toMatchObject({
    name: "ResourceConflictException",
  });
  const policy = JSON.parse((await lambda.send(new GetFunctionPolicyCommand({ FunctionName: "u" }))).Policy ?? "{}");
  expect(policy.Statement).toEqual([
    {
      Sid: "cf",
      Effect: "Allow",
      Principal: { Service: "cloudfront.amazonaws.com" },
      Action: "lambda:InvokeFunctionUrl",
      Resource: arn,
      Condition: { ArnLike: { "AWS:SourceArn": "arn:aws:cloudfront::000000000000:distribution/X" } },
    },
  ]);
  await lambda.send(new RemovePermissionCommand({ FunctionName: "u", StatementId: "cf" }));
  await expect(lambda.send(new RemovePermissionCommand({ FunctionName: "u", StatementId: "cf" }))).rejects.toMatchObject({
    name: "ResourceNotFoundException",
  });
  await expect(lambda.send(new GetFunctionPolicyCommand({ FunctionName: "u" }))).rejects.toMatchObject({
    name: "ResourceNotFoundException",
  });

  await lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: "u" }));
  await lambda.send(new DeleteFunctionCommand({ FunctionName: arn }));
  await expect(lambda.send(new GetFunctionCommand({ FunctionName: "u" }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  await expect(lambda.send(new GetFunctionCommand({ FunctionName: "u", Qualifier: "1" }))).rejects.toMatchObject({
    name: "ResourceNotFoundException",
  });
});
