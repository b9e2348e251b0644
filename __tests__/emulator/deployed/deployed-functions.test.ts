// Functions deployed into the local AWS run, through the AWS SDK's own clients: each Function URL
// answers at its own address and streams progressively; a NONE URL answers only while its policy
// lets everyone in; an AWS_IAM URL wants a signature; the Lambda API on the same endpoint invokes
// by name or ARN; new code serves new requests while a stream in flight finishes on the old;
// deletes take the URL and the function away; a restart brings the URL back at the same address;
// a function that fails or hangs is answered as npm start answers it; its lines reach its log group.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CloudWatchLogsClient, CreateLogGroupCommand, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteFunctionCommand,
  DeleteFunctionUrlConfigCommand,
  InvokeCommand,
  InvokeWithResponseStreamCommand,
  LambdaClient,
  RemovePermissionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  UpdateFunctionUrlConfigCommand,
} from "@aws-sdk/client-lambda";
import { zipSync } from "fflate";
import { type RunningLocalAws, serveLocalAws } from "../../../emulator/cli/local-aws";
import { LogEvents } from "../../../emulator/control/log-events";
import { StateError, Store } from "../../../emulator/control/store";
import { locateRuntime } from "../../../emulator/environment/runtime-command";
import { signRequest } from "../../../tools/invoke/sign-request";
import { send } from "../../helpers/http-client";
import { LAMBDA_ASSUME_ROLE_POLICY, LOCAL_AWS_CREDENTIALS, LOCAL_AWS_ENV } from "../../helpers/local-aws-clients";
import { LogCollector } from "../../helpers/log-collector";
import { childPids, processEnded } from "../../helpers/process-resources";
import { describeWhenAvailable, missingReason } from "../../helpers/requirements";

const HANDLERS = path.join(__dirname, "..", "..", "fixtures", "handlers");
/** The fixture handlers as a deployment package. */
const ZIP = zipSync(
  Object.fromEntries(fs.readdirSync(HANDLERS).map((file) => [file, new Uint8Array(fs.readFileSync(path.join(HANDLERS, file)))])),
);
/** A package of its own: a handler that reads a file of its package late, after its first bytes. */
const LATE_ZIP = zipSync({
  "late.mjs": new TextEncoder().encode(`import { readFileSync } from "node:fs";
export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.write("started ");
  await new Promise((resolve) => setTimeout(resolve, Number(event.queryStringParameters?.ms ?? 0)));
  responseStream.end(readFileSync(new URL("./late.txt", import.meta.url), "utf8"));
});
`),
  "late.txt": new TextEncoder().encode("read late"),
});

describeWhenAvailable("functions deployed into the local AWS", missingReason(locateRuntime), () => {
  let state: string;
  let aws: RunningLocalAws;
  let log: LogCollector;
  let lambda: LambdaClient;
  let roleArn: string;

  const start = async (): Promise<void> => {
    log = new LogCollector();
    aws = (await serveLocalAws(["--port", "0", "--state", state], LOCAL_AWS_ENV, log.sink)) as RunningLocalAws;
    lambda = new LambdaClient({ endpoint: aws.endpoint, region: "us-east-1", credentials: LOCAL_AWS_CREDENTIALS, maxAttempts: 1 });
  };

  beforeAll(async () => {
    state = fs.mkdtempSync(path.join(os.tmpdir(), "ls-deployed-"));
    await start();
    const iam = new IAMClient({ endpoint: aws.endpoint, region: "us-east-1", credentials: LOCAL_AWS_CREDENTIALS, maxAttempts: 1 });
    const role = await iam.send(new CreateRoleCommand({ RoleName: "runner", AssumeRolePolicyDocument: LAMBDA_ASSUME_ROLE_POLICY }));
    roleArn = role.Role?.Arn ?? "";
  });
  afterAll(async () => {
    await aws?.close();
    fs.rmSync(state, { recursive: true, force: true });
  });

  /** Deploys the fixture handler `handler` as `name`, with a URL of `authType` (NONE: both public statements added). */
  async function deploy(name: string, handler: string, authType: "NONE" | "AWS_IAM", timeout = 3, zip = ZIP): Promise<string> {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Role: roleArn,
        Runtime: "nodejs22.x",
        Handler: handler.includes(".") ? handler : `handlers.${handler}`,
        Timeout: timeout,
        Code: { ZipFile: zip },
      }),
    );
    if (authType === "NONE") {
      await lambda.send(
        new AddPermissionCommand({
          FunctionName: name,
          StatementId: "FunctionURLAllowPublicAccess",
          Action: "lambda:InvokeFunctionUrl",
          Principal: "*",
          FunctionUrlAuthType: "NONE",
        }),
      );
      await lambda.send(
        new AddPermissionCommand({
          FunctionName: name,
          StatementId: "FunctionURLAllowInvokeAction",
          Action: "lambda:InvokeFunction",
          Principal: "*",
        }),
      );
    }
    const url = await lambda.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: authType, InvokeMode: "RESPONSE_STREAM" }),
    );
    return url.FunctionUrl ?? "";
  }

  test("a NONE URL streams progressively at its own address, and answers 403 once its policy lacks either statement", async () => {
    const url = await deploy("public", "paced", "NONE");
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(log.matching(/^local AWS: public's Function URL answers at /)).toEqual([`local AWS: public's Function URL answers at ${url}`]);
    const res = await send(`${url}?count=4&ms=150`);
    expect(res.status).toBe(201);
    expect(res.body.toString()).toBe("chunk-0\nchunk-1\nchunk-2\nchunk-3\n");
    expect(res).toArriveProgressively(4, 150);
    await log.waitFor(/^\[public\] REPORT RequestId: /);

    await lambda.send(new RemovePermissionCommand({ FunctionName: "public", StatementId: "FunctionURLAllowInvokeAction" }));
    const refused = await send(`${url}?count=1`);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body.toString())).toEqual({
      Message:
        "Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html",
    });
    expect(log.matching(/lambda:InvokeFunction to everyone/)).toHaveLength(1);
    await lambda.send(
      new AddPermissionCommand({ FunctionName: "public", StatementId: "again", Action: "lambda:InvokeFunction", Principal: "*" }),
    );
    expect((await send(`${url}?count=1`)).status).toBe(201);
  });

  test("an AWS_IAM URL refuses an unsigned request and streams a signed one", async () => {
    const url = await deploy("signed", "paced", "AWS_IAM");
    expect((await send(`${url}?count=1`)).status).toBe(403);
    const target = new URL(`${url}?count=3&ms=100`);
    const headers = await signRequest(target, LOCAL_AWS_CREDENTIALS, { region: "us-east-1", method: "GET" });
    const res = await send(target.href, { headers });
    expect(res.status).toBe(201);
    expect(res).toArriveProgressively(3, 100);
    // Signed with another pair: AWS's 403, and the log names the local AWS's pair, not npm start's.
    const other = { accessKeyId: "AKIAOTHERPAIR0000000", secretAccessKey: "other" };
    const refused = await send(target.href, { headers: await signRequest(target, other, { region: "us-east-1", method: "GET" }) });
    expect(refused.status).toBe(403);
    const [line] = log.matching(/AKIAOTHERPAIR0000000/);
    expect(line).toMatch(/the pair npm run local-aws printed when it started/);
    expect(line).not.toMatch(/npm start/);
  });

  test("a URL's CORS configuration is applied, and follows UpdateFunctionUrlConfig without a cold start", async () => {
    const url = await deploy("browser", "paced", "NONE");
    await send(`${url}?count=1`);
    const [cold] = await log.waitFor(/^\[browser\] REPORT RequestId: /);
    expect(cold).toMatch(/Init Duration/);
    await lambda.send(
      new UpdateFunctionUrlConfigCommand({
        FunctionName: "browser",
        Cors: { AllowOrigins: ["https://app.example"], AllowMethods: ["GET"], MaxAge: 60 },
      }),
    );
    const preflight = await send(url, {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-method": "GET" },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers).toMatchObject({ "access-control-allow-origin": "https://app.example", "access-control-max-age": "60" });
    const other = await send(`${url}?count=1`, { headers: { origin: "https://elsewhere.example" } });
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
    // The URL's settings are the door's: the warm environment serves on.
    const reports = await log.waitFor(/^\[browser\] REPORT RequestId: /, 2);
    expect(reports[1]).not.toMatch(/Init Duration/);
  });

  test("the Lambda API on the same endpoint invokes a deployed function by name or ARN, streamed or whole", async () => {
    await deploy("api", "paced", "AWS_IAM");
    const streamed = await lambda.send(
      new InvokeWithResponseStreamCommand({
        FunctionName: "arn:aws:lambda:us-east-1:000000000000:function:api",
        Payload: Buffer.from(JSON.stringify({ queryStringParameters: { count: "3", ms: "50" } })),
      }),
    );
    const pieces: string[] = [];
    for await (const event of streamed.EventStream ?? []) {
      if (event.PayloadChunk?.Payload) pieces.push(Buffer.from(event.PayloadChunk.Payload).toString());
    }
    expect(pieces.join("")).toContain("chunk-0\nchunk-1\nchunk-2\n");
    const whole = await lambda.send(new InvokeCommand({ FunctionName: "api", Payload: Buffer.from("{}") }));
    expect(whole.StatusCode).toBe(200);
    await expect(lambda.send(new InvokeCommand({ FunctionName: "absent" }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
      message: "Function not found: arn:aws:lambda:us-east-1:000000000000:function:absent",
    });
  });

  test("new code serves new requests while a stream in flight finishes on the old, files of its package included", async () => {
    const url = await deploy("changing", "late.handler", "NONE", 3, LATE_ZIP);
    const oldFolder = path.join(state, "code", createHash("sha256").update(LATE_ZIP).digest("hex"));
    const inFlight = send(`${url}?ms=600`);
    await log.waitFor(/^\[changing\] START RequestId: /);
    const next = zipSync({ "late.mjs": new TextEncoder().encode(NEW_CODE.replace("paced", "handler")) });
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "changing", ZipFile: next }));
    const fresh = await send(url);
    expect(fresh.body.toString()).toBe("v2");
    // The old version read its file after the update: its folder is kept until nothing runs it.
    const old = await inFlight;
    expect(old.body.toString()).toBe("started read late");
    expect(old.truncated).toBe(false);
    // Once nothing runs it (both environments done: their REPORTs), the next change takes the old folder away.
    await log.waitFor(/^\[changing\] REPORT RequestId: /, 2);
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "changing", Description: "swept" }));
    expect(fs.existsSync(oldFolder)).toBe(false);
  });

  test("a function that fails, hangs or floods its memory is answered as npm start answers it", async () => {
    const failing = await deploy("failing", "failsBeforeFirstByte", "NONE");
    const failed = await send(failing);
    expect(failed.status).toBe(502);
    expect(failed.body.toString()).toBe("Internal Server Error");
    const hanging = await deploy("hanging", "neverEnds", "NONE", 1);
    const cut = await send(hanging);
    expect(cut.body.toString()).toBe("started ");
    expect(cut.truncated).toBe(true);
    await log.waitFor(/^\[hanging\] .*Task timed out after 1\.00 seconds/);
    // One that floods its memory (128 MB, the default) is stopped as Lambda stops it.
    const hogging = await deploy("hogging", "misbehaving.hog", "NONE", 30);
    const killed = await send(`${hogging}?mb=512`);
    expect(killed.body.toString()).toBe("growing ");
    expect(killed.truncated).toBe(true);
    const [report] = await log.waitFor(/^\[hogging\] REPORT/);
    expect(report).toMatch(/\tMemory Size: 128 MB\t.*Status: error\tError Type: Runtime\.OutOfMemory\t$/);
  }, 30_000);

  test("a function's lines go to the terminal, prefixed with its name, and to its log group", async () => {
    const logs = new CloudWatchLogsClient({
      endpoint: aws.endpoint,
      region: "us-east-1",
      credentials: LOCAL_AWS_CREDENTIALS,
      maxAttempts: 1,
    });
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/aws/lambda/logged" }));
    const url = await deploy("logged", "paced", "NONE");
    await send(`${url}?count=1`);
    const [report] = await log.waitFor(/^\[logged\] REPORT RequestId: /);
    const requestId = /RequestId: (\S+)/.exec(report)?.[1];
    const found = await logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/logged", filterPattern: `"${requestId}"` }));
    expect(found.events?.map((event) => event.message?.split("\t")[0].split(" ")[0])).toEqual(["START", "END", "REPORT"]);
    expect(found.events?.[0].logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);

    // Without its log group, its lines go to the terminal only, and it says so once.
    const unlogged = await deploy("unlogged", "paced", "NONE");
    await send(`${unlogged}?count=1`);
    await send(`${unlogged}?count=1`);
    await log.waitFor(/^\[unlogged\] REPORT RequestId: /, 2);
    expect(log.matching(/^\[unlogged\] its log group \/aws\/lambda\/unlogged does not exist/)).toHaveLength(1);

    // A log group whose events cannot be written (here: its file made a folder) loses lines, never the server.
    const [file] = fs.readdirSync(path.join(state, "logs")).filter((name) => name.endsWith(".jsonl"));
    fs.rmSync(path.join(state, "logs", file));
    fs.mkdirSync(path.join(state, "logs", file));
    expect((await send(`${url}?count=1`)).body.toString()).toBe("chunk-0\n");
    expect((await send(`${url}?count=1`)).body.toString()).toBe("chunk-0\n");
    await log.waitFor(/^\[logged\] REPORT RequestId: /, 3);
    expect(log.matching(/^\[logged\] its lines cannot be kept in \/aws\/lambda\/logged \(EISDIR/)).toHaveLength(1);
    // Read back at the next start, such a file stops it with one line naming it.
    expect(() => LogEvents.open(Store.open(state))).toThrow(
      new StateError(
        `Cannot read the local AWS's log events ${path.join(state, "logs", file)} (EISDIR): check its permissions, or move it away (its log group's events go with it).`,
      ),
    );
    fs.rmdirSync(path.join(state, "logs", file));
  });

  test("a restart stops every environment and serves the URL at the same address; deletes take the URL and then the function away", async () => {
    const url = await deploy("kept", "paced", "NONE");
    expect((await send(`${url}?count=1`)).status).toBe(201);
    // Nothing outlives the local AWS: the functions' warm environments are stopped with it.
    const runtimes = runtimeProcesses();
    expect(runtimes.length).toBeGreaterThan(1);
    await aws.close();
    await Promise.all(runtimes.map((pid) => processEnded(pid, 5_000)));
    await start();
    expect(log.matching(/^local AWS: kept's Function URL/)).toEqual([`local AWS: kept's Function URL answers at ${url}`]);
    expect((await send(`${url}?count=1`)).body.toString()).toBe("chunk-0\n");

    await lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: "kept" }));
    await expect(send(url)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    // Its environment is still up (warm; since the restart, the only one) until the function goes: then it is stopped.
    await lambda.send(new InvokeCommand({ FunctionName: "kept", Payload: Buffer.from("{}") }));
    const runtime = runtimeProcesses();
    expect(runtime).toHaveLength(1);
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "kept" }));
    await processEnded(runtime[0], 5_000);
    await expect(lambda.send(new InvokeCommand({ FunctionName: "kept" }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });
});

/** This process's children that run a function: the runtime client's bootstrap. */
function runtimeProcesses(): number[] {
  const { bootstrap } = locateRuntime();
  return childPids().filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(bootstrap);
    } catch {
      return false;
    }
  });
}

/** A second version of the package: answers "v2". */
const NEW_CODE = `export const paced = awslambda.streamifyResponse(async (_event, responseStream) => {
  responseStream.write("v2");
  responseStream.end();
});
`;
