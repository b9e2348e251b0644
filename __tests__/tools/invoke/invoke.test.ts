import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { UsageError } from "../../../emulator/errors";
import { verifySigV4 } from "../../../emulator/sigv4-verifier";
import { explainStatus, formatSummary } from "../../../tools/invoke/cli";
import { deployedUrl, localStateFile, localUrl, readStateOutputs, regionOfUrl } from "../../../tools/invoke/function-url-target";
import { parseInvokeOptions, requestUrl } from "../../../tools/invoke/invoke-options";
import { signGet, streamRequest } from "../../../tools/invoke/stream-request";

const CREDENTIALS = { accessKeyId: "AKIDINVOKE", secretAccessKey: "invoke-secret" };

describe("parseInvokeOptions", () => {
  test("reads the flags", () => {
    expect(parseInvokeOptions(["--local", "--path", "/?count=3", "--quiet"])).toEqual({
      local: true,
      path: "/?count=3",
      quiet: true,
      help: false,
    });
    expect(parseInvokeOptions(["--url", "https://x.lambda-url.eu-west-1.on.aws/"])).toEqual({
      url: "https://x.lambda-url.eu-west-1.on.aws/",
      local: false,
      quiet: false,
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
    expect(
      formatSummary({ status: 200, statusText: "OK", headers: {}, firstByteMs: 12.34, totalMs: 1000, bytes: 4_194_304, truncated: false }),
    ).toBe("200 OK · first byte 12.3 ms · total 1000.0 ms · 4,194,304 bytes · 4.0 MiB/s");
  });

  test("explains 403 (signed or not) and 429 with what to do", () => {
    expect(explainStatus(403, false)).toMatch(/not signed, because no AWS credentials were found/);
    expect(explainStatus(403, true)).toMatch(/both lambda:InvokeFunctionUrl and lambda:InvokeFunction .*invoker_policy_arn/);
    expect(explainStatus(429, true)).toMatch(/reserved concurrency/);
    expect(explainStatus(200, true)).toBeUndefined();
  });
});

describe("signGet and streamRequest", () => {
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
    const headers = await signGet(url, CREDENTIALS, "us-east-1");
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
    expect(readStateOutputs(path.join(root, "missing.tfstate"))).toEqual({});
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
      "No URL found: the S3 backend of cdktf.out/stacks/lambda-streaming is not initialized. Run `terraform -chdir=cdktf.out/stacks/lambda-streaming init` once, pass --url URL, or use --local.",
    );
  });

  test("S3 state: no function_url output names the bucket", () => {
    const env = fakeTerraform("echo '{}'");
    expect(() => deployedUrl(root, env)).toThrow(
      /^No URL found: the stack lambda-streaming has no function_url output in s3:\/\/my-tf-state\/lambda-streaming\/terraform.tfstate/,
    );
  });
});
