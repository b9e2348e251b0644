import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { verifySigV4 } from "../../../emulator/auth/sigv4-verifier";
import { type LocalFunctionUrl, startLocalFunctionUrl } from "../../../emulator/cli/local-function-url";
import { locateRuntime } from "../../../emulator/environment/runtime-command";
import { functionUrlDoor } from "../../../emulator/url/send";
import { bundleHandler } from "../../../lib/bundling";
import { HANDLER_ENTRY } from "../../../lib/lambda-streaming-stack";
import type { AuthType } from "../../../protocol/function-url-modes";
import { type LocalUrlRecord, writeLocalUrlRecord } from "../../../support/local-url-record";
import { UsageError } from "../../../support/usage-error";
import { explainStatus, formatSummary, runInvoke } from "../../../tools/invoke/cli";
import { localStateFile, readStateOutputs } from "../../../tools/invoke/deployed-outputs";
import { deployedUrl, describeChoice, localUrl, regionOfUrl } from "../../../tools/invoke/function-url-target";
import { parseInvokeOptions, requestUrl } from "../../../tools/invoke/invoke-options";
import { signRequest } from "../../../tools/invoke/sign-request";
import { streamRequest } from "../../../tools/invoke/stream-request";
import { LogCollector } from "../../helpers/log-collector";
import { closedPort } from "../../helpers/loopback-server";
import { describeWhenAvailable, missingReason } from "../../helpers/requirements";

const CREDENTIALS = { accessKeyId: "AKIDINVOKE", secretAccessKey: "invoke-secret" };

describe("parseInvokeOptions", () => {
  test("reads the flags", () => {
    expect(parseInvokeOptions(["--local", "--path", "/?count=3", "--quiet"])).toEqual({
      local: true,
      path: "/?count=3",
      quiet: true,
      api: false,
      help: false,
    });
    expect(parseInvokeOptions(["--url", "https://x.lambda-url.eu-west-1.on.aws/"])).toEqual({
      url: "https://x.lambda-url.eu-west-1.on.aws/",
      local: false,
      quiet: false,
      api: false,
      help: false,
    });
  });

  test("keeps the query of --url; --path replaces path and query", () => {
    expect(requestUrl("http://127.0.0.1:3000/?delay=50&count=20&chunk=1", undefined).href).toBe(
      "http://127.0.0.1:3000/?delay=50&count=20&chunk=1",
    );
    expect(requestUrl("http://127.0.0.1:3000/", undefined).href).toBe("http://127.0.0.1:3000/");
    expect(requestUrl("https://x.lambda-url.eu-west-1.on.aws/?count=1", "/?count=3").href).toBe(
      "https://x.lambda-url.eu-west-1.on.aws/?count=3",
    );
  });

  test.each([
    [["--url", "ftp://x"], '--url must be an http:// or https:// URL (got "ftp://x")'],
    [["--url", "nope"], '--url must be an http:// or https:// URL (got "nope")'],
    [["--url", "http://x", "--local"], "--url and --local cannot be used together: call a given URL, or the local one"],
    [["--path", "count=3"], '--path must start with / such as /?count=20&chunk=1 (got "count=3")'],
  ])("rejects %j", (argv, message) => {
    expect(() => parseInvokeOptions(argv)).toThrow(new UsageError(message));
  });
});

describe("targets and summaries", () => {
  test("reads the Region from a Function URL's host", () => {
    expect(regionOfUrl(new URL("https://abc123.lambda-url.eu-central-1.on.aws/"))).toBe("eu-central-1");
    expect(regionOfUrl(new URL("http://127.0.0.1:3000/"))).toBeUndefined();
    expect(localUrl({ PORT: "4000" })).toBe("http://127.0.0.1:4000/");
  });

  test("formats the summary line", () => {
    expect(formatSummary({ status: 200, statusText: "OK", firstByteMs: 12.34, totalMs: 1000, bytes: 4_194_304, truncated: false })).toBe(
      "200 OK · first byte 12.3 ms · total 1000.0 ms · 4,194,304 bytes · 4.0 MiB/s",
    );
  });

  test("two servers and --api --local: names the Lambda API it calls, and the other's endpoint (--url cannot reach an API)", () => {
    const newest = {
      url: "http://127.0.0.1:4000/",
      apiUrl: "http://127.0.0.1:4001",
      authType: "NONE" as const,
      region: "us-east-1",
      pid: 2,
    };
    const older = {
      url: "http://127.0.0.1:3000/",
      apiUrl: "http://127.0.0.1:3001",
      authType: "NONE" as const,
      region: "us-east-1",
      pid: 1,
    };
    expect(describeChoice({ recorded: newest, url: newest.url, stale: [], others: [older] }, "api")).toBe(
      "2 npm start servers are running; --api --local calls the newest's Lambda API, pid 2 (http://127.0.0.1:4001). " +
        "The other's: pid 1's is at http://127.0.0.1:3001; call it with the AWS CLI or SDK (--endpoint-url), or stop the newer server.",
    );
    expect(describeChoice({ recorded: newest, url: newest.url, stale: [], others: [] }, "api")).toBeUndefined();
  });

  test("a small or slow response's throughput is shown in a unit where it reads as a figure, not 0.0 MiB/s", () => {
    const summary = { status: 200, statusText: "OK", firstByteMs: 2, totalMs: 10, truncated: false };
    // 12 bytes (three cars) in 10 ms: 1,200 B/s.
    expect(formatSummary({ ...summary, bytes: 12 })).toBe("200 OK · first byte 2.0 ms · total 10.0 ms · 12 bytes · 1.2 KiB/s");
    expect(formatSummary({ ...summary, bytes: 5, totalMs: 1000 })).toMatch(/ · 5 bytes · 5 B\/s$/);
    expect(formatSummary({ ...summary, bytes: 0, totalMs: 0 })).toMatch(/ · 0 bytes · 0 B\/s$/);
    expect(formatSummary({ ...summary, bytes: 4_194_304, totalMs: 1000 })).toMatch(/ · 4\.0 MiB\/s$/);
  });

  test("explains 403 (signed or not) and 429 with what to do", () => {
    expect(explainStatus(403, false)).toMatch(/not signed, because no AWS credentials were found/);
    expect(explainStatus(403, true)).toMatch(/both lambda:InvokeFunctionUrl and lambda:InvokeFunction .*invoker_policy_arn/);
    expect(explainStatus(403, true, true)).toMatch(/^403 Forbidden: the local URL refused the signature; its terminal logs why/);
    expect(explainStatus(403, false, true)).toMatch(/^403 Forbidden: the local URL uses AWS_IAM auth and the request was not signed/);
    expect(explainStatus(429, true)).toMatch(/reserved concurrency/);
    expect(explainStatus(200, true)).toBeUndefined();
  });
});

describe("signRequest and streamRequest", () => {
  let server: http.Server;
  let seen: { url: string; headers: Record<string, string> } | undefined;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen = { url: req.url ?? "", headers: req.headers as Record<string, string> };
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("a");
      setTimeout(() => res.end("bc"), 50);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  test("signs so that the local URL's verifier accepts it, whatever the query order", async () => {
    const { port } = server.address() as AddressInfo;
    const url = new URL(`http://127.0.0.1:${port}/?delay=1&count=3&chunk=1`);
    const headers = await signRequest(url, CREDENTIALS, { region: "us-east-1" });
    const sink = new PassThrough();
    const summary = await streamRequest(url, headers, sink);
    expect(sink.read()?.toString()).toBe("abc");
    expect(summary).toMatchObject({ status: 200, bytes: 3, truncated: false });
    expect(summary.totalMs).toBeGreaterThan(summary.firstByteMs);
    if (!seen) throw new Error("the server saw no request");
    const verification = await verifySigV4(
      { method: "GET", url: seen.url, headers: seen.headers, body: Buffer.alloc(0) },
      CREDENTIALS,
      "us-east-1",
      functionUrlDoor(() => {}).signing,
    );
    expect(verification).toEqual({ ok: true, accessKey: "AKIDINVOKE" });
  });
});

describe("deployedUrl", () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "ls-invoke-"));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const S3 = { TF_STATE_BUCKET: "my-tf-state" };

  /** A stand-in `terraform` that runs `script` (sh) for `output -json`, and a synthesized stack folder. */
  function fakeTerraform(script: string): NodeJS.ProcessEnv {
    const bin = path.join(root, "bin");
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, "terraform"), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    fs.mkdirSync(path.join(root, "cdktf.out", "stacks", "lambda-streaming"), { recursive: true });
    fs.writeFileSync(path.join(root, "cdktf.out", "stacks", "lambda-streaming", "cdk.tf.json"), "{}");
    return { PATH: `${bin}:${process.env.PATH}`, ...S3 };
  }

  test("local state: reads the outputs from the state file at the project root, with no cdktf.out and no terraform", () => {
    const outputs = {
      function_url: { value: "https://abc.lambda-url.eu-west-1.on.aws/", type: "string" },
      auth_type: { value: "AWS_IAM" },
    };
    fs.writeFileSync(path.join(root, "terraform.lambda-streaming.tfstate"), JSON.stringify({ version: 4, outputs }));
    expect(deployedUrl(root, { PATH: "/nonexistent" })).toEqual({ url: "https://abc.lambda-url.eu-west-1.on.aws/", authType: "AWS_IAM" });
    expect(localStateFile(root, "cars")).toBe(path.join(root, "terraform.cars.tfstate"));
  });

  test("local state: says when the stack is not deployed, or was destroyed", () => {
    expect(() => deployedUrl(root, {})).toThrow(
      /^No URL found: the stack lambda-streaming has no function_url output in terraform.lambda-streaming.tfstate \(is it deployed/,
    );
    fs.writeFileSync(path.join(root, "terraform.lambda-streaming.tfstate"), JSON.stringify({ version: 4, outputs: {} }));
    expect(() => deployedUrl(root, {})).toThrow(/has no function_url output/);
    expect(readStateOutputs(path.join(root, "missing.tfstate"), { what: "URL", otherwise: "" })).toEqual({});
    fs.writeFileSync(path.join(root, "terraform.lambda-streaming.tfstate"), "not json");
    expect(() => deployedUrl(root, {})).toThrow(
      /^No URL found: .*terraform\.lambda-streaming\.tfstate is not a Terraform state file \(not JSON\)\. Pass --url URL, or use --local\.$/,
    );
  });

  test("prefers public_url (CloudFront in front), called unsigned, over function_url", () => {
    const outputs = {
      function_url: { value: "https://abc.lambda-url.eu-west-1.on.aws/" },
      auth_type: { value: "AWS_IAM" },
      public_url: { value: "https://d111111abcdef8.cloudfront.net/" },
    };
    fs.writeFileSync(path.join(root, "terraform.lambda-streaming.tfstate"), JSON.stringify({ version: 4, outputs }));
    expect(deployedUrl(root, {})).toEqual({ url: "https://d111111abcdef8.cloudfront.net/", authType: "NONE" });
    const env = fakeTerraform(`echo '${JSON.stringify(outputs)}'`);
    expect(deployedUrl(root, env)).toEqual({ url: "https://d111111abcdef8.cloudfront.net/", authType: "NONE" });
  });

  test("S3 state: reads function_url and auth_type from terraform output", () => {
    const outputs = { function_url: { value: "https://abc.lambda-url.eu-west-1.on.aws/" }, auth_type: { value: "AWS_IAM" } };
    const env = fakeTerraform(`echo '${JSON.stringify(outputs)}'`);
    expect(deployedUrl(root, env)).toEqual({ url: "https://abc.lambda-url.eu-west-1.on.aws/", authType: "AWS_IAM" });
  });

  test("S3 state: says when the stack is not synthesized, its backend not initialized, or it has no URL", () => {
    expect(() => deployedUrl(root, S3)).toThrow(
      /^No URL found: cdktf.out\/stacks\/lambda-streaming is not synthesized, and its state is in S3/,
    );
    const uninitialized = fakeTerraform('echo "Error: Backend initialization required, please run \\"terraform init\\"" >&2; exit 1');
    expect(() => deployedUrl(root, uninitialized)).toThrow(
      "No URL found: the S3 backend of cdktf.out/stacks/lambda-streaming is not initialized. Run `terraform -chdir=cdktf.out/stacks/lambda-streaming init` once. Pass --url URL, or use --local.",
    );
  });

  test("S3 state: no function_url output names the bucket", () => {
    const env = fakeTerraform("echo '{}'");
    expect(() => deployedUrl(root, env)).toThrow(
      /^No URL found: the stack lambda-streaming has no function_url output in s3:\/\/my-tf-state\/lambda-streaming\/terraform.tfstate/,
    );
  });
});

/** What runInvoke wrote: the body (stdout) and the summary and explanations (stderr). */
function capture(): { stdout: PassThrough; stderr: PassThrough; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const read = (stream: PassThrough) => (): string => (stream.read() as Buffer | null)?.toString() ?? "";
  return { stdout, stderr, out: read(stdout), err: read(stderr) };
}

describe("npm run invoke -- --local without a running server", () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "ls-invoke-local-"));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test("no record and nothing on $PORT: says to start one with npm start, or pass --url", async () => {
    const port = await closedPort();
    const io = { ...capture(), env: { PORT: String(port) }, projectRoot: root, findCredentials: async () => undefined };
    await expect(runInvoke(["--local"], io)).rejects.toThrow(
      `No local Function URL is running: none is recorded in .local-url.json, and nothing answers at http://127.0.0.1:${port}/ (ECONNREFUSED). Start one with \`npm start\` (in another terminal), or pass --url URL; as for the local AWS, no local AWS is running (\`npm run local-aws\`, then npm run deploy -- --local).`,
    );
  });

  test("a record whose server no longer answers: names it, and says the same", async () => {
    const port = await closedPort();
    writeLocalUrlRecord(root, { url: `http://127.0.0.1:${port}/`, authType: "NONE", region: "us-east-1", pid: process.pid });
    const io = { ...capture(), env: {}, projectRoot: root, findCredentials: async () => undefined };
    await expect(runInvoke(["--local"], io)).rejects.toThrow(
      `The local Function URL that npm start (pid ${process.pid}) recorded in .local-url.json, http://127.0.0.1:${port}/, does not answer (ECONNREFUSED). Start one with \`npm start\` (in another terminal), or pass --url URL; as for the local AWS, no local AWS is running (\`npm run local-aws\`, then npm run deploy -- --local).`,
    );
  });

  test("a record left by a killed npm start: names it, removes it, and does not claim none was recorded", async () => {
    const port = await closedPort();
    const { pid } = spawnSync(process.execPath, ["-e", ""]);
    const stale = { url: "http://127.0.0.1:3999/", authType: "AWS_IAM", region: "us-east-1", pid };
    fs.writeFileSync(path.join(root, ".local-url.json"), JSON.stringify([stale]));
    const io = { ...capture(), env: { PORT: String(port) }, projectRoot: root, findCredentials: async () => undefined };
    await expect(runInvoke(["--local"], io)).rejects.toThrow(
      `No local Function URL is running: the npm start that .local-url.json named is gone (its stale entry is removed), and nothing answers at http://127.0.0.1:${port}/ (ECONNREFUSED). Start one with \`npm start\` (in another terminal), or pass --url URL; as for the local AWS, no local AWS is running (\`npm run local-aws\`, then npm run deploy -- --local).`,
    );
    expect(io.err()).toBe(
      `Removed a stale entry from .local-url.json: npm start (pid ${pid}, http://127.0.0.1:3999/) is no longer running (it was stopped without cleaning up, as kill -9 does).\n`,
    );
    expect(fs.existsSync(path.join(root, ".local-url.json"))).toBe(false);
  });

  test("a local AWS_IAM URL and no credentials here: says to export npm start's pair", async () => {
    writeLocalUrlRecord(root, { url: "http://127.0.0.1:1/", authType: "AWS_IAM", region: "us-east-1", pid: process.pid });
    const io = { ...capture(), env: {}, projectRoot: root, findCredentials: async () => undefined };
    await expect(runInvoke(["--local"], io)).rejects.toThrow(
      /^No AWS credentials for the local AWS_IAM URL \(http:\/\/127.0.0.1:1\): it checks signatures against the pair npm start named when it started/,
    );
  });
});

describeWhenAvailable("npm run invoke -- --local against a running local URL", missingReason(locateRuntime), () => {
  const SERVER_PAIR = { accessKeyId: "AKIDSERVER", secretAccessKey: "server-secret" };
  let root: string;
  let local: LocalFunctionUrl | undefined;
  let log: LogCollector;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "ls-invoke-local-"));
  });
  afterEach(async () => {
    await local?.close();
    local = undefined;
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** Starts the 🚗 function on a free port, in eu-west-1, and records it as npm start does. */
  async function serve(authType: AuthType, extra: Partial<LocalUrlRecord> = {}): Promise<LocalUrlRecord> {
    log = new LogCollector();
    const fn = {
      functionName: "cars",
      region: "eu-west-1",
      handler: "index.handler",
      runtime: "nodejs22.x",
      memoryMb: 128,
      timeoutSeconds: 10,
      environment: {},
      bundleDir: bundleHandler(HANDLER_ENTRY),
      invokeMode: "RESPONSE_STREAM" as const,
      authType,
    };
    local = await startLocalFunctionUrl({ fn, port: 0, log: log.sink, credentials: SERVER_PAIR });
    const record = { url: local.url, authType, region: fn.region, pid: process.pid, ...extra };
    writeLocalUrlRecord(root, record);
    return record;
  }

  test("finds a server on any port, and signs with the throwaway pair it recorded (not the chain's)", async () => {
    const record = await serve("AWS_IAM", { localCredentials: SERVER_PAIR });
    expect(record.url).not.toMatch(/:3000\//);
    const findCredentials = jest.fn(async () => ({ accessKeyId: "AKIDCHAIN", secretAccessKey: "chain-secret" }));
    const io = { ...capture(), env: {}, projectRoot: root, findCredentials };
    expect(await runInvoke(["--local", "--path", "/?count=3&chunk=1"], io)).toBe(0);
    expect(io.out()).toBe("🚗🚗🚗");
    expect(io.err()).toMatch(/^\n200 OK · first byte .* · 12 bytes · /);
    expect(findCredentials).not.toHaveBeenCalled();
    expect(log.matching(/^403/)).toEqual([]);
  });

  test("without a recorded pair, signs with the chain's credentials for the recorded Region", async () => {
    await serve("AWS_IAM");
    const io = { ...capture(), env: { AWS_REGION: "us-east-1" }, projectRoot: root, findCredentials: async () => SERVER_PAIR };
    expect(await runInvoke(["--local", "--path", "/?count=2", "--quiet"], io)).toBe(0);
    expect(io.err()).toMatch(/200 OK .* 8 bytes/);
  });

  test("a pair the server does not check against: 403, the explanation points at the server's log, which says why", async () => {
    await serve("AWS_IAM");
    const io = {
      ...capture(),
      env: {},
      projectRoot: root,
      findCredentials: async () => ({ accessKeyId: "AKIDOTHER", secretAccessKey: "x" }),
    };
    expect(await runInvoke(["--local", "--quiet"], io)).toBe(1);
    expect(io.err()).toMatch(/403 Forbidden: the local URL refused the signature; its terminal logs why \(403 for RequestId: …\)/);
    await log.waitFor(
      /^403 for RequestId: .*: the request was signed with another key pair \(AKIDOTHER\); the server checks against AKIDSERVER/,
    );
  });

  test("two servers running: says which it called (the newest) and how to call the other", async () => {
    // An older server's entry (this test's parent process stands in for it: alive, so not stale) …
    const older = { url: "http://127.0.0.1:4999/", authType: "NONE", region: "us-east-1", pid: process.ppid };
    fs.writeFileSync(path.join(root, ".local-url.json"), JSON.stringify([older]));
    // … then the newest, which answers.
    const newest = await serve("NONE");
    const io = { ...capture(), env: {}, projectRoot: root, findCredentials: async () => undefined };
    expect(await runInvoke(["--local", "--quiet"], io)).toBe(0);
    expect(io.err()).toMatch(
      new RegExp(
        `^2 npm start servers are running; --local calls the newest, pid ${process.pid} \\(${newest.url}\\)\\. ` +
          `To call the other: npm run invoke -- --url http://127\\.0\\.0\\.1:4999/ \\(pid ${process.ppid}\\)\\.\n`,
      ),
    );
  });

  test("two servers running: the hint's --url reaches the other, signed with the pair it records", async () => {
    // The older server answers, AWS_IAM with a pair made for its run …
    const older = await serve("AWS_IAM", { localCredentials: SERVER_PAIR });
    // … a newer one (this test's parent process stands in for it) is what --local would call.
    writeLocalUrlRecord(root, { url: "http://127.0.0.1:4999/", authType: "NONE", region: "us-east-1", pid: process.ppid });
    const hinting = { ...capture(), env: {}, projectRoot: root, findCredentials: async () => undefined };
    await expect(runInvoke(["--local", "--quiet"], hinting)).rejects.toThrow(/does not answer/);
    const hint = /To call the other: npm run invoke -- (--url \S+)/.exec(hinting.err())?.[1] ?? "";
    expect(hint).toBe(`--url ${older.url}`);
    const io = { ...capture(), env: {}, projectRoot: root, findCredentials: async () => undefined };
    expect(await runInvoke([...hint.split(" "), "--path", "/?count=2", "--quiet"], io)).toBe(0);
    expect(io.err()).toMatch(/200 OK .* 8 bytes/);
  });

  test("a NONE URL is called unsigned, without looking for credentials", async () => {
    await serve("NONE");
    const findCredentials = jest.fn(async () => SERVER_PAIR);
    const io = { ...capture(), env: {}, projectRoot: root, findCredentials };
    expect(await runInvoke(["--local", "--path", "/?count=1"], io)).toBe(0);
    expect(io.out()).toBe("🚗");
    expect(findCredentials).not.toHaveBeenCalled();
  });
});
