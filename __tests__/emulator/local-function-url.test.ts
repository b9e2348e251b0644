// End to end over HTTP: the local Function URL running handlers inside AWS's real runtime
// interface client on Node.js 22. Needs the optional dependencies aws-lambda-ric and node@22.

import { execFile } from "node:child_process";
import * as net from "node:net";
import { promisify } from "node:util";
import { type LocalFunctionUrl, startLocalFunctionUrl } from "../../emulator/cli/local-function-url";
import type { FunctionConfig } from "../../emulator/common/function-config";
import { locateRuntime } from "../../emulator/environment/runtime-command";
import { bundleHandler } from "../../lib/bundling";
import { HANDLER_ENTRY } from "../../lib/lambda-streaming-stack";
import { signRequest } from "../../tools/invoke/sign-request";
import { within } from "../helpers/deadline";
import { fixtureFunction } from "../helpers/function-config";
import { send } from "../helpers/http-client";
import { LogCollector } from "../helpers/log-collector";
import { describeWhenAvailable, missingReason, requireCurlWithSigV4, testWhenAvailable } from "../helpers/requirements";

/** Why curl (7.75 or later, for --aws-sigv4) is missing here, if it is. */
const NEEDS_CURL = missingReason(requireCurlWithSigV4);

const CREDENTIALS = { accessKeyId: "AKIDLOCALTEST", secretAccessKey: "local-test-secret" };
const CARS = Buffer.from(new Array(1024 * 1024).join("🚗"), "utf8");

function fixture(handler: string, overrides: Partial<FunctionConfig> = {}): FunctionConfig {
  return fixtureFunction({ functionName: "fixture", handler: `handlers.${handler}`, timeoutSeconds: 10, ...overrides });
}

/** The installed curl's major and minor version (its AWS signing changed between releases). */
async function curlVersion(): Promise<[number, number]> {
  const { stdout } = await promisify(execFile)("curl", ["--version"], { encoding: "utf8" });
  const match = /^curl (\d+)\.(\d+)\./.exec(stdout);
  if (!match) throw new Error(`curl --version printed no version this test can read: ${stdout.split("\n")[0]}`);
  return [Number(match[1]), Number(match[2])];
}

/**
 * `curl -sS <args> --aws-sigv4 … <url>` with the test credentials, as the README's curl line signs:
 * the body and the status curl reports.
 */
async function signedCurl(url: string, args: readonly string[] = []): Promise<{ body: string; status: string }> {
  const { stdout } = await promisify(execFile)(
    "curl",
    [
      "-sS",
      "-w",
      "\n%{http_code}",
      ...args,
      "--aws-sigv4",
      "aws:amz:us-east-1:lambda",
      "--user",
      `${CREDENTIALS.accessKeyId}:${CREDENTIALS.secretAccessKey}`,
      url,
    ],
    { encoding: "utf8" },
  );
  const end = stdout.lastIndexOf("\n");
  return { body: stdout.slice(0, end), status: stdout.slice(end + 1) };
}

/** Signs a GET to `url` with the test credentials, as an AWS SDK client would. */
async function signedHeaders(url: string, overrides: { region?: string; service?: string } = {}): Promise<Record<string, string>> {
  return signRequest(new URL(url), CREDENTIALS, {
    region: overrides.region ?? "us-east-1",
    ...(overrides.service ? { service: overrides.service } : {}),
  });
}

describeWhenAvailable("local Function URL", missingReason(locateRuntime), () => {
  let local: LocalFunctionUrl | undefined;
  let logs: string[];
  let log: LogCollector;
  const start = async (fn: FunctionConfig, extra: { maxEnvironments?: number; finishingGraceMs?: number } = {}): Promise<string> => {
    log = new LogCollector();
    logs = log.lines;
    local = await startLocalFunctionUrl({ fn, port: 0, log: log.sink, credentials: CREDENTIALS, ...extra });
    return local.url;
  };
  afterEach(async () => {
    await local?.close();
    local = undefined;
  });
  /** The request ids the function was invoked for, in order. */
  const startedIds = (): string[] => logs.filter((line) => line.startsWith("START RequestId: ")).map((line) => line.split(" ")[2]);

  describe("the 🚗 stack function", () => {
    const carsFunction = (): FunctionConfig =>
      fixture("x", { bundleDir: bundleHandler(HANDLER_ENTRY), handler: "index.handler", authType: "AWS_IAM" });

    test("streams the default body byte for byte to a signed request", async () => {
      const url = await start(carsFunction());
      const res = await send(url, { headers: await signedHeaders(url) });
      expect(res.status).toBe(200);
      expect(res.headers["content-type"]).toBe("text/plain; charset=utf-8");
      expect(res.headers["transfer-encoding"]).toBe("chunked");
      expect(res.body.length).toBe(4_194_300);
      expect(res.body.equals(CARS)).toBe(true);
      expect(res.headers["x-amzn-requestid"]).toMatch(/^[0-9a-f-]{36}$/);
      await log.waitFor(new RegExp(`^END RequestId: ${res.headers["x-amzn-requestid"]}$`));
    });

    test("delivers paced cars one by one, the first long before the last", async () => {
      const url = await start(carsFunction());
      const target = `${url}?chunk=1&count=10&delay=100`;
      const res = await send(target, { headers: await signedHeaders(target) });
      expect(res.body.toString()).toBe("🚗".repeat(10));
      // Ten cars written 100 ms apart: the first read holds only some, and the rest take their time.
      expect(res).toArriveProgressively(10, 100);
    });

    test("answers 403 in AWS's shape to an unsigned request, and to a wrong region or service", async () => {
      const url = await start(carsFunction());
      for (const headers of [{}, await signedHeaders(url, { region: "eu-west-1" }), await signedHeaders(url, { service: "s3" })]) {
        const res = await send(url, { headers });
        expect(res.status).toBe(403);
        expect(res.headers["x-amzn-errortype"]).toBe("AccessDeniedException");
        expect(JSON.parse(res.body.toString())).toEqual({
          Message:
            "Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html",
        });
      }
      // Checked after a signed request has run to its END: a refused one would have started before it.
      const allowed = await send(url, { headers: await signedHeaders(url) });
      await log.waitFor(new RegExp(`^END RequestId: ${allowed.headers["x-amzn-requestid"]}$`));
      expect(startedIds()).toEqual([allowed.headers["x-amzn-requestid"]]);
    });

    testWhenAvailable("accepts curl --aws-sigv4", NEEDS_CURL, async () => {
      const url = await start(carsFunction());
      expect(await signedCurl(`${url}?count=3`, ["-N"])).toEqual({ body: "🚗🚗🚗", status: "200" });
    });

    testWhenAvailable(
      "curl 7.x signs an unsorted query as typed: 403 in AWS's shape, and the log says to sort it (curl 8 sorts: 200)",
      NEEDS_CURL,
      async () => {
        const url = await start(carsFunction());
        const [curlMajor] = await curlVersion();
        const { body, status } = await signedCurl(`${url}?count=3&chunk=1`);
        if (curlMajor >= 8) {
          expect([body, status]).toEqual(["🚗🚗🚗", "200"]);
          return;
        }
        expect(status).toBe("403");
        expect(JSON.parse(body)).toEqual({
          Message:
            "Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html",
        });
        await log.waitFor(
          /^403 for RequestId: [0-9a-f-]{36}: the query was signed in the order typed \(curl 7\.x does this\), not sorted as SigV4 wants: list the parameters alphabetically, or use npm run invoke -- --local$/,
        );
      },
    );

    testWhenAvailable(
      "curl before 8.13 signs a repeated header once per line: 403 as on AWS, and the log says why (curl 8.13 joins them: 200)",
      NEEDS_CURL,
      async () => {
        const url = await start(carsFunction());
        const [major, minor] = await curlVersion();
        const { body, status } = await signedCurl(`${url}?count=3`, ["-H", "x-tag: a", "-H", "x-tag: b"]);
        if (major > 8 || (major === 8 && minor >= 13)) {
          expect([body, status]).toEqual(["🚗🚗🚗", "200"]);
          return;
        }
        expect(status).toBe("403");
        await log.waitFor(/^403 for RequestId: [0-9a-f-]{36}: SignedHeaders names x-tag more than once: .*\(curl before 8\.13 does this\)/);
      },
    );

    test("answers bad query parameters with the handler's 400", async () => {
      const url = await start(carsFunction());
      const target = `${url}?count=-5`;
      const res = await send(target, { headers: await signedHeaders(target) });
      expect(res.status).toBe(400);
      expect(res.headers["content-type"]).toBe("application/json");
      expect(JSON.parse(res.body.toString()).error).toMatch(/^count must be an integer from 0 to 52428800 .*\(got "-5"\)$/);
    });

    test("serves at least 4 streams at once, each complete", async () => {
      const url = await start(carsFunction(), { maxEnvironments: 4 });
      const headers = await signedHeaders(url);
      const results = await Promise.all([1, 2, 3, 4].map(() => send(url, { headers })));
      for (const res of results) {
        expect(res.status).toBe(200);
        expect(res.body.equals(CARS)).toBe(true);
      }
      expect(local?.pool.stats().environments).toBe(4);
    });
  });

  describe("streaming", () => {
    test("forwards chunks before the handler resolves, with the prelude's status, headers and cookies", async () => {
      const url = await start(fixture("paced"));
      const res = await send(`${url}?count=5&ms=150`);
      expect(res.status).toBe(201);
      expect(res.headers["x-fixture"]).toBe("paced");
      expect(res.headers["set-cookie"]).toEqual(["a=1; Path=/", "b=2"]);
      expect(res.body.toString()).toBe("chunk-0\nchunk-1\nchunk-2\nchunk-3\nchunk-4\n");
      expect(res).toArriveProgressively(5, 150);
    });

    test("passes a stream without a prelude through with the runtime's content type", async () => {
      const url = await start(fixture("echo"));
      const res = await send(`${url}?a=1`);
      expect(res.status).toBe(200);
      expect(res.headers["content-type"]).toBe("application/json");
      expect(JSON.parse(res.body.toString())).toMatchObject({ version: "2.0", rawQueryString: "a=1" });
    });

    test("answers 502 for an error before the first byte, logs it, and serves the next request", async () => {
      const url = await start(fixture("failsBeforeFirstByte"));
      const res = await send(url);
      expect(res.status).toBe(502);
      expect(res.body.toString()).toBe("Internal Server Error");
      expect(logs.some((line) => line.includes("TypeError") && line.includes("broken before the first byte"))).toBe(true);
      expect((await send(url)).status).toBe(502);
      await log.waitFor(/^END RequestId/, 2);
    });

    test("cuts the stream short after an error once bytes went out, and logs the error", async () => {
      const url = await start(fixture("failsAfterBytes"));
      const res = await send(url);
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe("partial ");
      expect(res.truncated).toBe(true);
      expect(logs.some((line) => /ended early: RangeError: broken after some bytes/.test(line))).toBe(true);
    });

    test("stops a handler at the timeout, ends the stream, and starts a fresh environment", async () => {
      const url = await start(fixture("neverEnds", { timeoutSeconds: 1 }));
      const res = await send(url);
      expect(res.body.toString()).toBe("started ");
      expect(res.truncated).toBe(true);
      expect(logs.some((line) => line.endsWith("Task timed out after 1.00 seconds"))).toBe(true);
      await log.waitFor(/^REPORT.*Status: timeout/);
      const again = await send(url);
      expect(again.body.toString()).toBe("started ");
      // The second request ran in a fresh environment (a second cold start), and timed out too.
      await log.waitFor(/^REPORT.*Init Duration: .*Status: timeout/, 2);
    });

    test("logs START, END and REPORT like Lambda, with Init Duration on the cold start only", async () => {
      const url = await start(fixture("paced"));
      await send(`${url}?count=1`);
      await log.waitFor(/^REPORT RequestId: /);
      await send(`${url}?count=1`);
      const reports = await log.waitFor(/^REPORT RequestId: /, 2);
      expect(reports[0]).toMatch(
        /\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms\t$/,
      );
      expect(reports[1]).not.toContain("Init Duration");
      expect(local?.pool.stats().environments).toBe(1);
    });
  });

  describe("whatever status and headers the function sends, the answer is final and framed", () => {
    // A keep-alive request: an unframed answer would end only when the server closes the connection.
    const keepAlive = { connection: "keep-alive" };
    const modes: Array<[string, Partial<FunctionConfig>]> = [
      ["streamed", { handler: "answers.prelude" }],
      ["BUFFERED", { handler: "answers.result", invokeMode: "BUFFERED" }],
    ];

    test.each(modes)("%s: hop-by-hop headers from the function are dropped and logged", async (mode, overrides) => {
      const url = await start(fixture("x", overrides));
      const headers = { "transfer-encoding": "gzip", connection: "keep-alive, x-private", "x-private": "1", upgrade: "h2c" };
      const res = await within(3000, send(`${url}?headers=${encodeURIComponent(JSON.stringify(headers))}`, { headers: keepAlive }));
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe("hello");
      expect(res.headers).not.toHaveProperty("x-private");
      expect(res.headers).not.toHaveProperty("upgrade");
      expect(res.headers["transfer-encoding"]).toBe(mode === "streamed" ? "chunked" : undefined);
      await log.waitFor(
        /^RequestId: [0-9a-f-]{36}: dropped the function's hop-by-hop headers transfer-encoding, connection, x-private, upgrade \(/,
      );
    });

    test.each(modes)("%s: a 1xx status is a 502 whose log names it, not an interim response", async (_mode, overrides) => {
      const url = await start(fixture("x", overrides));
      const res = await within(3000, send(`${url}?status=100`, { headers: keepAlive }));
      expect(res.status).toBe(502);
      await log.waitFor(/^502 for RequestId: [0-9a-f-]{36}: the (prelude|result)'s statusCode 100 is informational \(1xx\)/);
    });
  });

  describe("BUFFERED mode", () => {
    test.each([
      ["structured", 418, "I'm a teapot", "application/json"],
      ["string", 200, "hello", "application/json"],
      ["object", 200, '{"hello":"world"}', "application/json"],
    ])("maps a %s result as Function URLs do", async (kind, status, body, contentType) => {
      const url = await start(fixture("buffered", { invokeMode: "BUFFERED" }));
      const res = await send(`${url}?kind=${kind}`);
      expect(res.status).toBe(status);
      expect(res.body.toString()).toBe(body);
      expect(res.headers["content-type"]).toBe(contentType);
      expect(res.headers["content-length"]).toBe(String(Buffer.byteLength(body)));
    });

    test("answers 502 for a thrown error and for a result over 6 MB", async () => {
      const url = await start(fixture("buffered", { invokeMode: "BUFFERED" }));
      expect((await send(`${url}?kind=throws`)).status).toBe(502);
      expect((await send(`${url}?kind=large`)).status).toBe(502);
      expect((await send(`${url}?kind=structured`)).status).toBe(418);
    });

    test("collects a streaming handler's output and answers in one piece", async () => {
      const url = await start(fixture("paced", { invokeMode: "BUFFERED" }));
      const res = await send(`${url}?count=3&ms=10`);
      expect(res.status).toBe(201);
      expect(res.headers["content-length"]).toBe("24");
      expect(res.body.toString()).toBe("chunk-0\nchunk-1\nchunk-2\n");
    });
  });

  describe("limits and concurrency", () => {
    test("answers 413 to a body over 6 MB, and keeps serving", async () => {
      const url = await start(fixture("echo"));
      const res = await send(url, {
        method: "POST",
        body: Buffer.alloc(6 * 1024 * 1024 + 1, 97),
        headers: { "content-type": "text/plain" },
      });
      expect(res.status).toBe(413);
      expect(res.headers["x-amzn-errortype"]).toBe("RequestTooLargeException");
      expect((await send(url)).status).toBe(200);
      expect(logs.filter((line) => line.startsWith("START"))).toHaveLength(1);
    });

    test("answers malformed HTTP with 400, and keeps serving", async () => {
      const url = await start(fixture("echo"));
      const { port } = new URL(url);
      const reply = await new Promise<string>((resolve) => {
        const socket = net.connect(Number(port), "127.0.0.1", () => socket.write("GARBAGE / NOT-HTTP\r\n\r\n"));
        let text = "";
        socket.on("data", (d) => (text += d.toString()));
        socket.on("close", () => resolve(text));
      });
      expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request/);
      expect((await send(url)).status).toBe(200);
    });

    test("throttles with 429 above the reserved concurrency", async () => {
      // A grace period no loaded machine outlasts: the last request must wait, whenever it comes.
      const url = await start(fixture("paced", { reservedConcurrency: 1 }), { finishingGraceMs: 60_000 });
      const first = send(`${url}?count=3&ms=100`);
      await log.waitFor(/^START RequestId/);
      const second = await send(`${url}?count=1`);
      expect(second.status).toBe(429);
      expect(JSON.parse(second.body.toString())).toEqual({ Message: "Rate Exceeded." });
      expect(second.headers["x-amzn-errortype"]).toBe("TooManyRequestsException");
      expect((await first).status).toBe(201);
      // Right after an answer, the concurrency is still held until the runtime asks for the next
      // event: a request arriving then waits for it rather than being throttled.
      expect((await send(`${url}?count=1`)).status).toBe(201);
    });

    test("queues requests beyond the environment cap, one invocation per environment", async () => {
      const url = await start(fixture("paced"), { maxEnvironments: 1 });
      const results = await Promise.all([1, 2, 3].map(() => send(`${url}?count=2&ms=50`)));
      expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
      expect(local?.pool.stats().environments).toBe(1);
      await log.waitFor(/^END RequestId/, 3);
      // One environment: the invocations ran one after another, never overlapping.
      const events = logs.filter((line) => /^(START|END) RequestId/.test(line)).map((line) => line.split(" ")[0]);
      expect(events).toEqual(["START", "END", "START", "END", "START", "END"]);
    });

    test("answers a CORS preflight itself, and adds CORS headers for an allowed origin", async () => {
      const cors = {
        allowOrigins: ["https://app.example"],
        allowMethods: ["GET"],
        allowHeaders: ["x-custom"],
        exposeHeaders: [],
        allowCredentials: false,
        maxAge: 600,
      };
      const url = await start(fixture("echo", { cors }));
      const preflight = await send(url, {
        method: "OPTIONS",
        headers: { origin: "https://app.example", "access-control-request-method": "GET" },
      });
      expect(preflight.status).toBe(200);
      expect(preflight.headers).toMatchObject({
        "access-control-allow-origin": "https://app.example",
        "access-control-allow-methods": "GET",
        "access-control-allow-headers": "x-custom",
        "access-control-max-age": "600",
      });
      const actual = await send(url, { headers: { origin: "https://app.example" } });
      expect(actual.headers["access-control-allow-origin"]).toBe("https://app.example");
      const other = await send(url, { headers: { origin: "https://evil.example" } });
      expect(other.headers).not.toHaveProperty("access-control-allow-origin");
      // The preflight invoked nothing: only the two requests after it started, checked once both ended.
      await log.waitFor(new RegExp(`^END RequestId: ${other.headers["x-amzn-requestid"]}$`));
      expect(startedIds()).toEqual([actual.headers["x-amzn-requestid"], other.headers["x-amzn-requestid"]]);
    });
  });
});
