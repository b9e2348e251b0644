// A blocking request made by a child Node.js process, for when the one connection cannot carry it
// (a new connection needs the event loop, which a blocking call stops): slow (a process start),
// and rare (a `next` is waiting on the connection, or the Runtime API closed it while idle).

import { BlockingDeadlineError } from "./blocking-io";
import type { RuntimeRequest } from "./http-wire";

/** The child: the request from its arguments, the body from stdin, the status on stdout. */
const CHILD = `
const [host, port, method, path, headers] = process.argv.slice(1);
const body = [];
process.stdin.on("data", (part) => body.push(part)).on("end", () => {
  const request = require("node:http").request({ host, port: Number(port), method, path, headers: JSON.parse(headers), agent: false }, (answer) => {
    answer.resume().on("end", () => process.stdout.write(String(answer.statusCode)));
  });
  request.on("error", (error) => {
    process.stderr.write(error.message);
    process.exitCode = 1;
  });
  request.end(Buffer.concat(body));
});`;

/** The child process failed to make the request. */
class BlockingChildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BlockingChildError";
  }
}

/** Makes `request` to `hostname:port` in a child process; returns the answer's status. */
export function requestInChild(hostname: string, port: number, request: RuntimeRequest, deadlineMs: number): number {
  const body = Buffer.from(request.body ?? "", "utf8");
  const headers = { ...request.headers, ...(request.method === "POST" ? { "content-length": body.length } : {}) };
  // Loaded here, not with the bundle: it takes ~5 ms, on every cold start, for a call that is rare.
  const { spawnSync } = process.getBuiltinModule("node:child_process");
  const result = spawnSync(process.execPath, ["-e", CHILD, hostname, String(port), request.method, request.path, JSON.stringify(headers)], {
    input: body,
    timeout: Math.ceil(deadlineMs),
    // Nothing of the function's environment: NODE_OPTIONS such as --inspect would apply to the child too.
    env: {},
    stdio: ["pipe", "pipe", "pipe"],
  });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT") {
    throw new BlockingDeadlineError(`${request.method} ${request.path} from a child process`);
  }
  const status = Number(result.stdout?.toString());
  if (result.status !== 0 || !Number.isInteger(status) || status === 0) {
    const why = result.error?.message ?? (result.stderr?.toString().trim() || `exit code ${result.status ?? result.signal}`);
    throw new BlockingChildError(`${request.method} ${request.path} from a child process failed: ${why}`);
  }
  return status;
}
