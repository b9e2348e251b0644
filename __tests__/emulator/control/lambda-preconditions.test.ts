// Lambda's optimistic locks and Regions in the local AWS: a stale RevisionId (UpdateFunctionCode,
// AddPermission, RemovePermission) is PreconditionFailedException and changes nothing; an ARN of
// another Region than the one signed for is not reachable, for the control plane and Invoke alike;
// ListFunctions pages through a Region's functions.

import * as fs from "node:fs";
import * as path from "node:path";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  GetFunctionCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  paginateListFunctions,
  RemovePermissionCommand,
  UpdateFunctionCodeCommand,
} from "@aws-sdk/client-lambda";
import { zipSync } from "fflate";
import { LAMBDA_ASSUME_ROLE_POLICY, LOCAL_AWS_CREDENTIALS, useLocalAws } from "../../helpers/local-aws-clients";

const aws = useLocalAws();
const zip = (body: string): Uint8Array => zipSync({ "index.js": new TextEncoder().encode(body) });

let lambda: LambdaClient;
beforeAll(async () => {
  lambda = aws.client(LambdaClient);
  const role = await aws
    .client(IAMClient)
    .send(new CreateRoleCommand({ RoleName: "r", AssumeRolePolicyDocument: LAMBDA_ASSUME_ROLE_POLICY }));
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: "locked",
      Role: role.Role?.Arn,
      Runtime: "nodejs22.x",
      Handler: "index.handler",
      Code: { ZipFile: zip("exports.handler = async () => 1;") },
    }),
  );
});

test("UpdateFunctionCode with a stale RevisionId is refused and changes nothing; the latest one is taken", async () => {
  const before = (await lambda.send(new GetFunctionCommand({ FunctionName: "locked" }))).Configuration;
  await expect(
    lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: "locked", ZipFile: zip("exports.handler = async () => 2;"), RevisionId: "stale" }),
    ),
  ).rejects.toMatchObject({ name: "PreconditionFailedException", $metadata: { httpStatusCode: 412 } });
  const after = (await lambda.send(new GetFunctionCommand({ FunctionName: "locked" }))).Configuration;
  expect(after?.CodeSha256).toBe(before?.CodeSha256);
  const updated = await lambda.send(
    new UpdateFunctionCodeCommand({
      FunctionName: "locked",
      ZipFile: zip("exports.handler = async () => 3;"),
      RevisionId: after?.RevisionId,
    }),
  );
  expect(updated.CodeSha256).not.toBe(before?.CodeSha256);
});

test("AddPermission and RemovePermission check the policy's RevisionId", async () => {
  const first = { FunctionName: "locked", StatementId: "one", Action: "lambda:InvokeFunction", Principal: "*" };
  await lambda.send(new AddPermissionCommand(first));
  const { RevisionId } = await lambda.send(new GetPolicyCommand({ FunctionName: "locked" }));
  await expect(lambda.send(new AddPermissionCommand({ ...first, StatementId: "two", RevisionId: "stale" }))).rejects.toMatchObject({
    name: "PreconditionFailedException",
  });
  await expect(
    lambda.send(new RemovePermissionCommand({ FunctionName: "locked", StatementId: "one", RevisionId: "stale" })),
  ).rejects.toMatchObject({
    name: "PreconditionFailedException",
  });
  const policy = JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: "locked" }))).Policy ?? "{}");
  expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(["one"]);
  await lambda.send(new RemovePermissionCommand({ FunctionName: "locked", StatementId: "one", RevisionId }));
  await expect(lambda.send(new GetPolicyCommand({ FunctionName: "locked" }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
});

test("an ARN of another Region is not reachable from the Region signed for, as on AWS", async () => {
  const elsewhere = "arn:aws:lambda:eu-west-1:000000000000:function:locked";
  const notReachable = {
    name: "ResourceNotFoundException",
    message: "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')",
  };
  await expect(lambda.send(new GetFunctionCommand({ FunctionName: elsewhere }))).rejects.toMatchObject(notReachable);
  await expect(lambda.send(new InvokeCommand({ FunctionName: elsewhere, InvocationType: "DryRun" }))).rejects.toMatchObject(notReachable);
  const here = await lambda.send(
    new InvokeCommand({ FunctionName: elsewhere.replace("eu-west-1", "us-east-1"), InvocationType: "DryRun" }),
  );
  expect(here.StatusCode).toBe(204);
});

test("ListFunctions lists the Region's functions by name, a page at a time, as the SDK's paginator reads them", async () => {
  const role = (await lambda.send(new GetFunctionCommand({ FunctionName: "locked" }))).Configuration?.Role;
  for (const name of ["b-listed", "a-listed", "Z-listed", "c-listed"]) {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Role: role,
        Runtime: "nodejs22.x",
        Handler: "index.handler",
        Code: { ZipFile: zip("exports.handler = async () => 1;") },
      }),
    );
  }
  const names: string[] = [];
  for await (const page of paginateListFunctions({ client: lambda, pageSize: 2 }, {})) {
    expect((page.Functions ?? []).length).toBeLessThanOrEqual(2);
    names.push(...(page.Functions ?? []).map((fn) => fn.FunctionName ?? ""));
  }
  // In code-unit order (upper case first), each name once across the pages.
  expect(names).toEqual(["Z-listed", "a-listed", "b-listed", "c-listed", "locked"]);
  // Another Region's list is its own.
  const elsewhere = new LambdaClient({ endpoint: aws.endpoint(), region: "eu-west-1", credentials: LOCAL_AWS_CREDENTIALS, maxAttempts: 1 });
  expect((await elsewhere.send(new ListFunctionsCommand({}))).Functions).toEqual([]);
});

test("a Function URL whose configuration cannot be written is not created: 500, nothing kept, and the next try works", async () => {
  const staging = path.join(aws.state(), `state.json.${process.pid}.tmp`);
  fs.mkdirSync(staging);
  try {
    await expect(lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "locked", AuthType: "AWS_IAM" }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 500 },
    });
  } finally {
    fs.rmdirSync(staging);
  }
  await expect(lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: "locked" }))).rejects.toMatchObject({
    name: "ResourceNotFoundException",
  });
  const created = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "locked", AuthType: "AWS_IAM" }));
  expect(created.FunctionUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
});
