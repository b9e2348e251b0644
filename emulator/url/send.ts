// Sending a whole answer on the Function URL: a response in one piece (headers checked before any
// byte goes), Lambda's 502, and AWS's JSON error shape (the door's description of itself). Nothing is half-sent: a header Node
// refuses undoes the ones set before it.

import type * as http from "node:http";
import type { LogSink } from "../common/log-sink";
import { type Door, sendErrorBody } from "../door/door";
import type { HttpResponseOutput } from "./buffered-result";

/** Sends a whole response; throws if Node refuses its status or headers (nothing is sent then). */
export function sendBuffered(res: http.ServerResponse, output: HttpResponseOutput): void {
  const headers: Record<string, string | string[]> = { ...withVary(res, output.headers), "content-length": String(output.body.length) };
  if (output.statusCode === 204) {
    // A 204 has no content, and must not say it has: https://www.rfc-editor.org/rfc/rfc9110#section-8.6
    delete headers["content-length"];
  }
  if (output.cookies.length > 0) {
    headers["set-cookie"] = [...output.cookies];
  }
  undoHeadersIfThrows(res, () => res.writeHead(output.statusCode, headers));
  res.end(output.body);
}

/**
 * `headers` with the function's `vary` joined to the one the URL set already (CORS's Origin),
 * which writeHead would otherwise replace.
 */
export function withVary(res: http.ServerResponse, headers: Readonly<Record<string, string>>): Record<string, string> {
  const own = res.getHeader("vary");
  return own === undefined || headers.vary === undefined ? { ...headers } : { ...headers, vary: `${headers.vary}, ${String(own)}` };
}

/** Runs `write`; if Node refuses a header, removes the ones it had set already, and rethrows. */
export function undoHeadersIfThrows(res: http.ServerResponse, write: () => void): void {
  const before = new Set(res.getHeaderNames());
  try {
    write();
  } catch (error) {
    for (const name of res.getHeaderNames()) {
      if (!before.has(name)) res.removeHeader(name);
    }
    throw error;
  }
}

/** Lambda's answer when the function's response cannot be used. */
export function sendBadGateway(res: http.ServerResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(502, { "content-type": "text/plain", "content-length": "21" });
  res.end("Internal Server Error");
}

/** AWS's error shape for a Function URL: `{"Message": …}` with the error type in `x-amzn-ErrorType`. */
export function sendJson(res: http.ServerResponse, status: number, body: { Message: string }, errorType: string): void {
  sendErrorBody(res, status, errorType, JSON.stringify(body));
}

/** The Function URL as a door: its error shape, and its log lines (`403 for RequestId: …: why`). */
export function functionUrlDoor(log: LogSink): Door {
  return {
    name: "local Function URL",
    log,
    errorBody: (_status, _errorType, message) => JSON.stringify({ Message: message }),
    signing: {
      target: "this URL",
      required: "the URL's auth type is AWS_IAM",
      signWith: (region) => `curl --aws-sigv4 "aws:amz:${region}:lambda", as in the curl line npm start prints`,
      invokeCommand: "npm run invoke -- --local",
    },
    refusalLine: (status, _errorType, requestId, reason) => `${status} for RequestId: ${requestId}: ${reason}`,
  };
}
