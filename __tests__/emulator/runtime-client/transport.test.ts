// The Node.js transport that stands in for aws-lambda-ric's compiled client, against a real HTTP
// server on loopback: one socket, strictly ordered requests, the compiled client's wire format,
// and (in a Node.js 22 process, as the runtime loads it) done/error that return only once answered.

import { spawn } from "node:child_process";
import { once } from "node:events";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { locateRuntime } from "../../../emulator/environment/runtime-command";
import { bundleRuntimeClient } from "../../../emulator/runtime-client/bundle";
import { OrderedConnection } from "../../../emulator/runtime-client/ordered-connection";
import { nextInvocation, postResult } from "../../../emulator/runtime-client/runtime-api-calls";
import { chosenTransport } from "../../../emulator/runtime-client/transport-choice";
import { describeWhenAvailable, missingReason } from "../../helpers/requirements";

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

describe("OrderedConnection", () => {
  test("sends requests one after another on one kept-alive socket, in the order asked", async () => {
    const held: http.ServerResponse[] = [];
    const server = await recordingServer((req, res) => {
      if (req.url === "/first") {
        held.push(res); // answered only after the test saw that nothing else arrived meanwhile
        return;
      }
      ok(req, res);
    });
    const connection = OrderedConnection.fromAddress(server.address);
    try {
      const answers = ["/first", "/second", "/third"].map((path) =>
        connection.request({ method: "POST", path, headers: { "content-length": 1 }, body: "x" }),
      );
      await once(server.server, "seen");
      // Give the other two every chance to overtake: a full round trip of a separate request.
      const probe = await fetch(`http://${server.address}/probe`);
      expect(probe.status).toBe(202);
      expect(server.seen.map((s) => s.url)).toEqual(["/first", "/probe"]);
      held[0].writeHead(202).end("{}");
      expect((await Promise.all(answers)).map((a) => a.status)).toEqual([202, 202, 202]);
      const mine = server.seen.filter((s) => s.url !== "/probe");
      expect(mine.map((s) => s.url)).toEqual(["/first", "/second", "/third"]);
      expect(new Set(mine.map((s) => s.connection)).size).toBe(1);
    } finally {
      connection.close();
      await server.close();
    }
  });

  test("a failed request does not stop the ones after it, and the error names the request", async () => {
    const server = await recordingServer((req, res) => (req.url === "/drop" ? res.socket?.destroy() : ok(req, res)));
    const connection = OrderedConnection.fromAddress(server.address);
    try {
      const dropped = connection.request({ method: "GET", path: "/drop" });
      const after = connection.request({ method: "GET", path: "/after" });
      await expect(dropped).rejects.toThrow(/socket hang up|GET \/drop/);
      expect((await after).status).toBe(202);
    } finally {
      connection.close();
      await server.close();
    }
  });

  test("refuses an address that is not host:port, naming it", () => {
    expect(() => OrderedConnection.fromAddress("localhost")).toThrow('AWS_LAMBDA_RUNTIME_API is "localhost"; it must be host:port');
  });
});

describe("the Runtime API calls, as the compiled client makes them", () => {
  test("next: the event as text and the headers, the deadline as a number, absent ones left out", async () => {
    const server = await recordingServer((_req, res) => {
      res
        .writeHead(200, {
          "content-type": "application/json",
          "lambda-runtime-aws-request-id": "req-1",
          "lambda-runtime-deadline-ms": "1700000000123",
          "lambda-runtime-invoked-function-arn": "arn:aws:lambda:us-east-1:000000000000:function:f",
          "lambda-runtime-trace-id": "Root=1-abc",
        })
        .end('{"a":"🚗"}');
    });
    const connection = OrderedConnection.fromAddress(server.address);
    try {
      expect(await nextInvocation(connection)).toEqual({
        bodyJson: '{"a":"🚗"}',
        headers: {
          "lambda-runtime-aws-request-id": "req-1",
          "lambda-runtime-deadline-ms": 1700000000123,
          "lambda-runtime-invoked-function-arn": "arn:aws:lambda:us-east-1:000000000000:function:f",
          "lambda-runtime-trace-id": "Root=1-abc",
        },
      });
      expect(server.seen[0]).toMatchObject({ method: "GET", url: "/2018-06-01/runtime/invocation/next" });
    } finally {
      connection.close();
      await server.close();
    }
  });

  test("next: a refusal rejects with the status, as the compiled client's error does", async () => {
    const server = await recordingServer((_req, res) => res.writeHead(500).end());
    const connection = OrderedConnection.fromAddress(server.address);
    try {
      await expect(nextInvocation(connection)).rejects.toThrow("Failed to get next invocation, error 500");
    } finally {
      connection.close();
      await server.close();
    }
  });

  test("response and error: JSON bodies to /response and /error, the X-Ray cause as an ASCII header", async () => {
    const server = await recordingServer(ok);
    const connection = OrderedConnection.fromAddress(server.address);
    try {
      expect(await postResult(connection, "response", "id%2F1", '{"ok":"🚗"}')).toBe(202);
      expect(await postResult(connection, "error", "id%2F1", '{"errorType":"E"}', '{"message":"🚗"}')).toBe(202);
      const [response, error] = server.seen;
      expect(response).toMatchObject({ method: "POST", url: "/2018-06-01/runtime/invocation/id%2F1/response", body: '{"ok":"🚗"}' });
      expect(response.headers["content-type"]).toBe("application/json");
      expect(response.headers["content-length"]).toBe(String(Buffer.byteLength('{"ok":"🚗"}')));
      expect(response.headers["lambda-runtime-function-xray-error-cause"]).toBeUndefined();
      expect(error).toMatchObject({ url: "/2018-06-01/runtime/invocation/id%2F1/error", body: '{"errorType":"E"}' });
      expect(JSON.parse(error.headers["lambda-runtime-function-xray-error-cause"] as string)).toEqual({ message: "🚗" });
    } finally {
      connection.close();
      await server.close();
    }
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
