// The Node.js transport that stands in for aws-lambda-ric's compiled client: the compiled client's
// requests and answers, the client against a Runtime API in another process, and (in a Node.js 22
// process, as the runtime loads it) done/error that return only once answered, on one socket.

import { spawn } from "node:child_process";
import { once } from "node:events";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { locateRuntime } from "../../../emulator/environment/runtime-command";
import { bundleRuntimeClient } from "../../../emulator/runtime-client/bundle";
import { NodeTransportClient } from "../../../emulator/runtime-client/node-transport-client";
import { nextRequest, readNextInvocation, resultRequest } from "../../../emulator/runtime-client/runtime-api-calls";
import { chosenTransport } from "../../../emulator/runtime-client/transport-choice";
import { describeWhenAvailable, missingReason } from "../../helpers/requirements";
import { type RuntimeApiDouble, startRuntimeApiDouble } from "./runtime-api-double";

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** Which connection (1, 2, …) carried it. */
  readonly connection: number;
}

/** A server that records every request; `answer` decides the reply (may hold it back). */
async function recordingServer(answer: (req: Seen, res: http.ServerResponse) => void) {
  const seen: Seen[] = [];
  let connections = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const server = http.createServer((req, res) => {
    const connection = (req.socket as unknown as { id: number }).id;
    const parts: Buffer[] = [];
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on("finish", () => (inFlight -= 1));
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => {
      const entry = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(parts).toString(),
        connection,
      };
      seen.push(entry);
      server.emit("seen", entry);
      answer(entry, res);
    });
  });
  server.keepAliveTimeout = 0;
  server.on("connection", (socket) => {
    connections += 1;
    (socket as unknown as { id: number }).id = connections;
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    server,
    address: `127.0.0.1:${port}`,
    seen,
    stats: () => ({ connections, maxInFlight }),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}

const ok = (_req: Seen, res: http.ServerResponse): void => {
  res.writeHead(202, { "content-type": "application/json" }).end('{"status":"OK"}');
};

describe("the Runtime API calls, as the compiled client makes them", () => {
  const answer = (status: number, headers: Record<string, string>, body = "") => ({
    status,
    headers,
    body: Buffer.from(body),
    closes: false,
  });

  test("next: a GET with aws-lambda-cpp's User-Agent", () => {
    expect(nextRequest()).toEqual({
      method: "GET",
      path: "/2018-06-01/runtime/invocation/next",
      headers: { "user-agent": "AWS_Lambda_Cpp/0.2.8" },
    });
  });

  test("next: the event as text and the headers, the deadline as a number, absent ones left out", () => {
    const invocation = readNextInvocation(
      answer(
        200,
        {
          "content-type": "application/json",
          "lambda-runtime-aws-request-id": "req-1",
          "lambda-runtime-deadline-ms": "1700000000123",
          "lambda-runtime-invoked-function-arn": "arn:aws:lambda:us-east-1:000000000000:function:f",
          "lambda-runtime-trace-id": "Root=1-abc",
          "lambda-runtime-client-context": "",
        },
        '{"a":"🚗"}',
      ),
    );
    expect(invocation).toEqual({
      bodyJson: '{"a":"🚗"}',
      headers: {
        "lambda-runtime-aws-request-id": "req-1",
        "lambda-runtime-deadline-ms": 1700000000123,
        "lambda-runtime-invoked-function-arn": "arn:aws:lambda:us-east-1:000000000000:function:f",
        "lambda-runtime-trace-id": "Root=1-abc",
      },
    });
  });

  test("next: a refusal, or an answer without a request id, rejects with the status, as the compiled client's error does", () => {
    expect(() => readNextInvocation(answer(500, {}))).toThrow("Failed to get next invocation, error 500 (no request id)");
    expect(() => readNextInvocation(answer(403, { "lambda-runtime-aws-request-id": "r" }))).toThrow(
      "Failed to get next invocation, error 403",
    );
    expect(() => readNextInvocation(answer(200, {}))).toThrow("Failed to get next invocation, error 200 (no request id)");
  });

  test("response and error: JSON bodies to /response and /error, the X-Ray cause as an ASCII header", () => {
    expect(resultRequest("response", "id%2F1", '{"ok":"🚗"}')).toEqual({
      method: "POST",
      path: "/2018-06-01/runtime/invocation/id%2F1/response",
      headers: { "content-type": "application/json", "user-agent": "AWS_Lambda_Cpp/0.2.8" },
      body: '{"ok":"🚗"}',
    });
    const error = resultRequest("error", "id%2F1", '{"errorType":"E"}', '{"message":"🚗 é"}');
    expect(error).toMatchObject({ path: "/2018-06-01/runtime/invocation/id%2F1/error", body: '{"errorType":"E"}' });
    const cause = error.headers?.["lambda-runtime-function-xray-error-cause"] as string;
    expect(cause).toMatch(/^[\x20-\x7e]+$/);
    expect(JSON.parse(cause)).toEqual({ message: "🚗 é" });
  });
});

describe("NodeTransportClient, in this process against a Runtime API in another", () => {
  let api: RuntimeApiDouble;
  let stderr: jest.SpyInstance;
  beforeEach(() => {
    stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
  });
  afterEach(async () => {
    stderr.mockRestore();
    await api.stop();
  });

  test("done() and error() are answered before they return, on the connection next() used", async () => {
    api = await startRuntimeApiDouble();
    const client = new NodeTransportClient(api.address);
    expect((await client.next()).headers["lambda-runtime-aws-request-id"]).toBe("r1");
    expect(client.done("r1", '"result"')).toBeNull();
    expect(client.error("r1", '{"errorType":"Crash"}', '{"m":1}')).toBeNull();
    expect((await api.waitForSeen(3)).map((s) => `${s.method} ${s.url} ${s.body} ${s.connection}`)).toEqual([
      "GET /2018-06-01/runtime/invocation/next  1",
      'POST /2018-06-01/runtime/invocation/r1/response "result" 1',
      'POST /2018-06-01/runtime/invocation/r1/error {"errorType":"Crash"} 1',
    ]);
    expect(stderr).not.toHaveBeenCalled();
  });

  test("when the connection cannot carry a post (next() is waiting on it), a child process delivers it at once", async () => {
    api = await startRuntimeApiDouble({ holdNext: true });
    const client = new NodeTransportClient(api.address);
    // Never answered: it fails when the double stops, after the test.
    const waiting = client.next().catch((error: Error) => error.message);
    await api.waitForSeen(1);
    client.error("r0", '{"errorType":"Late"}', "");
    expect((await api.waitForSeen(2)).map((s) => `${s.url} ${s.connection}`)).toEqual([
      "/2018-06-01/runtime/invocation/next 1",
      "/2018-06-01/runtime/invocation/r0/error 2",
    ]);
    expect(stderr).not.toHaveBeenCalled();
    await api.stop();
    expect(await waiting).toMatch(/^GET \/2018-06-01\/runtime\/invocation\/next: the connection closed/);
  });

  test("a post with no answer before the deadline is reported on stderr, naming it, and returns", async () => {
    api = await startRuntimeApiDouble();
    const client = new NodeTransportClient(api.address, 300);
    await client.next();
    expect(client.done("hold", "{}")).toBeNull();
    expect(stderr).toHaveBeenCalledWith(
      "Runtime API transport: POST /2018-06-01/runtime/invocation/hold/response failed (no answer within 0.3 s); the result was not delivered\n",
    );
  });
});

describe("LAMBDA_RUNTIME_TRANSPORT", () => {
  test("defaults to node, accepts native, and names a bad value with the fix", () => {
    expect(chosenTransport({})).toBe("node");
    expect(chosenTransport({ LAMBDA_RUNTIME_TRANSPORT: "native" })).toBe("native");
    expect(() => chosenTransport({ LAMBDA_RUNTIME_TRANSPORT: "curl" })).toThrow(
      'LAMBDA_RUNTIME_TRANSPORT is "curl"; use node (the default, no compiler needed) or native',
    );
  });
});

describeWhenAvailable("the transport bundle in a Node.js 22 process", missingReason(locateRuntime), () => {
  /**
   * Runs `script` in Node.js 22 with the bundle loaded as aws-lambda-ric loads its compiled client;
   * resolves with the exit code (the deadline fails the test rather than hanging it).
   */
  const runClient = async (address: string, script: string): Promise<number | null> => {
    const child = spawn(locateRuntime().node, ["-e", `const client = require(${JSON.stringify(bundleRuntimeClient())});\n${script}`], {
      env: { PATH: process.env.PATH, AWS_LAMBDA_RUNTIME_API: address },
      stdio: ["ignore", "inherit", "inherit"],
    });
    const deadline = setTimeout(() => child.kill("SIGKILL"), 10_000);
    const [code] = await once(child, "exit");
    clearTimeout(deadline);
    return code as number | null;
  };

  test("next, then done and error that are delivered before they return (the process exits right after), on one socket", async () => {
    const server = await recordingServer((req, res) => {
      if (req.url.endsWith("/next")) {
        res.writeHead(200, { "lambda-runtime-aws-request-id": "r1", "lambda-runtime-deadline-ms": "1" }).end('{"n":1}');
        return;
      }
      ok(req, res);
    });
    try {
      const code = await runClient(
        server.address,
        `client.next().then(({ bodyJson, headers }) => {
           if (bodyJson !== '{"n":1}' || headers["lambda-runtime-aws-request-id"] !== "r1") process.exit(3);
           client.done("r1", '"result"');
           client.error("r1", '{"errorType":"Crash"}', "");
           process.exit(0);
         });`,
      );
      expect(code).toBe(0);
      expect(server.seen.map((s) => `${s.method} ${s.url} ${s.body}`)).toEqual([
        "GET /2018-06-01/runtime/invocation/next ",
        'POST /2018-06-01/runtime/invocation/r1/response "result"',
        'POST /2018-06-01/runtime/invocation/r1/error {"errorType":"Crash"}',
      ]);
      expect(server.stats()).toEqual({ connections: 1, maxInFlight: 1 });
    } finally {
      await server.close();
    }
  });

  test("once an invocation is answered, the idle transport lets the loop empty: beforeExit fires", async () => {
    const server = await recordingServer((req, res) =>
      req.url.endsWith("/next")
        ? res.writeHead(200, { "lambda-runtime-aws-request-id": "r1", "lambda-runtime-deadline-ms": "1" }).end("{}")
        : ok(req, res),
    );
    try {
      // aws-lambda-ric's callbackWaitsForEmptyEventLoop waits for this event; the transport must not hold it back.
      const code = await runClient(
        server.address,
        `client.next().then(() => {
           client.done("r1", '"result"');
           process.once("beforeExit", () => { process.exitCode = 5; });
         });`,
      );
      expect(code).toBe(5);
      expect(server.seen.map((s) => s.url)).toEqual(["/2018-06-01/runtime/invocation/next", "/2018-06-01/runtime/invocation/r1/response"]);
    } finally {
      await server.close();
    }
  });

  test("an uncaught exception while next() waits: its error report lands before the process exits", async () => {
    // /next is never answered; the error is.
    const server = await recordingServer((req, res) => (req.url.endsWith("/next") ? undefined : ok(req, res)));
    try {
      const child = spawn(
        locateRuntime().node,
        [
          "-e",
          `const client = require(${JSON.stringify(bundleRuntimeClient())});
           client.next();
           process.on("SIGUSR2", () => { client.error("r0", '{"errorType":"Late"}', ""); process.exit(0); });`,
        ],
        { env: { PATH: process.env.PATH, AWS_LAMBDA_RUNTIME_API: server.address }, stdio: ["ignore", "inherit", "inherit"] },
      );
      const ended = once(child, "exit");
      const deadline = setTimeout(() => child.kill("SIGKILL"), 10_000);
      try {
        await once(server.server, "seen");
        child.kill("SIGUSR2");
        expect((await ended)[0]).toBe(0);
      } finally {
        clearTimeout(deadline);
      }
      expect(server.seen.map((s) => `${s.method} ${s.url} ${s.body} ${s.connection}`)).toEqual([
        "GET /2018-06-01/runtime/invocation/next  1",
        'POST /2018-06-01/runtime/invocation/r0/error {"errorType":"Late"} 2',
      ]);
    } finally {
      await server.close();
    }
  });

  test("an idle transport does not keep the process alive; a waiting next() does", async () => {
    const server = await recordingServer(ok);
    try {
      // Nothing asked: the process ends by itself, as with the compiled client.
      expect(await runClient(server.address, "process.on('exit', () => { process.exitCode = 7; });")).toBe(7);
      // A next() that is never answered holds the process. Once the server has the request, the
      // child starts a timer that does not hold it (unref): the timer fires only if something else
      // keeps the process alive, so "held" is seen, never assumed at the instant of the request.
      const held = await recordingServer(() => undefined);
      try {
        const child = spawn(
          locateRuntime().node,
          [
            "-e",
            `require(${JSON.stringify(bundleRuntimeClient())}).next();
             process.on("SIGUSR2", () => setTimeout(() => process.stdout.write("held\\n"), 100).unref());`,
          ],
          { env: { PATH: process.env.PATH, AWS_LAMBDA_RUNTIME_API: held.address }, stdio: ["ignore", "pipe", "inherit"] },
        );
        const ended = once(child, "exit").then(([code, signal]) => `exited (${code ?? signal})`);
        const said = new Promise<string>((resolve) => child.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString().trim())));
        const deadline = setTimeout(() => child.kill("SIGKILL"), 10_000);
        try {
          expect(await Promise.race([once(held.server, "seen").then(() => "seen"), ended])).toBe("seen");
          child.kill("SIGUSR2");
          expect(await Promise.race([said, ended])).toBe("held");
        } finally {
          clearTimeout(deadline);
          child.kill("SIGKILL");
          await ended;
        }
      } finally {
        await held.close();
      }
    } finally {
      await server.close();
    }
  });
});
