// A request's body for the Function URL, read up to Lambda's 6 MB invoke payload limit: an
// oversized one is answered 413 at once, and the rest of it drained (a bounded amount) so the
// client reads the 413 rather than a reset connection.

import type * as http from "node:http";
import { MAX_DRAINED_REQUEST_BYTES, MAX_REQUEST_BODY_BYTES } from "../common/constants";
import { sendJson } from "./send";

/** Reads the request body; answers 413 and returns undefined when it passes 6 MB. */
export function readRequestBody(req: http.IncomingMessage, res: http.ServerResponse): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = (): void => {
      req.off("data", onData);
      refuseTooLarge(req, res, size);
      resolve(undefined);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_REQUEST_BODY_BYTES) {
        tooLarge();
        return;
      }
      chunks.push(chunk);
    };
    if (Number(req.headers["content-length"] ?? 0) > MAX_REQUEST_BODY_BYTES) {
      return tooLarge();
    }
    req.on("data", onData);
    req.once("end", () => resolve(size > MAX_REQUEST_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    req.once("error", () => resolve(undefined));
  });
}

/**
 * AWS's 413 for a request over 6 MB, sent at once. The rest of the body is then read and dropped,
 * up to MAX_DRAINED_REQUEST_BYTES in all (`read` so far), and the connection kept: closing it with
 * bytes unread would send a TCP reset, and the client's system would drop the 413 it had not read
 * yet. A body declared or found larger than that bound is cut off: the connection is closed.
 */
export function refuseTooLarge(req: http.IncomingMessage, res: http.ServerResponse, read: number): void {
  let drained = read;
  if (Number(req.headers["content-length"] ?? 0) > MAX_DRAINED_REQUEST_BYTES) {
    res.setHeader("connection", "close");
  } else {
    req.on("data", (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > MAX_DRAINED_REQUEST_BYTES) {
        req.socket.destroy();
      }
    });
    req.resume();
  }
  sendTooLarge(res);
}

/**
 * AWS's answer to a request (the event built from it) over 6 MB, its message as AWS words it.
 * @see https://github.com/pelmers/streetwarp-web/issues/14
 */
export function sendTooLarge(res: http.ServerResponse): void {
  sendJson(
    res,
    413,
    { Message: `Request must be smaller than ${MAX_REQUEST_BODY_BYTES} bytes for the InvokeFunction operation` },
    "RequestTooLargeException",
  );
}
