// `npm run invoke -- --api`: InvokeWithResponseStream through the AWS SDK, against the local Lambda
// API that startLocalFunctionUrl serves (for --local, and for the deployed path through the
// tests-only endpoint), never the network. The body streams to stdout as it arrives, a prelude
// prints to stderr apart from it, and every failure is one line that says what to do.

import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { Writable } from "node:stream";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { type LocalFunctionUrl, startLocalFunctionUrl } from "../../../emulator/cli/local-function-url";
import type { FunctionConfig } from "../../../emulator/common/function-config";
import { locateRuntime } from "../../../emulator/environment/runtime-command";
import { bundleHandler } from "../../../lib/bundling";
import { HANDLER_ENTRY } from "../../../lib/lambda-streaming-stack";
import { type LocalUrlRecord, writeLocalUrlRecord } from "../../../support/local-url-record";
import { UsageError } from "../../../support/usage-error";
import { explainApiFailure } from "../../../tools/invoke/api-failure";
import { runInvoke } from "../../../tools/invoke/cli";
import { describePrelude, type PreludeResult, PreludeSplitter } from "../../../tools/invoke/http-prelude";
import { apiPayload, parseInvokeOptions } from "../../../tools/invoke/invoke-options";
import { deployedFunction, localApiTarget, localApiUrl } from "../../../tools/invoke/lambda-api-target";
import { fixtureFunction } from "../../helpers/function-config";
import { LogCollector } from "../../helpers/log-collector";
import { closedPort, listenOnLoopback } from "../../helpers/loopback-server";
import { describeWhenAvailable, missingReason } from "../../helpers/requirements";

const SERVER_PAIR = { accessKeyId: "AKIDSERVER", secretAccessKey: "server-secret" };
const CAR = "🚗";

/** What runInvoke wrote, in order: body writes (stdout) and lines (stderr), each with its time. */
class Terminal {
  readonly events: { stream: "out" | "err"; at: number; text: string }[] = [];
  /** Called after each body write: a test can act once the body has begun. */
  onOut: () => void = () => {};
  readonly stdout = this.sink("out");
  readonly stderr = this.sink("err");
  out = (): string => this.text("out");
  err = (): string => this.text("err");

  private text(stream: "out" | "err"): string {
    return this.events
      .filter((e) => e.stream === stream)
      .map((e) => e.text)
      .join("");
  }

  private sink(stream: "out" | "err"): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        this.events.push({ stream, at: performance.now(), text: chunk.toString() });
        if (stream === "out") this.onOut();
        done();
      },
    });
  }
}

/** A fresh project root (for .local-url.json and the state file) and an io for runInvoke. */
function io(root: string, extra: { env?: NodeJS.ProcessEnv; credentials?: typeof SERVER_PAIR; endpointForTests?: string } = {}) {
  const terminal = new Terminal();
  return {
    terminal,
    io: {
      env: extra.env ?? {},
      projectRoot: root,
      stdout: terminal.stdout,
      stderr: terminal.stderr,
      findCredentials: async () => extra.credentials,
      ...(extra.endpointForTests ? { endpointForTests: extra.endpointForTests } : {}),
    },
  };
}

/** The stack's outputs in a local state file, as `npm run deploy` leaves them. */
function writeOutputs(root: string, outputs: Record<string, string>): void {
  const state = { version: 4, outputs: Object.fromEntries(Object.entries(outputs).map(([k, value]) => [k, { value, type: "string" }])) };
  fs.writeFileSync(path.join(root, "terraform.lambda-streaming.tfstate"), JSON.stringify(state));
}

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "ls-invoke-api-"));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe("--api's flags and payload", () => {
  test("reads --api, --function-name and --payload", () => {
    expect(parseInvokeOptions(["--api", "--local", "--function-name", "cars", "--payload", '{"a":1}'])).toEqual({
      local: true,
      quiet: false,
      api: true,
      functionName: "cars",
      payload: '{"a":1}',
      help: false,
    });
    expect(
      parseInvokeOptions(["--api", "--function-name", "arn:aws:lambda:eu-west-1:123456789012:function:cars:$LATEST"]).functionName,
    ).toBe("arn:aws:lambda:eu-west-1:123456789012:function:cars:$LATEST");
  });

  test.each([
    [["--api", "--url", "http://x/"], /^--url and --api cannot be used together/],
    [["--payload", "{}"], /^--payload is for --api \(a call through the Lambda API\); a URL's request is made from --path$/],
    [["--function-name", "cars"], /^--function-name is for --api/],
    [["--api", "--payload", "{nope"], /^--payload must be JSON, such as '\{"rawQueryString":"count=3"\}' \(got "\{nope": /],
    [["--api", "--payload", "{}", "--path", "/?count=1"], /^--path and --payload cannot be used together/],
    [["--api", "--function-name", "no spaces"], /^--function-name must be a function's name .*\(got "no spaces"\)$/],
    [["--api", "--functionname", "x"], /^Unknown option '--functionname'.*Allowed flags: .*--function-name, --payload$/],
  ])("rejects %j", (argv, message) => {
    expect(() => parseInvokeOptions(argv)).toThrow(UsageError);
    expect(() => parseInvokeOptions(argv)).toThrow(message);
  });

  test("--path becomes a Function URL event's path and query, as the 🚗 handler reads them; --payload goes as is", () => {
    expect(JSON.parse(apiPayload({ path: "/cars?count=3&chunk=1&count=4" }))).toEqual({
      version: "2.0",
      rawPath: "/cars",
      rawQueryString: "count=3&chunk=1&count=4",
      queryStringParameters: { count: "3,4", chunk: "1" },
    });
    expect(JSON.parse(apiPayload({}))).toEqual({ version: "2.0", rawPath: "/", rawQueryString: "" });
    expect(apiPayload({ payload: '{"any": ["json"]}' })).toBe('{"any": ["json"]}');
  });
});

describe("the prelude, split off the stream", () => {
  const PRELUDE = '{"statusCode":201,"headers":{"content-type":"text/plain","x-a":"b"},"cookies":["c=1; Path=/"]}';
  const split = (chunks: Buffer[]): { results: PreludeResult[]; body: string } => {
    const results: PreludeResult[] = [];
    const splitter = new PreludeSplitter((result) => results.push(result));
    const body = Buffer.concat([...chunks.map((c) => splitter.push(c)), splitter.end()]);
    return { results, body: body.toString("latin1") };
  };

  test("byte by byte, the delimiter split across chunks: the prelude once, the body whole, NULs in it kept", () => {
    const stream = Buffer.concat([Buffer.from(PRELUDE), Buffer.alloc(8), Buffer.from("a\0\0b")]);
    const { results, body } = split([...stream].map((byte) => Buffer.from([byte])));
    expect(results).toEqual([
      {
        kind: "prelude",
        prelude: { statusCode: 201, headers: { "content-type": "text/plain", "x-a": "b" }, cookies: ["c=1; Path=/"] },
      },
    ]);
    expect(body).toBe("a\0\0b");
    expect(describePrelude(results[0])).toBe("Prelude: status 201 · content-type: text/plain · x-a: b · set-cookie: c=1; Path=/");
  });

  test("no delimiter within 16 KiB, a stream that ends first, a prelude that is not JSON: said once, the bytes passed on", () => {
    const long = split([Buffer.alloc(16 * 1024 + 8, "x")]);
    expect(long.results).toEqual([{ kind: "invalid", reason: "no prelude delimiter within the first 16384 bytes" }]);
    expect(long.body.length).toBe(16 * 1024 + 8);
    const short = split([Buffer.from('{"statusCode":2')]);
    expect(short.results).toEqual([{ kind: "invalid", reason: "the stream ended before the prelude delimiter" }]);
    expect(short.body).toBe('{"statusCode":2');
    const notJson = split([Buffer.concat([Buffer.from("[1]"), Buffer.alloc(8), Buffer.from("body")])]);
    expect(notJson.results).toEqual([{ kind: "invalid", reason: "the prelude is not a JSON object" }]);
    expect(notJson.body).toBe("body");
    expect(describePrelude(short.results[0])).toBe(
      "Prelude: none that parses (the stream ended before the prelude delimiter); its bytes are printed as the body.",
    );
    expect(split([])).toEqual({ results: [], body: "" });
  });
});

describe("where --api calls", () => {
  test("the deployed function: outputs function_name and region; --function-name wins", () => {
    writeOutputs(root, { function_name: "cars", region: "eu-west-1", function_url: "https://x.lambda-url.eu-west-1.on.aws/" });
    expect(deployedFunction(root, {})).toEqual({ functionName: "cars", region: "eu-west-1" });
    expect(deployedFunction(root, {}, "other")).toEqual({ functionName: "other", region: "eu-west-1" });
  });

  test("no deployed stack: says so, and what to do instead", async () => {
    const { io: withNothing } = io(root, { credentials: SERVER_PAIR });
    await expect(runInvoke(["--api"], withNothing)).rejects.toThrow(
      "No function found: the stack lambda-streaming has no function_name output in terraform.lambda-streaming.tfstate (is it deployed? `npm run deploy`). Use --local to call the one npm start serves.",
    );
  });

  test("the deployed function and no credentials: one line, before any call", async () => {
    writeOutputs(root, { function_name: "cars", region: "eu-west-1" });
    const { io: bare } = io(root);
    await expect(runInvoke(["--api"], bare)).rejects.toThrow(
      /^No AWS credentials for the Lambda API: the credential chain \(environment, shared config and profiles, SSO\) found none\. Set AWS_PROFILE/,
    );
  });

  test("local: the recorded endpoint, function and pair; else port $PORT + 1, the stack's name and Region as configured", () => {
    expect(localApiUrl({ PORT: "4000" })).toBe("http://127.0.0.1:4001");
    expect(localApiUrl({})).toBe("http://127.0.0.1:3001");
    expect(localApiTarget(root, { FUNCTION_NAME: "mine", AWS_REGION: "eu-central-1" })).toMatchObject({
      functionName: "mine",
      region: "eu-central-1",
      endpoint: "http://127.0.0.1:3001",
    });
    const record: LocalUrlRecord = {
      url: "http://127.0.0.1:4000/",
      authType: "AWS_IAM",
      region: "eu-west-1",
      pid: process.pid,
      apiUrl: "http://127.0.0.1:4100",
      functionName: "cars",
      localCredentials: SERVER_PAIR,
    };
    writeLocalUrlRecord(root, record);
    expect(localApiTarget(root, {})).toMatchObject({
      functionName: "cars",
      region: "eu-west-1",
      endpoint: "http://127.0.0.1:4100",
      local: { recorded: record, credentials: SERVER_PAIR },
    });
  });

  test("local: an npm start that serves no Lambda API (--api-port 0) is named, with what to do", async () => {
    writeLocalUrlRecord(root, { url: "http://127.0.0.1:4000/", authType: "NONE", region: "us-east-1", pid: process.pid });
    const { io: withRecord } = io(root);
    await expect(runInvoke(["--api", "--local"], withRecord)).rejects.toThrow(
      `The npm start that .local-url.json records (pid ${process.pid}, http://127.0.0.1:4000/) serves no Lambda API: it was started with --api-port 0 (or is older than the API). Restart it without --api-port 0, or call its Function URL: npm run invoke -- --local.`,
    );
  });

  test("local, nothing running: says to start npm start, whether a record named the server or not", async () => {
    const port = await closedPort();
    const { io: none } = io(root, { env: { PORT: String(port - 1) }, credentials: SERVER_PAIR });
    await expect(runInvoke(["--api", "--local"], none)).rejects.toThrow(
      `No local Lambda API is running: none is recorded in .local-url.json, and nothing answers at http://127.0.0.1:${port} (ECONNREFUSED). Start one with \`npm start\` (in another terminal).`,
    );
    writeLocalUrlRecord(root, {
      url: "http://127.0.0.1:1/",
      authType: "AWS_IAM",
      region: "us-east-1",
      pid: process.pid,
      apiUrl: `http://127.0.0.1:${port}`,
      localCredentials: SERVER_PAIR,
    });
    const { io: recorded } = io(root);
    await expect(runInvoke(["--api", "--local"], recorded)).rejects.toThrow(
      `The local Lambda API that npm start (pid ${process.pid}) recorded in .local-url.json, http://127.0.0.1:${port}, does not answer (ECONNREFUSED). Start one with \`npm start\` (in another terminal).`,
    );
  });

  test("local, a pair needed and none found: says to export npm start's, when a server answers there", async () => {
    const server = net.createServer((socket) => socket.destroy());
    const api = await listenOnLoopback(server);
    try {
      const { io: bare } = io(root, { env: { PORT: String(Number(new URL(api).port) - 1) } });
      await expect(runInvoke(["--api", "--local"], bare)).rejects.toThrow(
        new RegExp(
          `^No AWS credentials for the local Lambda API \\(${api.replace(/[.]/g, "\\.")}\\): it checks signatures against the pair npm start named`,
        ),
      );
    } finally {
      server.close();
    }
  });

  test("local, no pair and no server: says no local Lambda API is running, not that credentials are missing", async () => {
    const port = await closedPort();
    const { io: bare } = io(root, { env: { PORT: String(port - 1) } });
    await expect(runInvoke(["--api", "--local"], bare)).rejects.toThrow(
      `No local Lambda API is running: none is recorded in .local-url.json, and nothing answers at http://127.0.0.1:${port} (ECONNREFUSED). Start one with \`npm start\` (in another terminal).`,
    );
  });

  test.each([
    [
      "AccessDeniedException",
      403,
      /^AWS denied the call \(AccessDeniedException \(403\): User: x is not authorized\)\. Attach the stack's invoker_policy_arn/,
    ],
    ["ExpiredTokenException", 403, /^The credentials have expired \(ExpiredTokenException \(403\): .*\): sign in again/],
    ["RequestTooLargeException", 413, /^The payload is over Lambda's 6 MB limit .*send a smaller --payload\.$/],
    ["ServiceException", 500, /^InvokeWithResponseStream failed for cars in eu-west-1: ServiceException \(500\): /],
  ])("deployed: %s is explained in one line", (name, status, line) => {
    const error = Object.assign(new Error(name === "AccessDeniedException" ? "User: x is not authorized" : "m"), {
      name,
      $metadata: { httpStatusCode: status },
    });
    expect(explainApiFailure(error, { functionName: "cars", region: "eu-west-1" })).toMatch(line);
  });

  test("deployed: a network error names the Region", () => {
    const error = Object.assign(new Error("getaddrinfo ENOTFOUND lambda.eu-west-1.amazonaws.com"), { code: "ENOTFOUND" });
    expect(explainApiFailure(error, { functionName: "cars", region: "eu-west-1" })).toBe(
      "Cannot reach the Lambda API in eu-west-1 (ENOTFOUND): check the network, and the stack's region output.",
    );
  });
});

describeWhenAvailable("npm run invoke -- --api against the local Lambda API", missingReason(locateRuntime), () => {
  const servers: LocalFunctionUrl[] = [];
  let log: LogCollector;
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  /** Serves `fn` (AWS_IAM, checked against SERVER_PAIR) with both doors on free ports. */
  async function serve(fn: FunctionConfig): Promise<LocalFunctionUrl> {
    log = new LogCollector();
    const local = await startLocalFunctionUrl({ fn, port: 0, log: log.sink, credentials: SERVER_PAIR });
    servers.push(local);
    return local;
  }

  /** Records `local` as npm start does, with the function's name and the pair when `withPair`. */
  function record(local: LocalFunctionUrl, fn: FunctionConfig, extra: Partial<LocalUrlRecord> = {}): void {
    writeLocalUrlRecord(root, {
      url: local.url,
      authType: fn.authType,
      region: fn.region,
      pid: process.pid,
      ...(local.apiUrl ? { apiUrl: local.apiUrl } : {}),
      functionName: fn.functionName,
      localCredentials: SERVER_PAIR,
      ...extra,
    });
  }

  const cars = (extra: Partial<FunctionConfig> = {}): FunctionConfig =>
    fixtureFunction({
      functionName: "cars",
      region: "eu-west-1",
      handler: "index.handler",
      bundleDir: bundleHandler(HANDLER_ENTRY),
      authType: "AWS_IAM",
      timeoutSeconds: 10,
      ...extra,
    });

  test("streams the 🚗 handler as it writes: the prelude on stderr first, each car on stdout as it comes, then the summary", async () => {
    const fn = cars();
    record(await serve(fn), fn);
    const { io: local, terminal } = io(root);
    expect(await runInvoke(["--api", "--local", "--path", "/?chunk=1&count=5&delay=150"], local)).toBe(0);
    expect(terminal.out()).toBe(CAR.repeat(5));
    const lines = terminal.err().split("\n");
    expect(lines[0]).toBe("Prelude: status 200 · content-type: text/plain; charset=utf-8");
    expect(lines.slice(1)).toEqual([
      "",
      expect.stringMatching(/^200 OK · first byte [\d.]+ ms · total [\d.]+ ms · 20 bytes · [\d.]+ (B|KiB|MiB)\/s$/),
      "",
    ]);
    // The prelude is out before the first car; the cars arrive over the handler's 4 × 150 ms.
    const writes = terminal.events.filter((e) => e.stream === "out");
    expect(terminal.events[0]).toMatchObject({ stream: "err", text: expect.stringMatching(/^Prelude: /) });
    expect(writes.length).toBeGreaterThanOrEqual(3);
    expect(writes[writes.length - 1].at - writes[0].at).toBeGreaterThan(400);
  });

  test("a handler's 400 prints its prelude and JSON error, and exits 1", async () => {
    const fn = cars();
    record(await serve(fn), fn);
    const { io: local, terminal } = io(root);
    expect(await runInvoke(["--api", "--local", "--path", "/?count=-1"], local)).toBe(1);
    // The function's status is the summary's, and the exit code says why.
    expect(terminal.err()).toMatch(
      /^Prelude: status 400 · content-type: application\/json\n\n400 Bad Request · .*\nThe function answered 400 Bad Request: exit 1, as for a Function URL's error status\.\n$/,
    );
    expect(JSON.parse(terminal.out())).toEqual({ error: expect.stringMatching(/^count must be an integer from 0 to /) });
  });

  test("--payload is sent as is; --quiet drops the body", async () => {
    const fn = cars();
    record(await serve(fn), fn);
    const { io: local, terminal } = io(root);
    expect(await runInvoke(["--api", "--local", "--quiet", "--payload", '{"rawQueryString":"count=7"}'], local)).toBe(0);
    expect(terminal.out()).toBe("");
    expect(terminal.err()).toMatch(/· 28 bytes · /);
  });

  test("an unknown function is one line that says to pass --function-name; with it, the call goes through", async () => {
    const fn = cars();
    record(await serve(fn), fn, { functionName: undefined });
    const { io: unnamed } = io(root);
    await expect(runInvoke(["--api", "--local", "--path", "/?count=1"], unnamed)).rejects.toThrow(
      /^The local Lambda API at http:\/\/127\.0\.0\.1:\d+ serves no function lambda-streaming \(ResourceNotFoundException \(404\): Function not found: lambda-streaming\. This local Lambda serves cars .*\)\. Pass --function-name with the name npm start's "Local Lambda API" line shows\.$/,
    );
    const { io: named, terminal } = io(root);
    expect(await runInvoke(["--api", "--local", "--function-name", "cars", "--path", "/?count=1"], named)).toBe(0);
    expect(terminal.out()).toBe(CAR);
  });

  test("a pair the server does not check against: one line pointing at its log, which says why", async () => {
    const fn = cars();
    record(await serve(fn), fn, { localCredentials: undefined });
    const { io: stranger } = io(root, { credentials: { accessKeyId: "AKIDOTHER", secretAccessKey: "x" } });
    await expect(runInvoke(["--api", "--local"], stranger)).rejects.toThrow(
      /^The local Lambda API refused the signature \(UnrecognizedClientException \(403\): .*\); its terminal logs why/,
    );
    await log.waitFor(/^Lambda API 403 UnrecognizedClientException .*AKIDOTHER/);
  });

  test("a function that throws mid-stream: the bytes before it, then the error on stderr, exit 1", async () => {
    const fn = fixtureFunction({ functionName: "faults", handler: "handlers.failsAfterBytes", authType: "AWS_IAM" });
    record(await serve(fn), fn);
    const { io: local, terminal } = io(root);
    expect(await runInvoke(["--api", "--local"], local)).toBe(1);
    expect(terminal.out()).toBe("partial ");
    expect(terminal.err()).toMatch(
      /^Prelude: status 200 · content-type: text\/plain\n\n200 OK · .* · 8 bytes · .*\nThe function failed: RangeError: broken after some bytes \(its stack is in the function's log\)\.\n$/,
    );
  });

  test("a handler without a prelude streams its bytes as they are, with no prelude line", async () => {
    const fn = fixtureFunction({ functionName: "echo", handler: "handlers.echo", authType: "AWS_IAM" });
    record(await serve(fn), fn);
    const { io: local, terminal } = io(root);
    expect(await runInvoke(["--api", "--local", "--payload", '{"hello":"api"}'], local)).toBe(0);
    expect(JSON.parse(terminal.out())).toEqual({ hello: "api" });
    expect(terminal.err()).toMatch(/^\n200 OK · /);
  });

  test("throttled (reserved concurrency in use): one line with what to do", async () => {
    const fn = cars({ reservedConcurrency: 1 });
    record(await serve(fn), fn);
    const slow = io(root);
    const first = runInvoke(["--api", "--local", "--path", "/?chunk=1&count=6&delay=200"], slow.io);
    await log.waitFor(/^START RequestId: /);
    const { io: second } = io(root);
    await expect(runInvoke(["--api", "--local"], second)).rejects.toThrow(
      /^Throttled \(TooManyRequestsException \(429\): .*\): every execution environment is busy and the queue is full, or the function's reserved concurrency is in use\. Try again/,
    );
    expect(await first).toBe(0);
    expect(slow.terminal.out()).toBe(CAR.repeat(6));
  });

  test("a slow reader: each write waits for the sink to drain, and every byte arrives in order", async () => {
    const fn = cars();
    record(await serve(fn), fn);
    const received: Buffer[] = [];
    let waits = 0;
    // One byte of buffer and an answer on the next turn: every write of a car fills it.
    const slow = new Writable({
      highWaterMark: 1,
      write: (chunk: Buffer, _encoding, done) => {
        received.push(chunk);
        setImmediate(done);
      },
    });
    slow.on("drain", () => {
      waits += 1;
    });
    const { io: local } = io(root);
    expect(await runInvoke(["--api", "--local", "--path", "/?chunk=1&count=40"], { ...local, stdout: slow })).toBe(0);
    expect(Buffer.concat(received).toString()).toBe(CAR.repeat(40));
    expect(waits).toBeGreaterThan(0);
  });

  describe("the deployed path, with the local server playing AWS (the tests-only endpoint)", () => {
    test("calls the stack's function_name in its region, signed with the chain's credentials", async () => {
      const local = await serve(cars());
      writeOutputs(root, { function_name: "cars", region: "eu-west-1" });
      const { io: deployed, terminal } = io(root, { credentials: SERVER_PAIR, endpointForTests: local.apiUrl });
      expect(await runInvoke(["--api", "--path", "/?count=3&chunk=1"], deployed)).toBe(0);
      expect(terminal.out()).toBe(CAR.repeat(3));
      expect(terminal.err()).toMatch(/^Prelude: status 200 · content-type: text\/plain; charset=utf-8\n\n200 OK · .* · 12 bytes · /);
    });

    test("a function the account does not have: ResourceNotFoundException, with what to do", async () => {
      const local = await serve(cars());
      writeOutputs(root, { function_name: "gone", region: "eu-west-1" });
      const { io: deployed } = io(root, { credentials: SERVER_PAIR, endpointForTests: local.apiUrl });
      await expect(runInvoke(["--api"], deployed)).rejects.toThrow(
        /^Lambda has no function gone in eu-west-1 in these credentials' account \(ResourceNotFoundException \(404\): Function not found: gone\. .*\)\. Deploy it with `npm run deploy`, or sign with the account it is deployed to \(AWS_PROFILE\)\.$/,
      );
    });

    test("a signature AWS refuses: one line on credentials and the clock", async () => {
      const local = await serve(cars());
      writeOutputs(root, { function_name: "cars", region: "eu-west-1" });
      const wrongSecret = { accessKeyId: SERVER_PAIR.accessKeyId, secretAccessKey: "not-it" };
      const { io: deployed } = io(root, { credentials: wrongSecret, endpointForTests: local.apiUrl });
      await expect(runInvoke(["--api"], deployed)).rejects.toThrow(
        /^AWS refused the signature \(InvalidSignatureException \(403\): .*\)\. Check that the credentials are current .* and this machine's clock\.$/,
      );
    });
  });
});

describe("a Lambda API whose connection breaks mid-stream (a stand-in server, frames by the SDK's own codec)", () => {
  let server: http.Server;
  beforeAll(async () => {
    const codec = new EventStreamCodec(
      (bytes) => Buffer.from(bytes).toString("utf8"),
      (text) => Buffer.from(text, "utf8"),
    );
    server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "text/plain", "x-amz-executed-version": "$LATEST" });
      res.write(
        codec.encode({
          headers: {
            ":event-type": { type: "string", value: "PayloadChunk" },
            ":content-type": { type: "string", value: "application/octet-stream" },
            ":message-type": { type: "string", value: "event" },
          },
          body: Buffer.from("half "),
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  test("what arrived is printed, the summary says cut short, and it exits 1", async () => {
    writeOutputs(root, { function_name: "cars", region: "eu-west-1" });
    const { port } = server.address() as AddressInfo;
    const { io: deployed, terminal } = io(root, { credentials: SERVER_PAIR, endpointForTests: `http://127.0.0.1:${port}` });
    // Once the first bytes are out, the connection goes, with no InvokeComplete.
    terminal.onOut = () => server.closeAllConnections();
    expect(await runInvoke(["--api"], deployed)).toBe(1);
    expect(terminal.out()).toBe("half ");
    expect(terminal.err()).toMatch(
      /^\n200 OK · first byte [\d.]+ ms · total [\d.]+ ms · 5 bytes · [\d.]+ (B|KiB|MiB)\/s · cut short\nThe stream was cut short before its InvokeComplete event: exit 1\.\n$/,
    );
  });
});
