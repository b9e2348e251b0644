// A stand-in Runtime API in its own process, for the transport's blocking calls: they block the
// thread that makes them, so the server that answers cannot share it. It records every request
// with the connection that carried it, and answers by what the path ends with (SERVER says how).

import { spawn } from "node:child_process";
import { once } from "node:events";

export interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Which connection (1, 2, …) carried it. */
  readonly connection: number;
}

/**
 * The server. By the path's end:
 *   /next           an event (request id "r1"), or nothing while `holdNext` is set
 *   /hold/…, /hold  nothing, ever                /held   nothing until /release
 *   /drop           the connection destroyed     /close  an answer with Connection: close
 *   /chunked        a chunked answer             /extra  an answer; /stray then sends bytes on its connection
 *   /garbage        bytes that are not HTTP      /close-idle  closes every idle connection, then 204
 *   anything else   202 {"status":"OK"}
 */
const SERVER = `
const http = require("node:http");
const { holdNext } = JSON.parse(process.argv[1]);
let connections = 0;
const held = [];
let extra;
const server = http.createServer((req, res) => {
  const parts = [];
  req.on("data", (part) => parts.push(part));
  req.on("end", () => {
    const url = req.url;
    const seen = { method: req.method, url, headers: req.headers, body: Buffer.concat(parts).toString(), connection: req.socket.id };
    process.stdout.write(JSON.stringify(seen) + "\\n");
    if (url.endsWith("/next")) {
      if (!holdNext) res.writeHead(200, { "lambda-runtime-aws-request-id": "r1", "lambda-runtime-deadline-ms": "1" }).end('{"n":1}');
    } else if (url.endsWith("/held")) {
      held.push(res);
    } else if (url.endsWith("/release")) {
      for (const waiting of held.splice(0)) waiting.writeHead(202).end("{}");
      res.writeHead(204).end();
    } else if (url.endsWith("/close-idle")) {
      server.closeIdleConnections();
      res.writeHead(204).end();
    } else if (url.endsWith("/drop")) {
      req.socket.destroy();
    } else if (url.endsWith("/close")) {
      res.writeHead(200, { connection: "close" }).end("bye");
    } else if (url.endsWith("/chunked")) {
      res.writeHead(200);
      res.write("chun");
      setTimeout(() => res.end("ked"), 20);
    } else if (url.endsWith("/extra")) {
      extra = req.socket;
      res.writeHead(202).end("{}");
    } else if (url.endsWith("/stray")) {
      extra.write("unasked");
      res.writeHead(204).end();
    } else if (url.endsWith("/garbage")) {
      req.socket.end("nonsense\\r\\n\\r\\n");
    } else if (!url.includes("/hold")) {
      res.writeHead(202, { "content-type": "application/json" }).end('{"status":"OK"}');
    }
  });
});
server.keepAliveTimeout = 0;
server.on("connection", (socket) => { socket.id = ++connections; });
server.listen(0, "127.0.0.1", () => process.stdout.write("listening " + server.address().port + "\\n"));
`;

export interface RuntimeApiDouble {
  readonly hostname: string;
  readonly port: number;
  /** `host:port`, as in AWS_LAMBDA_RUNTIME_API. */
  readonly address: string;
  /** Every request so far, in the order the server read them. */
  readonly seen: Seen[];
  /** Resolves once `count` requests have been seen (rejects after 10 s). */
  waitForSeen(count: number): Promise<Seen[]>;
  /**
   * A request of the test's own, on a connection of its own (not recorded as the transport's);
   * resolves with its status once everything the server read before it is in `seen`.
   */
  control(path: string): Promise<number>;
  stop(): Promise<void>;
}

/** Starts the double in a child process and waits until it listens. */
export async function startRuntimeApiDouble(options: { holdNext?: boolean } = {}): Promise<RuntimeApiDouble> {
  const child = spawn(process.execPath, ["-e", SERVER, JSON.stringify({ holdNext: options.holdNext === true })], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = once(child, "exit");
  const seen: Seen[] = [];
  const waiters: Array<() => void> = [];
  let port = 0;
  const controlsSeen = new Set<number>();
  let controls = 0;
  /** Resolves once `done()` holds (rejects after 10 s, saying what `failure()` says). */
  const until = (done: () => boolean, failure: () => string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(failure())), 10_000);
      const check = (): void => {
        if (done()) {
          clearTimeout(deadline);
          resolve();
        } else {
          waiters.push(check);
        }
      };
      check();
    });
  let lines = "";
  const listening = new Promise<void>((resolve, reject) => {
    void exited.then(([code]) => reject(new Error(`the Runtime API double exited (${code}) before it listened`)));
    child.stdout.on("data", (chunk: Buffer) => {
      lines += chunk.toString();
      for (let end = lines.indexOf("\n"); end >= 0; end = lines.indexOf("\n")) {
        const line = lines.slice(0, end);
        lines = lines.slice(end + 1);
        const listen = /^listening (\d+)$/.exec(line);
        if (listen) {
          port = Number(listen[1]);
          resolve();
        } else {
          const request = JSON.parse(line) as Seen;
          const control = /^\/--control--\/(\d+)\//.exec(request.url);
          if (control) controlsSeen.add(Number(control[1]));
          else seen.push(request);
          for (const wake of waiters.splice(0)) wake();
        }
      }
    });
  });
  await listening;
  return {
    hostname: "127.0.0.1",
    port,
    address: `127.0.0.1:${port}`,
    seen,
    waitForSeen: async (count) => {
      await until(
        () => seen.length >= count,
        () => `saw ${seen.length} requests, not ${count}, within 10 s`,
      );
      return seen;
    },
    control: async (path) => {
      controls += 1;
      const id = controls;
      const { status } = await fetch(`http://127.0.0.1:${port}/--control--/${id}${path}`);
      await until(
        () => controlsSeen.has(id),
        () => `the control request ${path} was answered but not reported within 10 s`,
      );
      return status;
    },
    stop: async () => {
      child.kill("SIGKILL");
      await exited;
    },
  };
}
