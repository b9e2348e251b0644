import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { UsageError } from "../../../emulator/errors";
import { verifySigV4 } from "../../../emulator/sigv4-verifier";
import { explainStatus, formatSummary } from "../../../tools/invoke/cli";
import { deployedUrl, localUrl, regionOfUrl } from "../../../tools/invoke/function-url-target";
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
    expect(explainStatus(403, true)).toMatch(/lambda:InvokeFunctionUrl/);
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

  /** A stand-in `terraform` that prints `outputs` for `output -json`. */
  function fakeTerraform(outputs: unknown): NodeJS.ProcessEnv {
    const bin = path.join(root, "bin");
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, "terraform"), `#!/bin/sh\necho '${JSON.stringify(outputs)}'\n`, { mode: 0o755 });
    fs.mkdirSync(path.join(root, "cdktf.out", "stacks", "lambda-streaming"), { recursive: true });
    fs.writeFileSync(path.join(root, "cdktf.out", "stacks", "lambda-streaming", "cdk.tf.json"), "{}");
    return { PATH: `${bin}:${process.env.PATH}` };
  }

  test("reads function_url and auth_type from terraform output", () => {
    const env = fakeTerraform({ function_url: { value: "https://abc.lambda-url.eu-west-1.on.aws/" }, auth_type: { value: "AWS_IAM" } });
    expect(deployedUrl(root, env)).toEqual({ url: "https://abc.lambda-url.eu-west-1.on.aws/", authType: "AWS_IAM" });
  });

  test("says when there is no URL: not synthesized, or not deployed", () => {
    expect(() => deployedUrl(root, {})).toThrow(/^No URL found: cdktf.out\/stacks\/lambda-streaming is not synthesized/);
    const env = fakeTerraform({});
    expect(() => deployedUrl(root, env)).toThrow(/^No URL found: the stack lambda-streaming has no function_url output/);
  });
});
