// The Runtime API's answers to the runtime, as RIE gives them: 202 for an answer taken, 400, 403
// for a call the invocation's state does not allow, RIE's 413 over the payload limit, 500, and Go's
// plain answers to HTTP it cannot parse.
// @see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html

import type * as http from "node:http";
import { MAX_BUFFERED_RESPONSE_BYTES } from "../common/constants";
import { readBody } from "../common/read-body";
import { runtimeApiError, truncatedError } from "./error-body";
import type { Invocation } from "./invocation";

/**
 * Reads a buffered `/response` or an `/error` body (the invocation's one answer has begun), then
 * answers the runtime 202 and hands the body to `accept`; over the payload limit, RIE's 413; a body
 * cut off, the invocation truncated.
 */
export function readAnswer(
  invocation: Invocation,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  accept: (body: Buffer) => void,
): void {
  invocation.reading();
  readBody(req, MAX_BUFFERED_RESPONSE_BYTES)
    .then(
      (body) => {
        if (body === undefined) {
          refuseTooLarge(res, invocation);
          return;
        }
        reply(res, 202, { status: "OK" });
        accept(body);
      },
      () => invocation.complete({ error: truncatedError(), truncated: true }),
    )
    .catch(() => internalError(res));
}

/** RIE's 403 for a call the invocation's state does not allow (an `/error` while a stream flows). */
export function refuseTransition(req: http.IncomingMessage, res: http.ServerResponse, invocation: Invocation, to: string): void {
  req.resume();
  reply(res, 403, runtimeApiError("InvalidStateTransition", `State transition from ${invocation.state} to ${to} failed for runtime.`));
}

/** A failure inside the Runtime API itself: RIE's 500; the server keeps serving. */
export function internalError(res: http.ServerResponse): void {
  reply(res, 500, runtimeApiError("InternalServerError", "Internal Server Error"));
}

/**
 * RIE's 413 for a body over the Runtime API's payload limit; the invocation, if any, then fails
 * with `Function.ResponseSizeTooLarge`.
 */
export function refuseTooLarge(res: http.ServerResponse, invocation?: Invocation): void {
  const errorMessage = `Exceeded maximum allowed payload size (${MAX_BUFFERED_RESPONSE_BYTES} bytes).`;
  reply(res, 413, runtimeApiError("RequestEntityTooLarge", errorMessage));
  invocation?.complete({ error: { errorType: "Function.ResponseSizeTooLarge", errorMessage } });
}

/** The HTTP answer Go's server (RIE's) gives to a request it cannot parse. */
export const BAD_REQUEST =
  "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request";
/** Go's answer to headers over its limit. */
export const HEADERS_TOO_LARGE =
  "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n431 Request Header Fields Too Large";

/** A JSON answer, unless the connection is already answered or gone. */
export function reply(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) {
    return;
  }
  const payload = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(payload) });
  res.end(payload);
}
