// PUBLIC_ACCESS=cloudfront, locally: the local URL plays the distribution that signs for every
// caller. Unsigned requests are served; a POST or PUT without x-amz-content-sha256 (or with a wrong
// one) gets Lambda's 403 and a log line with the rule and the fix. First the rule and the HTTP
// front with a stand-in function, then `npm start` serving a stack synthesized in this mode.

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import type * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { serveFromCommandLine } from "../../../emulator/cli/cli";
import { curlCommand, startLines } from "../../../emulator/cli/start-banner";
import type { FunctionConfig } from "../../../emulator/common/function-config";
import { locateRuntime } from "../../../emulator/environment/runtime-command";
import type { RunningInvocation } from "../../../emulator/invocation/running-invocation";
import {
  hashedPostCommand,
  LOCAL_CLOUDFRONT_CALLER,
  passThroughDistribution,
  payloadHash,
  SIGNATURE_MISMATCH,
} from "../../../emulator/url/cloudfront-origin";
import { createFunctionUrlServer } from "../../../emulator/url/server";
import { readConfig } from "../../../lib/config";
import { synthesizeStack } from "../../../lib/synthesize";
import { signRequest } from "../../../tools/invoke/sign-request";
import { fixtureFunction } from "../../helpers/function-config";
import { send } from "../../helpers/http-client";
import { LogCollector } from "../../helpers/log-collector";
import { closeServer, listenOnLoopback } from "../../helpers/loopback-server";
import { describeWhenAvailable, missingReason } from "../../helpers/requirements";
import { answeredInvocation } from "../../helpers/stand-in-invocation";

const BODY = '{"hello":"world"}';
const HELLO_HASH = "93a23971a914e5eacbf0a8d25154cda309c3c1c72fbb9914d47c60f3cb681588";
const FN: FunctionConfig = fixtureFunction({
  functionName: "stub",
  handler: "index.handler",
  authType: "AWS_IAM",
  publicAccess: "cloudfront",
});

describe("passThroughDistribution: the rule", () => {
  test("payloadHash is the hex SHA-256 of the bytes", () => {
    expect(payloadHash(BODY)).toBe(HELLO_HASH);
    expect(payloadHash(Buffer.alloc(0))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  test.each(["GET", "HEAD", "OPTIONS", "DELETE", "PATCH"])("an unsigned %s is signed for the caller", (method) => {
    expect(passThroughDistribution({ method, headers: {}, body: Buffer.alloc(0) })).toEqual({ ok: true, caller: LOCAL_CLOUDFRONT_CALLER });
  });

  test.each(["POST", "PUT", "post"])(
    "a %s without x-amz-content-sha256 is refused, with the rule, the hash it needs and AWS's page",
    (method) => {
      const verdict = passThroughDistribution({ method, headers: {}, body: Buffer.from(BODY) });
      expect(verdict.ok).toBe(false);
      const reason = (verdict as { reason: string }).reason;
      expect(reason).toContain(`a ${method.toUpperCase()} through CloudFront (PUBLIC_ACCESS=cloudfront) must carry x-amz-content-sha256`);
      expect(reason).toContain("Lambda accepts no unsigned payload");
      expect(reason).toContain(`-H "x-amz-content-sha256: ${HELLO_HASH}"`);
      expect(reason).toContain(
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-lambda.html",
      );
      expect(reason).not.toContain("\n");
    },
  );

  test("a POST whose header is its body's hash is signed for the caller", () => {
    expect(passThroughDistribution({ method: "POST", headers: { "x-amz-content-sha256": HELLO_HASH }, body: Buffer.from(BODY) })).toEqual({
      ok: true,
      caller: LOCAL_CLOUDFRONT_CALLER,
    });
  });

  test.each([
    ["another body's hash", payloadHash("{}")],
    ["UNSIGNED-PAYLOAD", "UNSIGNED-PAYLOAD"],
    ["upper-case hex", HELLO_HASH.toUpperCase()],
  ])("a header with %s is refused: the signature CloudFront makes with it cannot match", (_what, declared) => {
    const verdict = passThroughDistribution({ method: "PUT", headers: { "x-amz-content-sha256": declared }, body: Buffer.from(BODY) });
    expect(verdict).toEqual({
      ok: false,
      reason: expect.stringContaining(`x-amz-content-sha256 is ${JSON.stringify(declared)}, but the body's SHA-256 is ${HELLO_HASH}`),
    });
  });
});

describe("the HTTP front in this mode (stand-in function)", () => {
  let server: http.Server;
  let base: string;
  let invocations: Buffer[];
  let log: LogCollector;

  beforeEach(async () => {
    invocations = [];
    log = new LogCollector();
    server = createFunctionUrlServer({
      fn: FN,
      // What npm start hands an AWS_IAM URL; this mode never checks a signature against them.
      credentials: { accessKeyId: "AKIDSERVER", secretAccessKey: "server-secret" },
      log: log.sink,
      invoke: (event, { requestId }): RunningInvocation => {
        invocations.push(event);
        return answeredInvocation(requestId);
      },
    });
    base = `${await listenOnLoopback(server)}/`;
  });
  afterEach(async () => {
    await closeServer(server);
  });

  test("serves an unsigned GET, and the function sees the distribution as its signer", async () => {
    const res = await send(`${base}?count=1`);
    expect(res.status).toBe(200);
    expect(invocations).toHaveLength(1);
    expect(JSON.parse(invocations[0].toString()).requestContext.authorizer.iam).toMatchObject({
      accessKey: LOCAL_CLOUDFRONT_CALLER.accessKey,
      userArn: LOCAL_CLOUDFRONT_CALLER.userArn,
    });
  });

  test("serves a request the caller signed with any key: CloudFront always signs over it", async () => {
    const headers = await signRequest(new URL(base), { accessKeyId: "AKIDSOMEONEELSE", secretAccessKey: "x" }, { region: "eu-west-3" });
    expect((await send(base, { headers })).status).toBe(200);
  });

  test("an unsigned POST without x-amz-content-sha256: Lambda's 403 through CloudFront, the function not run, the rule and the fix logged", async () => {
    const res = await send(base, { method: "POST", body: BODY, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(403);
    expect(res.headers["content-type"]).toBe("application/json");
    expect(res.headers["x-amzn-errortype"]).toBe("InvalidSignatureException");
    expect(JSON.parse(res.body.toString())).toEqual(SIGNATURE_MISMATCH.body);
    expect(JSON.parse(res.body.toString()).message).toMatch(/^The request signature we calculated does not match/);
    expect(invocations).toHaveLength(0);
    const requestId = String(res.headers["x-amzn-requestid"]);
    const [line] = await log.waitFor(new RegExp(`^403 for RequestId: ${requestId}: a POST through CloudFront`));
    expect(line).toContain(`-H "x-amz-content-sha256: ${HELLO_HASH}"`);
  });

  test("the same POST with its body's hash is served, the body intact", async () => {
    const res = await send(base, {
      method: "POST",
      body: BODY,
      headers: { "content-type": "application/json", "x-amz-content-sha256": HELLO_HASH },
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(invocations[0].toString()).body).toBe(BODY);
  });

  test("a PUT with another body's hash is refused and logged", async () => {
    const res = await send(base, { method: "PUT", body: BODY, headers: { "x-amz-content-sha256": payloadHash("{}") } });
    expect(res.status).toBe(403);
    expect(invocations).toHaveLength(0);
    await log.waitFor(/^403 for RequestId: .*: x-amz-content-sha256 is "44136fa3/);
  });
});

describe("what npm start prints in this mode", () => {
  const url = "http://127.0.0.1:3000/";
  const options = { host: "127.0.0.1", bandwidth: "capped" } as Parameters<typeof startLines>[1];
  const resolved = { source: "local-pair" as const, credentials: { accessKeyId: "AKIALOCALEXAMPLE0000", secretAccessKey: "s" } };

  test("an unsigned curl line, and a POST that carries its body's hash instead of the signing note", () => {
    expect(curlCommand(FN, url, resolved)).toBe(`curl -N ${url}`);
    const lines = startLines(FN, options, url, resolved);
    expect(lines[0]).toContain(`try: curl -N ${url}`);
    expect(lines[1]).toBe(
      `PUBLIC_ACCESS=cloudfront: this URL plays the CloudFront distribution, which signs every request for the AWS_IAM URL; a POST or PUT must carry x-amz-content-sha256, its body's SHA-256: ${hashedPostCommand(url)}`,
    );
    expect(hashedPostCommand(url)).toBe(`curl -N --data '{}' -H "x-amz-content-sha256: ${payloadHash("{}")}" ${url}`);
    expect(lines.join("\n")).not.toContain("Signatures are checked against");
  });

  test("--auth NONE still wins over the stack, as for any stack", () => {
    expect(curlCommand({ ...FN, authType: "NONE" }, url, undefined)).toBe(`curl -N ${url}`);
    expect(startLines({ ...FN, authType: "NONE" }, options, url, undefined).join("\n")).not.toContain("PUBLIC_ACCESS=cloudfront");
  });
});

describeWhenAvailable("npm start serving a stack synthesized with PUBLIC_ACCESS=cloudfront", missingReason(locateRuntime), () => {
  let scratch: string;
  let stackDir: string;
  beforeAll(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ls-cloudfront-"));
    stackDir = synthesizeStack(readConfig({ PUBLIC_ACCESS: "cloudfront", STACK_NAME: "cf" }), path.join(scratch, "out"));
  });
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  test("serves unsigned requests as the distribution would, answers an unsigned POST as CloudFront and Lambda do, and its printed POST works as printed", async () => {
    const log = new LogCollector();
    // A HOME without ~/.aws and no AWS variables: nothing of this machine's credentials is involved.
    const home = fs.mkdtempSync(path.join(scratch, "home-"));
    const env = { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("AWS_"))), HOME: home };
    const serving = await serveFromCommandLine(["--stack", stackDir, "--port", "0"], env, log.sink, scratch);
    try {
      const url = serving?.local.url as string;
      expect(log.lines[0]).toMatch(/^Local Function URL for cf \(RESPONSE_STREAM, AWS_IAM, .*try: curl -N http:\/\/127\.0\.0\.1:\d+\/$/);
      // An unsigned GET streams the cars.
      const get = await send(`${url}?chunk=1&count=3`);
      expect(get.status).toBe(200);
      expect(get.body.toString()).toBe("🚗🚗🚗");
      // An unsigned POST without the header: Lambda's 403, the function never runs, the log teaches the rule.
      const post = await send(`${url}?chunk=1&count=3`, { method: "POST", body: BODY });
      expect(post.status).toBe(403);
      expect(post.headers["x-amzn-errortype"]).toBe("InvalidSignatureException");
      const requestId = String(post.headers["x-amzn-requestid"]);
      const [line] = await log.waitFor(new RegExp(`^403 for RequestId: ${requestId}: a POST through CloudFront .*${HELLO_HASH}`));
      expect(line).toContain("must carry x-amz-content-sha256");
      expect(log.matching(new RegExp(`^START RequestId: ${requestId}`))).toEqual([]);
      // The POST npm start prints, pasted into a shell as it is, gets the whole stream.
      const printed = /: (curl -N --data .*)$/m.exec(log.lines.join("\n"))?.[1];
      expect(printed).toBe(hashedPostCommand(url));
      // Asynchronously: the server that answers it runs in this process.
      const pasted = await promisify(execFile)("sh", ["-c", `${printed} -sS | wc -c`], { env, encoding: "utf8", timeout: 30_000 });
      expect(pasted.stdout.trim()).toBe("4194300");
    } finally {
      await serving?.close();
    }
  }, 60_000);
});
