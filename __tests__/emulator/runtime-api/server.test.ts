// The Runtime API, driven over real HTTP by a stand-in runtime, as aws-lambda-ric would drive it.

import { once } from "node:events";
import * as http from "node:http";
import * as net from "node:net";
import type { InvocationRequest } from "../../../emulator/runtime-api/invocation";
import { RuntimeApi } from "../../../emulator/runtime-api/server";

const BASE = "/2018-06-01/runtime";

function request(id: string, event: unknown = { hello: "world" }): InvocationRequest {
  return {
    requestId: id,
    event: Buffer.from(JSON.stringify(event)),
    deadlineMs: Date.now() + 60_000,
    functionArn: "arn:aws:lambda:us-east-1:000000000000:function:f",
    traceId: "Root=1-a",
  };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP call to the Runtime API at `address`. */
function call(
  address: string,
  method: string,
  path: string,
  options: { headers?: http.OutgoingHttpHeaders; body?: string | Buffer } = {},
): Promise<Reply> {
  const [host, port] = address.split(":");
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port: Number(port), method, path, headers: options.headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString() }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/** A `/next` that the server may hold: `reply` when answered, `refused` when its connection is closed unanswered. */
function pendingNext(address: string): { reply: Promise<Reply>; refused: Promise<void> } {
  const [host, port] = address.split(":");
  const reply = new Promise<Reply>((resolve, reject) => {
    const req = http.get({ host, port: Number(port), path: `${BASE}/invocation/next`, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString() }));
    });
    req.on("error", reject);
  });
  const refused = reply.then(
    () => new Promise<void>(() => undefined),
    () => undefined,
  );
  return { reply, refused };
}

/** Starts a streaming `/response`, as the runtime client does: chunked, with declared trailers. */
function openStream(address: string, id: string, contentType = "text/plain"): { req: http.ClientRequest; reply: Promise<Reply> } {
  const [host, port] = address.split(":");
  let req!: http.ClientRequest;
  const reply = new Promise<Reply>((resolve, reject) => {
    req = http.request(
      {
        host,
        port: Number(port),
        method: "POST",
        path: `${BASE}/invocation/${id}/response`,
        agent: false,
        headers: {
          "Lambda-Runtime-Function-Response-Mode": "streaming",
          Trailer: ["Lambda-Runtime-Function-Error-Type", "Lambda-Runtime-Function-Error-Body"],
          "Content-Type": contentType,
          "Transfer-Encoding": "chunked",
        },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (c: Buffer) => parts.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString() }));
      },
    );
    req.on("error", reject);
  });
  // A test that cuts the stream off on purpose need not await the failed reply.
  reply.catch(() => undefined);
  return { req, reply };
}

describe("RuntimeApi", () => {
  let api: RuntimeApi;
  let address: string;
  beforeEach(async () => {
    api = new RuntimeApi(() => undefined);
    address = await api.listen();
  });
  afterEach(() => api.close());

  test("holds /next until an invocation comes, then hands over the event and its headers", async () => {
    const asked = once(api, "next");
    const next = call(address, "GET", `${BASE}/invocation/next`);
    await asked;
    const req = request("id-1");
    api.invoke(req);
    const reply = await next;
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ hello: "world" });
    expect(reply.headers).toMatchObject({
      "lambda-runtime-aws-request-id": "id-1",
      "lambda-runtime-deadline-ms": String(req.deadlineMs),
      "lambda-runtime-invoked-function-arn": req.functionArn,
      "lambda-runtime-trace-id": "Root=1-a",
      "content-type": "application/json",
    });
  });

  test("delivers an invocation queued before the runtime asked", async () => {
    api.invoke(request("id-early"));
    const reply = await call(address, "GET", `${BASE}/invocation/next`);
    expect(reply.headers["lambda-runtime-aws-request-id"]).toBe("id-early");
  });

  test("streams a response chunk by chunk and answers 202 only after the last chunk", async () => {
    const invocation = api.invoke(request("id-s"));
    await call(address, "GET", `${BASE}/invocation/next`);
    const { req, reply } = openStream(address, "id-s");
    req.write("first ");
    const response = await invocation.response;
    expect(response.kind).toBe("streaming");
    if (response.kind !== "streaming") throw new Error(`expected a streaming response, got ${response.kind}`);
    const body = response.body;
    const first = await new Promise<Buffer>((resolve) => body.once("data", resolve));
    expect(first.toString()).toBe("first ");
    let replied = false;
    void reply.then(() => (replied = true));
    // A full round trip to the same server after the first chunk: an early 202 would be in by now.
    expect((await call(address, "GET", "/2018-06-01/ping")).status).toBe(404);
    expect(replied).toBe(false);
    req.end("last");
    expect(await reply).toMatchObject({ status: 202, body: '{"status":"OK"}' });
    expect(await invocation.completion).toEqual({});
  });

  test("reads the error trailers of a stream that failed", async () => {
    const invocation = api.invoke(request("id-t"));
    await call(address, "GET", `${BASE}/invocation/next`);
    const { req, reply } = openStream(address, "id-t");
    void invocation.response.then((r) => r.kind === "streaming" && r.body.resume());
    req.write("partial");
    req.addTrailers({
      "Lambda-Runtime-Function-Error-Type": "RangeError",
      "Lambda-Runtime-Function-Error-Body": Buffer.from(
        JSON.stringify({ errorType: "RangeError", errorMessage: "boom", trace: [] }),
      ).toString("base64"),
    });
    req.end();
    expect((await reply).status).toBe(202);
    expect(await invocation.completion).toEqual({ error: { errorType: "RangeError", errorMessage: "boom", trace: [] } });
  });

  test("takes a buffered response and refuses one over 6 MiB + 100 bytes with 413", async () => {
    const ok = api.invoke(request("id-b"));
    await call(address, "GET", `${BASE}/invocation/next`);
    expect(
      (await call(address, "POST", `${BASE}/invocation/id-b/response`, { body: '"done"', headers: { "content-type": "application/json" } }))
        .status,
    ).toBe(202);
    expect(await ok.response).toEqual({ kind: "buffered", contentType: "application/json", body: Buffer.from('"done"') });

    const big = api.invoke(request("id-big"));
    await call(address, "GET", `${BASE}/invocation/next`);
    const reply = await call(address, "POST", `${BASE}/invocation/id-big/response`, { body: Buffer.alloc(6 * 1024 * 1024 + 101) });
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body)).toEqual({
      errorType: "RequestEntityTooLarge",
      errorMessage: "Exceeded maximum allowed payload size (6291556 bytes).",
    });
    expect((await big.completion).error?.errorType).toBe("Function.ResponseSizeTooLarge");
  });

  test("answers 400 InvalidRequestID for an unknown id and for a second response", async () => {
    api.invoke(request("id-1"));
    await call(address, "GET", `${BASE}/invocation/next`);
    const unknown = await call(address, "POST", `${BASE}/invocation/nope/response`, { body: "{}" });
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.body)).toEqual({ errorType: "InvalidRequestID", errorMessage: "Invalid request ID" });
    expect((await call(address, "POST", `${BASE}/invocation/id-1/response`, { body: "{}" })).status).toBe(202);
    expect((await call(address, "POST", `${BASE}/invocation/id-1/response`, { body: "{}" })).status).toBe(400);
  });

  test("answers 400 InvalidFunctionResponseMode for an unknown response mode", async () => {
    const invocation = api.invoke(request("id-m"));
    await call(address, "GET", `${BASE}/invocation/next`);
    const reply = await call(address, "POST", `${BASE}/invocation/id-m/response`, {
      body: "{}",
      headers: { "Lambda-Runtime-Function-Response-Mode": "sideways" },
    });
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body).errorType).toBe("InvalidFunctionResponseMode");
    expect((await invocation.completion).error?.errorType).toBe("Runtime.InvalidResponseModeHeader");
  });

  test("takes /error before a response, and answers 403 once a stream has started", async () => {
    const failed = api.invoke(request("id-e"));
    await call(address, "GET", `${BASE}/invocation/next`);
    const reply = await call(address, "POST", `${BASE}/invocation/id-e/error`, {
      body: JSON.stringify({ errorType: "Error", errorMessage: "bad", trace: ["at a"] }),
      headers: { "content-type": "application/json" },
    });
    expect(reply.status).toBe(202);
    expect(await failed.response).toEqual({ kind: "error", error: { errorType: "Error", errorMessage: "bad", trace: ["at a"] } });

    const streaming = api.invoke(request("id-x"));
    await call(address, "GET", `${BASE}/invocation/next`);
    const { req } = openStream(address, "id-x");
    req.write("x");
    await streaming.response;
    const late = await call(address, "POST", `${BASE}/invocation/id-x/error`, { body: "{}" });
    expect(late.status).toBe(403);
    expect(JSON.parse(late.body).errorType).toBe("InvalidStateTransition");
    req.destroy();
  });

  test("reports an init error and fails the waiting invocation with it", async () => {
    const errors: unknown[] = [];
    api.on("init-error", (e) => errors.push(e));
    const invocation = api.invoke(request("id-i"));
    const reply = await call(address, "POST", `${BASE}/init/error`, {
      body: JSON.stringify({ errorType: "Runtime.ImportModuleError", errorMessage: "Cannot find module" }),
      headers: { "Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError" },
    });
    expect(reply.status).toBe(202);
    expect(errors).toEqual([{ errorType: "Runtime.ImportModuleError", errorMessage: "Cannot find module" }]);
    expect((await invocation.response).kind).toBe("error");
  });

  test("refuses /init/error with 403 once init is over (the runtime has asked for an event)", async () => {
    const errors: unknown[] = [];
    api.on("init-error", (e) => errors.push(e));
    const invocation = api.invoke(request("id-after"));
    await call(address, "GET", `${BASE}/invocation/next`);
    const reply = await call(address, "POST", `${BASE}/init/error`, {
      body: JSON.stringify({ errorType: "Late", errorMessage: "too late" }),
    });
    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.body).errorType).toBe("InvalidStateTransition");
    expect(errors).toEqual([]);
    // The invocation is untouched: its answer still counts.
    expect((await call(address, "POST", `${BASE}/invocation/id-after/response`, { body: "{}" })).status).toBe(202);
    expect((await invocation.response).kind).toBe("buffered");
  });

  test.each([
    ["an /error with a 20,000-character X-Ray cause header", "error", { "lambda-runtime-function-xray-error-cause": "c".repeat(20_000) }],
    ["a /response with a 20,000-character header", "response", { "x-long": "c".repeat(20_000) }],
  ])("takes %s (Go's 1 MiB header limit, not Node's 16 KiB)", async (_name, route, headers) => {
    const invocation = api.invoke(request("id-long"));
    await call(address, "GET", `${BASE}/invocation/next`);
    const reply = await call(address, "POST", `${BASE}/invocation/id-long/${route}`, {
      body: JSON.stringify({ errorType: "Error", errorMessage: "m" }),
      headers: { "content-type": "application/json", ...headers },
    });
    expect(reply.status).toBe(202);
    expect((await invocation.response).kind).toBe(route === "error" ? "error" : "buffered");
  });

  test("answers headers over 1 MiB with Go's 431 and keeps serving", async () => {
    const [host, port] = address.split(":");
    const socket = (await import("node:net")).connect(Number(port), host);
    socket.write(`POST ${BASE}/init/error HTTP/1.1\r\nHost: x\r\nX-Long: ${"c".repeat(1 << 20)}\r\n\r\n`);
    const answer: Buffer[] = [];
    socket.on("data", (c: Buffer) => answer.push(c));
    await once(socket, "close");
    expect(Buffer.concat(answer).toString()).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect((await call(address, "GET", `${BASE}/nothing`)).status).toBe(404);
  });

  test("marks a stream cut off mid-body as truncated", async () => {
    const invocation = api.invoke(request("id-c"));
    await call(address, "GET", `${BASE}/invocation/next`);
    const { req } = openStream(address, "id-c");
    void invocation.response.then((r) => r.kind === "streaming" && r.body.resume());
    req.write("some");
    await invocation.response;
    req.destroy();
    expect(await invocation.completion).toMatchObject({ truncated: true, error: { errorType: "Runtime.TruncatedResponse" } });
  });

  test("keeps working after misuse: the next invocation is served normally", async () => {
    api.invoke(request("id-1"));
    await call(address, "GET", `${BASE}/invocation/next`);
    await call(address, "POST", `${BASE}/invocation/unknown/response`, { body: "{}" });
    await call(address, "POST", `${BASE}/invocation/id-1/response`, {
      body: "{}",
      headers: { "Lambda-Runtime-Function-Response-Mode": "bogus" },
    });
    await call(address, "POST", `${BASE}/invocation/id-1/response`, { body: "{}" });
    await call(address, "POST", `${BASE}/invocation/id-1/error`, { body: "{}" });
    const next = api.invoke(request("id-2"));
    const delivered = await call(address, "GET", `${BASE}/invocation/next`);
    expect(delivered.headers["lambda-runtime-aws-request-id"]).toBe("id-2");
    expect((await call(address, "POST", `${BASE}/invocation/id-2/response`, { body: '"fine"' })).status).toBe(202);
    expect(await next.response).toMatchObject({ kind: "buffered", body: Buffer.from('"fine"') });
  });

  test("answers 404 for routes it does not have", async () => {
    expect((await call(address, "GET", "/2018-06-01/ping")).status).toBe(404);
  });

  test("answers a malformed percent-escape in the path as Go's server (RIE's) does, and keeps serving", async () => {
    const invocation = api.invoke(request("id-p"));
    await call(address, "GET", `${BASE}/invocation/next`);
    const bad = await call(address, "POST", `${BASE}/invocation/%E0%A4%A/response`, { body: "{}" });
    expect(bad.status).toBe(400);
    expect(bad.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(bad.body).toBe("400 Bad Request");
    expect((await call(address, "POST", `${BASE}/invocation/id-p/response`, { body: '"ok"' })).status).toBe(202);
    expect((await invocation.response).kind).toBe("buffered");
  });

  test("refuses the id of an earlier invocation, however many came since (nothing is kept per id)", async () => {
    for (let i = 0; i < 50; i += 1) {
      api.invoke(request(`id-${i}`));
      await call(address, "GET", `${BASE}/invocation/next`);
      await call(address, "POST", `${BASE}/invocation/id-${i}/response`, { body: "{}" });
    }
    api.invoke(request("id-last"));
    await call(address, "GET", `${BASE}/invocation/next`);
    for (const id of ["id-0", "id-49"]) {
      const reply = await call(address, "POST", `${BASE}/invocation/${id}/response`, { body: "{}" });
      expect(reply.status).toBe(400);
      expect(JSON.parse(reply.body).errorType).toBe("InvalidRequestID");
    }
  });

  test("a second /next while one is pending replaces it; the server keeps serving", async () => {
    const [host, port] = address.split(":");
    const first = http.get({ host, port: Number(port), path: `${BASE}/invocation/next`, agent: false });
    const firstClosed = new Promise<void>((resolve) => first.once("error", () => resolve()).once("close", () => resolve()));
    await new Promise<void>((resolve) => api.once("next", () => resolve()));
    const second = call(address, "GET", `${BASE}/invocation/next`);
    await firstClosed;
    api.invoke(request("id-n"));
    expect((await second).headers["lambda-runtime-aws-request-id"]).toBe("id-n");
  });

  test.each(["error", "init"])("answers 413 RequestEntityTooLarge to an /%s body over the limit", async (kind) => {
    const invocation = api.invoke(request("id-big-error"));
    // /init/error is for the init phase, before the first /next.
    if (kind === "error") await call(address, "GET", `${BASE}/invocation/next`);
    const path = kind === "error" ? `${BASE}/invocation/id-big-error/error` : `${BASE}/init/error`;
    const reply = await call(address, "POST", path, { body: Buffer.alloc(6 * 1024 * 1024 + 101, 97) });
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body)).toEqual({
      errorType: "RequestEntityTooLarge",
      errorMessage: "Exceeded maximum allowed payload size (6291556 bytes).",
    });
    if (kind === "error") {
      expect((await invocation.completion).error?.errorType).toBe("Function.ResponseSizeTooLarge");
    }
  });

  test("a second /next during an invocation is held, and does not end the invocation", async () => {
    const nexts: number[] = [];
    api.on("next", () => nexts.push(Date.now()));
    const invocation = api.invoke(request("id-held"));
    await call(address, "GET", `${BASE}/invocation/next`);
    // Taking the queued event is not "between invocations".
    expect(nexts).toHaveLength(0);
    // Two more /next while it runs, on connections of their own: the later of the two to arrive
    // replaces the earlier (whose connection is closed), so once one is refused both have reached
    // the server, whichever came first (nothing is assumed about order across connections).
    const [a, b] = [pendingNext(address), pendingNext(address)];
    const held = await Promise.race([a.refused.then(() => b), b.refused.then(() => a)]);
    expect(nexts).toHaveLength(0);
    expect((await call(address, "POST", `${BASE}/invocation/id-held/response`, { body: '"ok"' })).status).toBe(202);
    expect((await invocation.completion).error).toBeUndefined();
    // The /next still held takes the next event.
    api.invoke(request("id-after"));
    expect((await held.reply).headers["lambda-runtime-aws-request-id"]).toBe("id-after");
  });

  test.each(["null", "42", "[1]"])("an /error body of %s is answered, not a crash", async (body) => {
    const invocation = api.invoke(request("id-odd"));
    await call(address, "GET", `${BASE}/invocation/next`);
    expect((await call(address, "POST", `${BASE}/invocation/id-odd/error`, { body })).status).toBe(202);
    expect(await invocation.completion).toEqual({ error: { errorType: "Runtime.Unknown", errorMessage: "" } });
    // /init/error belongs to a runtime still in its init phase.
    const initializing = new RuntimeApi(() => undefined);
    try {
      expect((await call(await initializing.listen(), "POST", `${BASE}/init/error`, { body })).status).toBe(202);
    } finally {
      await initializing.close();
    }
  });

  test("a server error once it listens is logged, not swallowed, and it keeps serving", async () => {
    const logs: string[] = [];
    // The server the Runtime API listens on, caught as it calls listen().
    const listening = jest.spyOn(net.Server.prototype, "listen");
    const logged = new RuntimeApi((line) => logs.push(line));
    try {
      const where = await logged.listen();
      const server = listening.mock.contexts[0] as net.Server;
      listening.mockRestore();
      server.emit("error", Object.assign(new Error("accept EMFILE"), { code: "EMFILE" }));
      expect(logs).toEqual(["Runtime API: server error: accept EMFILE"]);
      expect((await call(where, "GET", `${BASE}/nothing`)).status).toBe(404);
    } finally {
      listening.mockRestore();
      await logged.close();
    }
  });
});
