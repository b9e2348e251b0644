// The HTTP front on its own, over real HTTP, with a stand-in for the function: SigV4 on every
// path a request can take to a 403, bad input, and where the server listens.

import type * as http from "node:http";
import * as net from "node:net";
import { Readable } from "node:stream";
import { startLocalFunctionUrl } from "../../../emulator/cli/local-function-url";
import type { FunctionConfig } from "../../../emulator/common/function-config";
import type { RunningInvocation } from "../../../emulator/invocation/running-invocation";
import { createFunctionUrlServer } from "../../../emulator/url/server";
import { signRequest } from "../../../tools/invoke/sign-request";
import { fixtureFunction } from "../../helpers/function-config";
import { send } from "../../helpers/http-client";
import { closeServer, listenOnLoopback } from "../../helpers/loopback-server";
import { answeredInvocation } from "../../helpers/stand-in-invocation";

const CREDENTIALS = { accessKeyId: "AKIDSERVER", secretAccessKey: "server-secret" };
const FN: FunctionConfig = fixtureFunction({ functionName: "stub", handler: "index.handler", bundleDir: __dirname, authType: "AWS_IAM" });

interface SignOptions {
  secret?: string;
  accessKeyId?: string;
  service?: string;
  region?: string;
  at?: Date;
  body?: string;
  headers?: Record<string, string>;
}

describe("function URL server (stand-in function)", () => {
  let server: http.Server;
  let base: string;
  let invocations: Buffer[];
  const logs: string[] = [];

  beforeEach(async () => {
    invocations = [];
    server = createFunctionUrlServer({
      fn: FN,
      credentials: CREDENTIALS,
      log: (line) => logs.push(line),
      invoke: (event, { requestId }): RunningInvocation => {
        invocations.push(event);
        return answeredInvocation(requestId);
      },
    });
    base = await listenOnLoopback(server);
  });
  afterEach(async () => {
    await closeServer(server);
  });

  /** Headers for `path`, signed as an SDK client signs them, with the given deviations. */
  async function sign(path: string, options: SignOptions = {}): Promise<Record<string, string>> {
    const url = new URL(path, base);
    return signRequest(
      url,
      { accessKeyId: options.accessKeyId ?? CREDENTIALS.accessKeyId, secretAccessKey: options.secret ?? CREDENTIALS.secretAccessKey },
      {
        region: options.region ?? "us-east-1",
        ...(options.service ? { service: options.service } : {}),
        ...(options.body ? { body: options.body } : {}),
        ...(options.headers ? { headers: options.headers } : {}),
        ...(options.at ? { at: options.at } : {}),
      },
    );
  }

  test("serves a correctly signed request", async () => {
    const res = await send(`${base}/?count=1`, { headers: await sign("/?count=1") });
    expect(res.status).toBe(200);
    expect(invocations).toHaveLength(1);
    expect(JSON.parse(invocations[0].toString()).requestContext.authorizer.iam.accessKey).toBe("AKIDSERVER");
  });

  test.each<[string, () => Promise<{ url: string; headers: Record<string, string>; body?: string }>]>([
    ["a wrong secret", async () => ({ url: "/", headers: await sign("/", { secret: "wrong" }) })],
    ["another access key", async () => ({ url: "/", headers: await sign("/", { accessKeyId: "AKIDOTHER" }) })],
    ["the wrong service", async () => ({ url: "/", headers: await sign("/", { service: "execute-api" }) })],
    ["the wrong region", async () => ({ url: "/", headers: await sign("/", { region: "ap-south-1" }) })],
    [
      "a timestamp more than 5 minutes off",
      async () => ({ url: "/", headers: await sign("/", { at: new Date(Date.now() + 6 * 60 * 1000) }) }),
    ],
    ["a tampered query", async () => ({ url: "/?count=2", headers: await sign("/?count=1") })],
    ["a tampered body", async () => ({ url: "/", headers: await sign("/", { body: "signed" }), body: "tampered" })],
    [
      "a signed header removed",
      async () => {
        const headers = await sign("/", { headers: { "x-extra": "1" } });
        delete headers["x-extra"];
        return { url: "/", headers };
      },
    ],
    ["no signature", async () => ({ url: "/", headers: {} })],
  ])("answers 403 for %s, without invoking the function", async (_name, make) => {
    const { url, headers, body } = await make();
    const res = await send(`${base}${url}`, { method: body ? "POST" : "GET", headers, body });
    expect(res.status).toBe(403);
    expect(res.headers["x-amzn-errortype"]).toBe("AccessDeniedException");
    expect(JSON.parse(res.body.toString()).Message).toMatch(/^Forbidden\. For troubleshooting Function URL authorization issues/);
    expect(invocations).toHaveLength(0);
  });

  test("answers oversized headers with 431 and keeps serving", async () => {
    const reply = await new Promise<string>((resolve) => {
      const socket = net.connect(Number(new URL(base).port), "127.0.0.1", () => {
        socket.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(1024 * 1024 + 10)}\r\n\r\n`);
      });
      let text = "";
      socket.on("data", (d) => (text += d.toString()));
      socket.on("close", () => resolve(text));
      socket.on("error", () => resolve(text));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large/);
    expect((await send(`${base}/`, { headers: await sign("/") })).status).toBe(200);
  });

  test("a malformed request on a socket the client already closed is dropped without an answer", () => {
    // The client's side is gone by the time the parser fails (a reset mid-request): nothing to write to.
    const socket = { writable: false, destroy: jest.fn(), end: jest.fn() };
    server.emit("clientError", Object.assign(new Error("Parse Error"), { code: "HPE_INVALID_METHOD" }), socket);
    expect(socket.destroy).toHaveBeenCalledTimes(1);
    expect(socket.end).not.toHaveBeenCalled();
  });

  test("answers a body over 6 MB with 413 before reading it, and keeps serving", async () => {
    const res = await send(`${base}/`, {
      method: "POST",
      body: Buffer.alloc(6 * 1024 * 1024 + 1),
      headers: { "content-type": "application/octet-stream" },
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString())).toEqual({
      Message: "Request must be smaller than 6291456 bytes for the InvokeFunction operation",
    });
    expect((await send(`${base}/`, { headers: await sign("/") })).status).toBe(200);
  });
});

/**
 * Sends `head` and `body` on a fresh connection, reading nothing until the whole upload has been
 * handed to the socket (or refused), as a client busy uploading does; then reads one response.
 * Resolves with what was read and the socket's error code, if any.
 */
function uploadThenRead(base: string, head: string, body: Buffer): Promise<{ text: string; error?: string }> {
  return new Promise((resolve) => {
    let text = "";
    let error: string | undefined;
    const socket = net.connect(Number(new URL(base).port), "127.0.0.1", () => {
      socket.pause();
      socket.write(head);
      socket.write(body, () => socket.resume());
    });
    socket.on("data", (data: Buffer) => {
      text += data.toString("latin1");
      const headEnd = text.indexOf("\r\n\r\n");
      const length = Number(/\r\ncontent-length: (\d+)\r\n/i.exec(text)?.[1] ?? Number.NaN);
      if (headEnd !== -1 && text.length >= headEnd + 4 + length) {
        socket.destroy();
      }
    });
    socket.on("error", (e: NodeJS.ErrnoException) => {
      error = e.code;
    });
    socket.on("close", () => resolve({ text, ...(error ? { error } : {}) }));
  });
}

describe("a 413 for an oversized upload reaches a client that is still sending", () => {
  // The server answers 413 as soon as it knows, then reads and drops the rest of the body (up to a
  // bound) instead of closing at once: a close with unread bytes is a TCP reset, and a reset makes
  // the client's system drop the 413 it had not read yet.
  let server: http.Server;
  let base: string;
  let invoked = 0;
  let logs: string[] = [];
  beforeEach(async () => {
    invoked = 0;
    logs = [];
    server = createFunctionUrlServer({
      fn: { ...FN, authType: "NONE" },
      log: (line) => logs.push(line),
      invoke: (_event, { requestId }): RunningInvocation => {
        invoked += 1;
        return answeredInvocation(requestId);
      },
    });
    base = await listenOnLoopback(server);
  });
  afterEach(async () => {
    await closeServer(server);
  });

  const body = Buffer.alloc(12 * 1024 * 1024, 97);
  test.each([
    ["a declared content-length over 6 MB", `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${body.length}\r\n\r\n`, body],
    [
      "a chunked body that passes 6 MB",
      "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n",
      Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from("\r\n0\r\n\r\n")]),
    ],
  ])("%s: the client reads the whole 413, never a reset", async (_what, head, upload) => {
    const { text, error } = await uploadThenRead(base, head, upload);
    expect(error).toBeUndefined();
    expect(text).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n/);
    expect(text).toMatch(/\r\nx-amzn-ErrorType: RequestTooLargeException\r\n/);
    expect(text.endsWith('{"Message":"Request must be smaller than 6291456 bytes for the InvokeFunction operation"}')).toBe(true);
    expect(invoked).toBe(0);
  });

  test("a binary body under 6 MB whose base64 event passes 6 MB: 413 RequestTooLargeException, unrun, and the log says why", async () => {
    const binary = Buffer.alloc(5 * 1024 * 1024, 0xff);
    const res = await send(`${base}/`, { method: "POST", body: binary, headers: { "content-type": "application/octet-stream" } });
    expect(res.status).toBe(413);
    expect(res.headers["x-amzn-errortype"]).toBe("RequestTooLargeException");
    expect(JSON.parse(res.body.toString())).toEqual({
      Message: "Request must be smaller than 6291456 bytes for the InvokeFunction operation",
    });
    expect(invoked).toBe(0);
    expect(logs).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^413 for RequestId: ${res.headers["x-amzn-requestid"]}: the event built from the request is \\d+ bytes \\(its 5242880-byte body base64-encoded\\), over the 6291456-byte limit of an invoke payload$`,
        ),
      ),
    );
    // The same bytes as text stay under the limit, and run.
    const text = await send(`${base}/`, {
      method: "POST",
      body: Buffer.alloc(5 * 1024 * 1024, 97),
      headers: { "content-type": "text/plain" },
    });
    expect(text.status).toBe(200);
    expect(invoked).toBe(1);
  });

  test("a body declared larger than the server drains (24 MiB) gets its 413 with Connection: close", async () => {
    const declared = 4 * 6 * 1024 * 1024 + 1;
    const { text, error } = await uploadThenRead(
      base,
      `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${declared}\r\n\r\n`,
      Buffer.alloc(0),
    );
    expect(error).toBeUndefined();
    expect(text).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n/);
    expect(text).toMatch(/\r\nconnection: close\r\n/i);
  });

  test("the drain is bounded: a body that goes on past 24 MiB has its connection closed by the server", async () => {
    const closed = new Promise<number>((resolve) => {
      let sent = 0;
      const socket = net.connect(Number(new URL(base).port), "127.0.0.1", () => {
        // One chunk declared larger than the bound, never finished: only the server can end this.
        socket.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n${(64 * 1024 * 1024).toString(16)}\r\n`);
        const piece = Buffer.alloc(1024 * 1024, 97);
        const more = (): void => {
          while (sent < 32 * 1024 * 1024 && !socket.destroyed) {
            sent += piece.length;
            if (!socket.write(piece)) {
              socket.once("drain", more);
              return;
            }
          }
        };
        more();
      });
      socket.on("error", () => undefined);
      socket.on("close", () => resolve(sent));
    });
    expect(await closed).toBeGreaterThan(24 * 1024 * 1024);
  });
});

describe("BUFFERED URL over 6 MB (stand-in function)", () => {
  /** A public BUFFERED server whose function answers with `response`; returns its URL and log. */
  async function serve(
    response: Awaited<RunningInvocation["response"]>,
  ): Promise<{ url: string; logs: string[]; close: () => Promise<void> }> {
    const logs: string[] = [];
    const server = createFunctionUrlServer({
      fn: { ...FN, authType: "NONE", invokeMode: "BUFFERED" },
      credentials: undefined,
      log: (line) => logs.push(line),
      invoke: (_event, { requestId }): RunningInvocation =>
        answeredInvocation(requestId, response, response.kind === "error" ? { error: response.error } : {}),
    });
    const base = await listenOnLoopback(server);
    return {
      url: `${base}/`,
      logs,
      close: () => closeServer(server),
    };
  }

  test("a streamed response over 6 MB: 502, and the log says why, with its size", async () => {
    const body = Readable.from([Buffer.alloc(4 * 1024 * 1024, 97), Buffer.alloc(3 * 1024 * 1024, 98)]);
    const local = await serve({ kind: "streaming", contentType: "text/plain", body });
    try {
      const res = await send(local.url);
      expect(res.status).toBe(502);
      expect(local.logs).toContainEqual(
        expect.stringMatching(
          /^502 for RequestId: [0-9a-f-]+: the response is 7340032 bytes, over the 6291556-byte \(6 MB\) limit of a BUFFERED Function URL; use RESPONSE_STREAM or a smaller response$/,
        ),
      );
    } finally {
      await local.close();
    }
  });

  test("a buffered result over 6 MB (Function.ResponseSizeTooLarge): 502, and the log says why", async () => {
    const error = { errorType: "Function.ResponseSizeTooLarge", errorMessage: "Exceeded maximum allowed payload size (6291556 bytes)." };
    const local = await serve({ kind: "error", error });
    try {
      expect((await send(local.url)).status).toBe(502);
      expect(local.logs).toContainEqual(
        expect.stringMatching(
          /^502 for RequestId: [0-9a-f-]+: the function's response is over the 6 MB limit of a buffered response \(Function\.ResponseSizeTooLarge\)$/,
        ),
      );
    } finally {
      await local.close();
    }
  });
});

describe("where the local Function URL listens", () => {
  test("binds 127.0.0.1 unless told otherwise", async () => {
    const local = await startLocalFunctionUrl({
      fn: { ...FN, authType: "NONE" },
      port: 0,
      log: () => undefined,
      runtime: { node: process.execPath, bootstrap: __filename, transport: "node", bootstrapArgs: [] },
    });
    try {
      expect(local.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    } finally {
      await local.close();
    }
  });
});
