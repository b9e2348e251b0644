// The HTTP answer to each kind of function response, and the front's edges (CORS, the 500 path,
// an upload cut off, the trace id), over real HTTP with a stand-in for the function.

import { once } from "node:events";
import type * as http from "node:http";
import { get as httpGet } from "node:http";
import * as net from "node:net";
import { PassThrough, Readable } from "node:stream";
import type { CorsConfig, FunctionConfig } from "../../../emulator/common/function-config";
import type { InvocationCompletion, Invoke, PoolResponse, RunningInvocation } from "../../../emulator/invocation/running-invocation";
import { createFunctionUrlServer } from "../../../emulator/url/server";
import { signRequest } from "../../../tools/invoke/sign-request";
import { within } from "../../helpers/deadline";
import { fixtureFunction } from "../../helpers/function-config";
import { send } from "../../helpers/http-client";
import { LogCollector } from "../../helpers/log-collector";
import { closeServer, listenOnLoopback } from "../../helpers/loopback-server";
import { answeredInvocation } from "../../helpers/stand-in-invocation";

const FN: FunctionConfig = fixtureFunction({ functionName: "stub", handler: "index.handler", bundleDir: __dirname });
const NUL8 = Buffer.alloc(8);
const PRELUDE_TYPE = "application/vnd.awslambda.http-integration-response";

/** A server whose function is `invoke`; resolves with its URL, its log, and close(). */
async function serve(fn: Partial<FunctionConfig>, invoke: Invoke): Promise<{ url: string; logs: string[]; close: () => Promise<void> }> {
  const logs: string[] = [];
  const server: http.Server = createFunctionUrlServer({ fn: { ...FN, ...fn }, log: (line) => logs.push(line), invoke });
  const base = await listenOnLoopback(server);
  return {
    url: `${base}/`,
    logs,
    close: () => closeServer(server),
  };
}

/** A function that answers `response`, completing with `completion`. */
function answering(response: PoolResponse, completion: InvocationCompletion = {}): Invoke {
  return (_event, { requestId }): RunningInvocation => answeredInvocation(requestId, response, completion);
}

const streamed = (contentType: string, ...parts: Array<string | Buffer>): PoolResponse => ({
  kind: "streaming",
  contentType,
  body: Readable.from(parts.map((part) => Buffer.from(part))),
});

describe("answering RESPONSE_STREAM", () => {
  test("a client that left before the first byte: the function's stream is read to its end and dropped, nothing sent", async () => {
    const body = new PassThrough();
    let finish!: () => void;
    const completion = new Promise<InvocationCompletion>((resolve) => (finish = () => resolve({})));
    const log = new LogCollector();
    let invoked!: () => void;
    const wasInvoked = new Promise<void>((resolve) => (invoked = resolve));
    const server = createFunctionUrlServer({
      fn: FN,
      log: log.sink,
      invoke: (_event, { requestId }) => {
        invoked();
        return {
          requestId,
          logTail: Promise.resolve(""),
          response: Promise.resolve({ kind: "streaming", contentType: "text/plain", body }),
          completion,
        };
      },
    });
    const base = await listenOnLoopback(server);
    try {
      // The client leaves while the answer waits for the function's first byte…
      const req = httpGet(`${base}/`);
      req.on("error", () => undefined);
      await wasInvoked;
      req.destroy();
      await log.waitFor(/\(cut short\)$/);
      // …then the function writes and ends: its stream is drained, so its environment is free.
      body.end(Buffer.alloc(1024 * 1024, 120));
      finish();
      await within(5_000, once(body, "end"), "drain of the function's stream");
      expect(body.readableEnded).toBe(true);
    } finally {
      await closeServer(server);
    }
  });

  test("renames a content-length from the prelude, as AWS does, since the stream is chunked", async () => {
    const prelude = JSON.stringify({ statusCode: 200, headers: { "content-length": "5", "x-a": "b" } });
    const local = await serve({}, answering(streamed(PRELUDE_TYPE, prelude, NUL8, "hello")));
    try {
      const res = await send(local.url);
      expect(res.headers["x-amzn-remapped-content-length"]).toBe("5");
      expect(res.headers["content-length"]).toBeUndefined();
      expect(res.headers["transfer-encoding"]).toBe("chunked");
      expect(res.body.toString()).toBe("hello");
    } finally {
      await local.close();
    }
  });

  test.each([
    ["an empty stream that ended cleanly", {}, 200, ""],
    ["an empty stream that failed", { error: { errorType: "Error", errorMessage: "x" } }, 502, "Internal Server Error"],
  ])("answers %s as AWS does", async (_what, completion, status, body) => {
    const local = await serve({}, answering(streamed("text/plain"), completion));
    try {
      const res = await send(local.url);
      expect(res.status).toBe(status);
      expect(res.body.toString()).toBe(body);
    } finally {
      await local.close();
    }
  });

  test("passes a non-streaming handler's raw result through, uninterpreted", async () => {
    const local = await serve(
      {},
      answering({ kind: "buffered", contentType: "application/json", body: Buffer.from('{"statusCode":418}') }),
    );
    try {
      const res = await send(local.url);
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe('{"statusCode":418}');
    } finally {
      await local.close();
    }
  });

  test("answers 429 for a request that waited past its deadline, and nothing for one whose client left", async () => {
    const local = await serve({}, answering({ kind: "throttled", reason: "no environment was free within 10 ms" }));
    try {
      const res = await send(local.url);
      expect(res.status).toBe(429);
      expect(res.headers["x-amzn-errortype"]).toBe("TooManyRequestsException");
      expect(local.logs.some((line) => line.endsWith("no environment was free within 10 ms"))).toBe(true);
    } finally {
      await local.close();
    }
  });
});

describe("hop-by-hop headers from the function", () => {
  // They describe one connection, which the URL owns: sent on, `transfer-encoding: gzip` left the
  // body unframed (the client waited for the connection to close), and `transfer-encoding:
  // chunked` beside a BUFFERED answer's content-length made a response Node's client refuses.
  const cases: Array<[string, Record<string, string>, string[]]> = [
    ["transfer-encoding: chunked", { "transfer-encoding": "chunked" }, ["transfer-encoding"]],
    ["transfer-encoding: gzip", { "transfer-encoding": "gzip" }, ["transfer-encoding"]],
    ["connection and the header it names", { connection: "close, x-private", "x-private": "1" }, ["connection", "x-private"]],
    [
      "keep-alive, upgrade, te, trailer, proxy-connection",
      { "keep-alive": "timeout=5", upgrade: "websocket", te: "trailers", trailer: "x-t", "proxy-connection": "keep-alive" },
      ["keep-alive", "upgrade", "te", "trailer", "proxy-connection"],
    ],
  ];
  const modes: Array<[string, Partial<FunctionConfig>, (headers: Record<string, string>) => PoolResponse]> = [
    ["a streamed prelude", {}, (headers) => streamed(PRELUDE_TYPE, JSON.stringify({ statusCode: 200, headers }), NUL8, "hello")],
    [
      "a BUFFERED result",
      { invokeMode: "BUFFERED" },
      (headers) => ({
        kind: "buffered",
        contentType: "application/json",
        body: Buffer.from(JSON.stringify({ statusCode: 200, headers, body: "hello" })),
      }),
    ],
    [
      "a prelude collected for a BUFFERED URL",
      { invokeMode: "BUFFERED" },
      (headers) => streamed(PRELUDE_TYPE, JSON.stringify({ statusCode: 200, headers }), NUL8, "hello"),
    ],
  ];
  test.each(
    modes.flatMap(([mode, fn, respond]) => cases.map(([what, headers, dropped]) => [what, mode, fn, respond(headers), dropped] as const)),
  )(
    "%s in %s never reaches the socket: the answer is framed by the URL alone, and the log names what was dropped",
    async (_what, _mode, fn, response, dropped) => {
      const local = await serve({ ...fn, cors: undefined }, answering(response));
      try {
        const res = await send(local.url);
        expect(res.status).toBe(200);
        expect(res.body.toString()).toBe("hello");
        expect(res.truncated).toBe(false);
        if (fn.invokeMode === "BUFFERED") {
          expect(res.headers["content-length"]).toBe("5");
          expect(res.headers["transfer-encoding"]).toBeUndefined();
        } else {
          expect(res.headers["transfer-encoding"]).toBe("chunked");
        }
        for (const name of dropped.filter((n) => n !== "transfer-encoding" && n !== "connection")) {
          expect(res.headers).not.toHaveProperty(name);
        }
        // Node's client sends `connection: close` with agent: false; the server's own answer is `close`.
        expect(res.headers.connection).toBe("close");
        expect(local.logs).toContainEqual(
          expect.stringMatching(
            new RegExp(`^RequestId: [0-9a-f-]{36}: dropped the function's hop-by-hop headers ${dropped.join(", ")} \\(`),
          ),
        );
      } finally {
        await local.close();
      }
    },
  );
});

describe("an informational (1xx) status from the function", () => {
  // Sent on, a 1xx is an interim response: the client waits for a final one that never comes.
  const modes: Array<[string, Partial<FunctionConfig>, (statusCode: number) => PoolResponse, string]> = [
    ["a streamed prelude", {}, (statusCode) => streamed(PRELUDE_TYPE, JSON.stringify({ statusCode }), NUL8, "hello"), "the prelude's"],
    [
      "a BUFFERED result",
      { invokeMode: "BUFFERED" },
      (statusCode) => ({
        kind: "buffered",
        contentType: "application/json",
        body: Buffer.from(JSON.stringify({ statusCode, body: "hello" })),
      }),
      "the result's",
    ],
    [
      "a prelude collected for a BUFFERED URL",
      { invokeMode: "BUFFERED" },
      (statusCode) => streamed(PRELUDE_TYPE, JSON.stringify({ statusCode }), NUL8, "hello"),
      "the prelude's",
    ],
  ];
  test.each(
    modes.flatMap(([mode, fn, respond, source]) => [100, 101, 103].map((status) => [status, mode, fn, respond(status), source] as const)),
  )("%s in %s: a final 502, and the log names the status", async (status, _mode, fn, response, source) => {
    const local = await serve(fn, answering(response));
    try {
      const res = await send(local.url);
      expect(res.status).toBe(502);
      expect(res.body.toString()).toBe("Internal Server Error");
      expect(local.logs).toContainEqual(
        `502 for RequestId: ${res.headers["x-amzn-requestid"]}: ${source} statusCode ${status} is informational (1xx), not a final status: a Function URL answers with 200 to 599`,
      );
    } finally {
      await local.close();
    }
  });
});

describe("an error reported while the runtime's stream is still open", () => {
  // The invocation ends when its error is reported (a timeout, a crash); the answer must follow
  // then, not whenever the runtime's connection happens to close.
  const timedOut = { error: { errorType: "Sandbox.Timedout", errorMessage: "Task timed out after 1.00 seconds" } };
  test.each<[string, Partial<FunctionConfig>, string, string | undefined]>([
    ["a streamed prelude not yet sent", {}, PRELUDE_TYPE, undefined],
    ["a streamed prelude half sent", {}, PRELUDE_TYPE, '{"statusCode":2'],
    ["a stream without prelude, no byte yet", {}, "text/plain", undefined],
    ["a stream collected for a BUFFERED URL", { invokeMode: "BUFFERED" }, PRELUDE_TYPE, '{"statusCode":201}'],
  ])("%s: 502 at once, the error logged, the stream drained", async (_what, fn, contentType, first) => {
    const body = new PassThrough();
    if (first !== undefined) body.write(first);
    const local = await serve(fn, answering({ kind: "streaming", contentType, body }, timedOut));
    try {
      const res = await within(5000, send(local.url));
      expect(res.status).toBe(502);
      expect(res.body.toString()).toBe("Internal Server Error");
      expect(local.logs).toContainEqual(
        `502 for RequestId: ${res.headers["x-amzn-requestid"]}: Sandbox.Timedout: Task timed out after 1.00 seconds`,
      );
      // Drained: what the runtime still sends is read and dropped, never left to fill a buffer.
      expect(body.readableFlowing).toBe(true);
    } finally {
      body.destroy();
      await local.close();
    }
  });
});

describe("answering BUFFERED", () => {
  test.each([
    [
      "no delimiter in the first 16 KB",
      [`{"statusCode":200,"headers":{"x":"${"y".repeat(17 * 1024)}"}}`, NUL8, "b"],
      /no prelude delimiter within the first 16384 bytes/,
    ],
    ["a prelude that is not JSON", ["{statusCode", NUL8, "b"], /not valid JSON/],
  ])("a streamed response with %s: 502, and the log says why", async (_what, parts, reason) => {
    const local = await serve({ invokeMode: "BUFFERED" }, answering(streamed(PRELUDE_TYPE, ...(parts as Array<string | Buffer>))));
    try {
      expect((await send(local.url)).status).toBe(502);
      expect(local.logs.some((line) => /^502 for RequestId/.test(line) && reason.test(line))).toBe(true);
    } finally {
      await local.close();
    }
  });

  test("collects a streamed response with its prelude into one answer with a content-length", async () => {
    const prelude = JSON.stringify({ statusCode: 201, headers: { "x-a": "b" }, cookies: ["c=1"] });
    const local = await serve({ invokeMode: "BUFFERED" }, answering(streamed(PRELUDE_TYPE, prelude, NUL8, "hel", "lo")));
    try {
      const res = await send(local.url);
      expect(res.status).toBe(201);
      expect(res.headers).toMatchObject({ "x-a": "b", "content-length": "5", "set-cookie": ["c=1"] });
      expect(res.body.toString()).toBe("hello");
    } finally {
      await local.close();
    }
  });

  test.each([
    [
      "a structured result",
      { kind: "buffered", contentType: "application/json", body: Buffer.from('{"statusCode":204,"body":"ignored"}') },
    ],
    ["a collected stream", streamed(PRELUDE_TYPE, '{"statusCode":204}', NUL8, "ignored")],
  ] as Array<[string, PoolResponse]>)("a 204 from %s carries no Content-Length, which HTTP forbids on it", async (_what, response) => {
    const local = await serve({ invokeMode: "BUFFERED" }, answering(response));
    try {
      const res = await send(local.url);
      expect(res.status).toBe(204);
      expect(res.headers).not.toHaveProperty("content-length");
      expect(res.body.length).toBe(0);
    } finally {
      await local.close();
    }
  });

  test("a result that is not a Function URL response: 502, and the log says why", async () => {
    const local = await serve(
      { invokeMode: "BUFFERED" },
      answering({ kind: "buffered", contentType: "application/json", body: Buffer.from("{not json") }),
    );
    try {
      expect((await send(local.url)).status).toBe(502);
      expect(local.logs.some((line) => line.includes("not a valid Function URL response"))).toBe(true);
    } finally {
      await local.close();
    }
  });
});

describe("the front's edges", () => {
  const cors: CorsConfig = {
    allowOrigins: ["https://app.example"],
    allowMethods: ["GET"],
    allowHeaders: [],
    exposeHeaders: ["x-request-id", "x-other"],
    allowCredentials: true,
  };

  test("CORS: credentials and exposed headers for an allowed origin, and Vary since the answer depends on it", async () => {
    const local = await serve({ cors }, answering(streamed("text/plain", "ok")));
    try {
      const res = await send(local.url, { headers: { origin: "https://app.example" } });
      expect(res.headers).toMatchObject({
        "access-control-allow-origin": "https://app.example",
        "access-control-allow-credentials": "true",
        "access-control-expose-headers": "x-request-id,x-other",
        vary: "Origin",
      });
    } finally {
      await local.close();
    }
  });

  test("CORS with a list of origins: Vary: Origin on every answer, whatever the origin, so no cache serves one origin's answer to another", async () => {
    // A fresh stream for each request: a stream is read once.
    const local = await serve({ cors }, (...args) => answering(streamed("text/plain", "ok"))(...args));
    try {
      const other = await send(local.url, { headers: { origin: "https://other.example" } });
      expect(other.headers).not.toHaveProperty("access-control-allow-origin");
      expect(other.headers.vary).toBe("Origin");
      const none = await send(local.url);
      expect(none.headers).not.toHaveProperty("access-control-allow-origin");
      expect(none.headers.vary).toBe("Origin");
      const preflight = await send(local.url, {
        method: "OPTIONS",
        headers: { origin: "https://other.example", "access-control-request-method": "GET" },
      });
      expect(preflight.headers.vary).toBe("Origin");
    } finally {
      await local.close();
    }
  });

  test("CORS: the function's own Vary is kept, and Origin added to it", async () => {
    const prelude = JSON.stringify({ statusCode: 200, headers: { vary: "Accept-Encoding" } });
    const streaming = await serve({ cors }, answering(streamed(PRELUDE_TYPE, prelude, NUL8, "ok")));
    const result = {
      kind: "buffered",
      contentType: "application/json",
      body: Buffer.from(JSON.stringify({ statusCode: 200, headers: { Vary: "Accept" } })),
    } as const;
    const buffered = await serve({ cors, invokeMode: "BUFFERED" }, answering(result));
    try {
      expect((await send(streaming.url, { headers: { origin: "https://app.example" } })).headers.vary).toBe("Accept-Encoding, Origin");
      expect((await send(buffered.url)).headers.vary).toBe("Accept, Origin");
    } finally {
      await streaming.close();
      await buffered.close();
    }
  });

  test("CORS with *: any origin, and no Vary", async () => {
    const local = await serve(
      { cors: { ...cors, allowOrigins: ["*"], allowCredentials: false, exposeHeaders: [] } },
      answering(streamed("text/plain", "ok")),
    );
    try {
      const res = await send(local.url, { headers: { origin: "https://anywhere.example" } });
      expect(res.headers["access-control-allow-origin"]).toBe("*");
      expect(res.headers.vary).toBeUndefined();
      expect(res.headers["access-control-allow-credentials"]).toBeUndefined();
    } finally {
      await local.close();
    }
  });

  test("a failure inside the server answers 500 in AWS's shape, and is logged; throttling answers 429", async () => {
    let calls = 0;
    const local = await serve({}, (event, options) => {
      calls += 1;
      if (calls === 1) throw new Error("the pool broke");
      return answering({ kind: "throttled", reason: "the function's reserved concurrency (1) is in use" })(event, options);
    });
    try {
      const broken = await send(local.url);
      expect(broken.status).toBe(500);
      expect(JSON.parse(broken.body.toString())).toEqual({ Message: "Internal Server Error" });
      expect(broken.headers["x-amzn-errortype"]).toBe("ServiceException");
      expect(local.logs.some((line) => line.startsWith("local Function URL: internal error: Error: the pool broke"))).toBe(true);
      expect((await send(local.url)).status).toBe(429);
    } finally {
      await local.close();
    }
  });

  test("a client that leaves mid-upload invokes nothing, and the server keeps serving", async () => {
    const events: Buffer[] = [];
    const local = await serve({}, (event, options) => {
      events.push(event);
      return answering(streamed("text/plain", "ok"))(event, options);
    });
    try {
      const { port } = new URL(local.url);
      await new Promise<void>((resolve) => {
        const socket = net.connect(Number(port), "127.0.0.1", () => {
          socket.write("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\npartial", () => {
            socket.destroy();
            resolve();
          });
        });
      });
      const res = await send(local.url);
      expect(res.body.toString()).toBe("ok");
      expect(events).toHaveLength(1);
    } finally {
      await local.close();
    }
  });

  test("the event's x-amzn-trace-id is the trace id the runtime is given", async () => {
    let given = "";
    let event: { headers: Record<string, string> } | undefined;
    const local = await serve({}, (body, options) => {
      given = options.traceId ?? "";
      event = JSON.parse(body.toString());
      return answering(streamed("text/plain", "ok"))(body, options);
    });
    try {
      await send(local.url);
      expect(given).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
      expect(event?.headers["x-amzn-trace-id"]).toBe(given);
    } finally {
      await local.close();
    }
  });

  test("fails closed: an AWS_IAM function with no credentials to check against serves no one", async () => {
    const logs: string[] = [];
    let invoked = 0;
    const server = createFunctionUrlServer({
      fn: FN,
      // Watch mode switched the stack to AWS_IAM after a start without credentials.
      currentFunction: () => ({ ...FN, authType: "AWS_IAM" }),
      log: (line) => logs.push(line),
      invoke: (event, options) => {
        invoked += 1;
        return answering(streamed("text/plain", "ok"))(event, options);
      },
    });
    const base = await listenOnLoopback(server);
    try {
      const res = await send(`${base}/`);
      expect(res.status).toBe(403);
      expect(invoked).toBe(0);
      expect(logs.some((line) => line.endsWith("the server has no credentials to check signatures against"))).toBe(true);
    } finally {
      await closeServer(server);
    }
  });

  test("temporary credentials from a profile rotate: a request signed with the new pair is checked against it", async () => {
    const logs: string[] = [];
    const old = { accessKeyId: "ASIAOLD", secretAccessKey: "old", sessionToken: "old-token" };
    const fresh = { accessKeyId: "ASIANEW", secretAccessKey: "new", sessionToken: "new-token" };
    const server = createFunctionUrlServer({
      fn: { ...FN, authType: "AWS_IAM" },
      credentials: old,
      renewCredentials: async () => fresh,
      log: (line) => logs.push(line),
      invoke: answering(streamed("text/plain", "ok")),
    });
    const base = await listenOnLoopback(server);
    try {
      const url = new URL(`${base}/`);
      const headers = await signRequest(url, fresh, { region: "us-east-1", headers: { "x-amz-security-token": "new-token" } });
      const res = await send(url.toString(), { headers });
      expect(res.status).toBe(200);
      expect(logs).toContain("The AWS profile's credentials changed (now ASIANEW); signatures are checked against them.");
    } finally {
      await closeServer(server);
    }
  });
});
