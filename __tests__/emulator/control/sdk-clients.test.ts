// The local AWS as the AWS SDK's own clients see it: STS, IAM, CloudWatch Logs and Lambda answer
// what was made, and each error arrives as the exception class AWS's error type names. Bad input
// gets AWS's error shapes and the endpoint keeps serving; state survives a restart; a corrupt
// state file is one clear line.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
  PutRetentionPolicyCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateRoleCommand, GetRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, GetFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { zipSync } from "fflate";
import { type RunningLocalAws, serveLocalAws } from "../../../emulator/cli/local-aws";
import { StateError } from "../../../emulator/control/store";
import {
  LAMBDA_ASSUME_ROLE_POLICY as ASSUME,
  LOCAL_AWS_CREDENTIALS as CREDENTIALS,
  LOCAL_AWS_ENV as ENV,
} from "../../helpers/local-aws-clients";

const HANDLER_ZIP = zipSync({ "index.js": new TextEncoder().encode("exports.handler = async () => 'ok';\n") });

describe("the local AWS, through the AWS SDK's clients", () => {
  let state: string;
  let aws: RunningLocalAws;
  const client = <T>(Client: new (config: object) => T, credentials = CREDENTIALS): T =>
    new Client({ endpoint: aws.endpoint, region: "us-east-1", credentials, maxAttempts: 1 });

  beforeAll(async () => {
    state = fs.mkdtempSync(path.join(os.tmpdir(), "ls-local-aws-"));
    aws = (await serveLocalAws(["--port", "0", "--state", state], ENV, () => {})) as RunningLocalAws;
  });
  afterAll(async () => {
    await aws.close();
    fs.rmSync(state, { recursive: true, force: true });
  });

  test("STS: the caller is the local account", async () => {
    expect(await client(STSClient).send(new GetCallerIdentityCommand({}))).toMatchObject({ Account: "000000000000" });
  });

  test("IAM: a role reads back as made; a missing one, a taken name and a malformed policy are AWS's errors", async () => {
    const iam = client(IAMClient);
    await iam.send(new CreateRoleCommand({ RoleName: "sdk-role", AssumeRolePolicyDocument: ASSUME, Tags: [{ Key: "k", Value: "v" }] }));
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: "sdk-role" }));
    expect(Role).toMatchObject({
      RoleName: "sdk-role",
      Arn: "arn:aws:iam::000000000000:role/sdk-role",
      Path: "/",
      MaxSessionDuration: 3600,
      Tags: [{ Key: "k", Value: "v" }],
    });
    // IAM returns policy documents URL-encoded, as AWS does.
    expect(JSON.parse(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? ""))).toEqual(JSON.parse(ASSUME));
    await expect(iam.send(new GetRoleCommand({ RoleName: "absent" }))).rejects.toMatchObject({
      name: "NoSuchEntityException",
      $metadata: { httpStatusCode: 404 },
    });
    await expect(iam.send(new CreateRoleCommand({ RoleName: "sdk-role", AssumeRolePolicyDocument: ASSUME }))).rejects.toMatchObject({
      name: "EntityAlreadyExistsException",
    });
    await expect(
      iam.send(new PutRolePolicyCommand({ RoleName: "sdk-role", PolicyName: "p", PolicyDocument: "{not json" })),
    ).rejects.toMatchObject({
      name: "MalformedPolicyDocumentException",
    });
  });

  test("CloudWatch Logs: a log group with its retention; a second one of the name is ResourceAlreadyExistsException", async () => {
    const logs = client(CloudWatchLogsClient);
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/aws/lambda/sdk" }));
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: "/aws/lambda/sdk", retentionInDays: 14 }));
    const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/aws/lambda/sdk" }));
    expect(logGroups).toEqual([
      expect.objectContaining({
        logGroupName: "/aws/lambda/sdk",
        retentionInDays: 14,
        arn: "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/sdk:*",
      }),
    ]);
    await expect(logs.send(new CreateLogGroupCommand({ logGroupName: "/aws/lambda/sdk" }))).rejects.toMatchObject({
      name: "ResourceAlreadyExistsException",
    });
    await expect(logs.send(new PutRetentionPolicyCommand({ logGroupName: "/aws/lambda/sdk", retentionInDays: 13 }))).rejects.toMatchObject({
      name: "InvalidParameterException",
    });
  });

  describe("Lambda", () => {
    let roleArn: string;
    beforeAll(async () => {
      const iam = client(IAMClient);
      roleArn = (await iam.send(new CreateRoleCommand({ RoleName: "fn-role", AssumeRolePolicyDocument: ASSUME }))).Role?.Arn ?? "";
    });
    const create = (name: string, zip: Uint8Array, role = roleArn) =>
      client(LambdaClient).send(
        new CreateFunctionCommand({
          FunctionName: name,
          Role: role,
          Runtime: "nodejs22.x",
          Handler: "index.handler",
          Code: { ZipFile: zip },
        }),
      );

    test("a function reads back settled, with the defaults AWS fills in and its code's SHA-256", async () => {
      await create("sdk-fn", HANDLER_ZIP);
      const { Configuration } = await client(LambdaClient).send(new GetFunctionCommand({ FunctionName: "sdk-fn" }));
      expect(Configuration).toMatchObject({
        FunctionName: "sdk-fn",
        FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:sdk-fn",
        State: "Active",
        LastUpdateStatus: "Successful",
        PackageType: "Zip",
        Architectures: ["x86_64"],
        Timeout: 3,
        MemorySize: 128,
        EphemeralStorage: { Size: 512 },
        TracingConfig: { Mode: "PassThrough" },
        CodeSize: HANDLER_ZIP.length,
        CodeSha256: createHash("sha256").update(HANDLER_ZIP).digest("base64"),
      });
    });

    test("a missing function, a taken name and a role that does not exist are AWS's error types", async () => {
      const lambda = client(LambdaClient);
      await expect(lambda.send(new GetFunctionCommand({ FunctionName: "absent" }))).rejects.toMatchObject({
        name: "ResourceNotFoundException",
        $metadata: { httpStatusCode: 404 },
      });
      await create("taken", HANDLER_ZIP);
      await expect(create("taken", HANDLER_ZIP)).rejects.toMatchObject({ name: "ResourceConflictException" });
      await expect(create("no-role", HANDLER_ZIP, "arn:aws:iam::000000000000:role/absent")).rejects.toMatchObject({
        name: "InvalidParameterValueException",
        message: "The role defined for the function cannot be assumed by Lambda.",
      });
    });

    test.each([
      ["an entry outside the folder (..)", { "../evil.js": new Uint8Array([1]) }, /invalid relative path/],
      ["an absolute path", { "/etc/evil.js": new Uint8Array([1]) }, /absolute path/],
      ["a symbolic link", { "index.js": [new TextEncoder().encode("/etc/passwd"), { os: 3, attrs: 0o120777 << 16 }] }, /symbolic link/],
    ])("a zip with %s is refused, and nothing of it is kept", async (_what, files, message) => {
      const codeDir = path.join(state, "code");
      const before = fs.readdirSync(codeDir);
      await expect(create("zip-slip", zipSync(files as Parameters<typeof zipSync>[0]))).rejects.toMatchObject({
        name: "InvalidParameterValueException",
        message: expect.stringMatching(message),
      });
      expect(fs.readdirSync(codeDir)).toEqual(before);
      await expect(client(LambdaClient).send(new GetFunctionCommand({ FunctionName: "zip-slip" }))).rejects.toMatchObject({
        name: "ResourceNotFoundException",
      });
    });

    test("code from S3 is refused with a line that says it is not supported locally", async () => {
      await expect(
        client(LambdaClient).send(
          new CreateFunctionCommand({
            FunctionName: "s3",
            Role: roleArn,
            Runtime: "nodejs22.x",
            Handler: "index.handler",
            Code: { S3Bucket: "b", S3Key: "k" },
          }),
        ),
      ).rejects.toMatchObject({ name: "InvalidParameterValueException", message: expect.stringMatching(/not supported by the local AWS/) });
    });
  });

  test("signatures: another key pair is refused as each service refuses it", async () => {
    const other = { accessKeyId: "AKIAOTHERKEY00000000", secretAccessKey: "other" };
    await expect(client(LambdaClient, other).send(new GetFunctionCommand({ FunctionName: "x" }))).rejects.toMatchObject({
      name: "UnrecognizedClientException",
    });
    await expect(client(IAMClient, other).send(new GetRoleCommand({ RoleName: "x" }))).rejects.toMatchObject({
      name: "InvalidClientTokenId",
    });
  });

  test("bad input: unsigned, malformed JSON, an unknown action; each in the service's shape, and the endpoint keeps serving", async () => {
    const unsigned = await fetch(`${aws.endpoint}/2015-03-31/functions/x`);
    expect([unsigned.status, unsigned.headers.get("x-amzn-errortype")]).toEqual([403, "MissingAuthenticationTokenException"]);
    const iamUnsigned = await fetch(aws.endpoint, {
      method: "POST",
      body: "Action=GetRole&RoleName=x&Version=2010-05-08",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(iamUnsigned.status).toBe(403);
    expect(await iamUnsigned.text()).toMatch(/<Code>MissingAuthenticationToken<\/Code>/);
    expect((await client(STSClient).send(new GetCallerIdentityCommand({}))).Account).toBe("000000000000");
  });
});

describe("the local AWS's state", () => {
  test("survives a restart: what was made is there after", async () => {
    const state = fs.mkdtempSync(path.join(os.tmpdir(), "ls-local-aws-state-"));
    try {
      const first = (await serveLocalAws(["--port", "0", "--state", state], ENV, () => {})) as RunningLocalAws;
      const iam = (endpoint: string) => new IAMClient({ endpoint, region: "us-east-1", credentials: CREDENTIALS, maxAttempts: 1 });
      await iam(first.endpoint).send(new CreateRoleCommand({ RoleName: "kept", AssumeRolePolicyDocument: ASSUME }));
      await first.close();
      const second = (await serveLocalAws(["--port", "0", "--state", state], ENV, () => {})) as RunningLocalAws;
      try {
        expect((await iam(second.endpoint).send(new GetRoleCommand({ RoleName: "kept" }))).Role?.RoleName).toBe("kept");
      } finally {
        await second.close();
      }
    } finally {
      fs.rmSync(state, { recursive: true, force: true });
    }
  });

  test("a corrupt state file is one line naming it and the way out, never emptied", async () => {
    const state = fs.mkdtempSync(path.join(os.tmpdir(), "ls-local-aws-corrupt-"));
    try {
      fs.writeFileSync(path.join(state, "state.json"), "{ half a fi");
      await expect(serveLocalAws(["--port", "0", "--state", state], ENV, () => {})).rejects.toThrow(StateError);
      await expect(serveLocalAws(["--port", "0", "--state", state], ENV, () => {})).rejects.toThrow(
        new RegExp(
          `^The local AWS's state ${path.join(state, "state.json")} is not valid JSON \\(.*\\): .* Move it away to start empty, or pass another --state DIR\\.$`,
        ),
      );
      expect(fs.readFileSync(path.join(state, "state.json"), "utf8")).toBe("{ half a fi");
      // Valid JSON whose tables are not [key, record] rows: the same one line, not a stack trace.
      fs.writeFileSync(path.join(state, "state.json"), JSON.stringify({ version: 1, tables: { "iam.roles": [1] } }));
      await expect(serveLocalAws(["--port", "0", "--state", state], ENV, () => {})).rejects.toThrow(
        /whose rows are not \[key, record\] pairs: move the file away/,
      );
    } finally {
      fs.rmSync(state, { recursive: true, force: true });
    }
  });
});
