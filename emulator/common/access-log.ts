// One access-log line per request, for both doors: who, what, the status, how long, the request
// id, and whether the answer was cut short.

import type * as http from "node:http";
import type { LogSink } from "./log-sink";

/** One access-log line per request, once its response is done or cut short. */
export function logWhenClosed(req: http.IncomingMessage, res: http.ServerResponse, requestId: string, log: LogSink): void {
  const started = performance.now();
  res.once("close", () => {
    const ms = (performance.now() - started).toFixed(1);
    log(
      `${req.socket.remoteAddress ?? "-"} "${req.method} ${req.url} HTTP/${req.httpVersion}" ${res.statusCode} ${ms} ms RequestId: ${requestId}${res.writableFinished ? "" : " (cut short)"}`,
    );
  });
}
