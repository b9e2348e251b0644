// What makes a door a door: its name in the log, AWS's error shape for it, and its own words for a
// refusal. The Function URL and the Lambda API each describe themselves with one of these; the
// server skeleton, the input reader and the forwarder below them are the same for both.

import type * as http from "node:http";
import type { SigningAdvice } from "../auth/sigv4-verifier";
import type { LogSink } from "../common/log-sink";

export interface Door {
  /** How the log names it: "local Function URL", "local Lambda API". */
  readonly name: string;
  readonly log: LogSink;
  /** AWS's JSON error body for this door (the error type goes in `x-amzn-ErrorType`). */
  errorBody(status: number, errorType: string, message: string): string;
  /** How its 403 log lines explain a signature it refused: why it wants one, and what signs. */
  readonly signing: SigningAdvice;
  /** The log line for a refused request, in the door's own words. */
  refusalLine(status: number, errorType: string, requestId: string, reason: string): string;
}

/** `door` with some of its signing advice in other words (a door the local AWS serves, where npm start's are not true). */
export function withSigning(door: Door, signing: Partial<SigningAdvice> | undefined): Door {
  return signing ? { ...door, signing: { ...door.signing, ...signing } } : door;
}

/** An error answer in `door`'s shape; a response already under way is cut instead. */
export function sendError(door: Door, res: http.ServerResponse, status: number, errorType: string, message: string): void {
  sendErrorBody(res, status, errorType, door.errorBody(status, errorType, message));
}

/** AWS's error answer: a JSON `payload`, the type in `x-amzn-ErrorType`; a response already under way is cut instead. */
export function sendErrorBody(res: http.ServerResponse, status: number, errorType: string, payload: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(payload)),
    "x-amzn-ErrorType": errorType,
  });
  res.end(payload);
}

/** The same answer written straight to a socket that has no response object (a request Node could not parse). */
export function rawError(door: Door, status: number, statusText: string, errorType: string, message: string): string {
  const payload = door.errorBody(status, errorType, message);
  return (
    `HTTP/1.1 ${status} ${statusText}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(payload)}\r\nx-amzn-ErrorType: ${errorType}\r\n\r\n${payload}`
  );
}

/** Refuses a request: the door's log line (with `reason`, which the caller never sees) and its error answer. */
export function refuse(
  door: Door,
  res: http.ServerResponse,
  requestId: string,
  refusal: { readonly status: number; readonly errorType: string; readonly message: string; readonly reason?: string },
): void {
  door.log(door.refusalLine(refusal.status, refusal.errorType, requestId, refusal.reason ?? refusal.message));
  sendError(door, res, refusal.status, refusal.errorType, refusal.message);
}

/**
 * AWS's answer to an invoke payload over `limit` bytes, as AWS words it (the Function URL's event
 * and the Lambda API's payload alike).
 * @see https://github.com/pelmers/streetwarp-web/issues/14
 */
export function requestTooLarge(limit: number): { readonly status: 413; readonly errorType: string; readonly message: string } {
  return {
    status: 413,
    errorType: "RequestTooLargeException",
    message: `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
  };
}
