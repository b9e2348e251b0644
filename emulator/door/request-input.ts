// An invocation's input as both doors read it, in AWS's order: the request's headers (joined as
// Lambda joins them), its body up to the 6 MB invoke payload limit (413 before any signature is
// checked, so an oversized body is never blamed on the key), then its SigV4 signature.

import type * as http from "node:http";
import { type Verification, verifySigV4 } from "../auth/sigv4-verifier";
import type { KeyRing } from "../auth/verifier-credentials";
import { MAX_DRAINED_REQUEST_BYTES, MAX_REQUEST_BODY_BYTES } from "../common/constants";
import { readBody } from "../common/read-body";
import { joinHeaders } from "../common/request-headers";
import { type Door, refuse, requestTooLarge } from "./door";

export interface RequestInput {
  /** Lower-cased names, repeats joined with commas, hop-by-hop headers left out. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/**
 * The request's headers and whole body; undefined once the door has refused it (413: the body is
 * over 6 MB, declared or as read) or the client has gone.
 */
export async function readRequestInput(
  door: Door,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  requestId: string,
): Promise<RequestInput | undefined> {
  const headers = joinHeaders(req.rawHeaders);
  const declared = Number(req.headers["content-length"] ?? 0);
  const body =
    declared > MAX_REQUEST_BODY_BYTES ? undefined : await readBody(req, MAX_REQUEST_BODY_BYTES, { overLimit: "stop" }).catch(() => null);
  if (body === null) {
    return undefined;
  }
  if (body === undefined) {
    refuseTooLarge(door, req, res, requestId, declared);
    return undefined;
  }
  return { headers, body };
}

/**
 * AWS's 413, sent at once. The rest of the body is then read and dropped, up to
 * MAX_DRAINED_REQUEST_BYTES in all, and the connection kept: closing it with bytes unread would
 * send a TCP reset, and the client's system would drop the 413 it had not read yet. A body
 * declared or found larger than that bound is cut off: the connection is closed.
 */
function refuseTooLarge(door: Door, req: http.IncomingMessage, res: http.ServerResponse, requestId: string, declared: number): void {
  if (declared > MAX_DRAINED_REQUEST_BYTES) {
    res.setHeader("connection", "close");
  } else {
    // A body refused as it was read had passed the limit already: that counts toward the bound.
    let drained = declared > MAX_REQUEST_BODY_BYTES ? 0 : MAX_REQUEST_BODY_BYTES;
    req.on("data", (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > MAX_DRAINED_REQUEST_BYTES) req.socket.destroy();
    });
    req.resume();
  }
  const size = declared > MAX_REQUEST_BODY_BYTES ? `declares ${declared} bytes` : "goes on past it";
  refuse(door, res, requestId, {
    ...requestTooLarge(MAX_REQUEST_BODY_BYTES),
    reason: `the request's body ${size}: an invoke payload may be at most ${MAX_REQUEST_BODY_BYTES} bytes`,
  });
}

/**
 * Checks the request's SigV4 signature against the door's key pair; when it fails and the pair can
 * rotate (an AWS profile's), against the newest pair once more before refusing.
 */
export async function checkSignature(
  door: Door,
  keys: KeyRing,
  request: { readonly method: string; readonly url: string; readonly input: RequestInput },
  region: string,
): Promise<Verification> {
  const credentials = keys.credentials;
  if (!credentials) {
    throw new Error(`${door.name} has no credentials to check signatures against`);
  }
  const signed = { method: request.method, url: request.url, headers: request.input.headers, body: request.input.body };
  const verification = await verifySigV4(signed, credentials, region, door.signing);
  if (verification.ok) {
    return verification;
  }
  // Temporary credentials from a profile rotate: check against the newest pair before refusing.
  const renewed = await keys.renew();
  if (!renewed) {
    return verification;
  }
  door.log(`The AWS profile's credentials changed (now ${renewed.accessKeyId}); signatures are checked against them.`);
  return verifySigV4(signed, renewed, region, door.signing);
}
