// Reads a body into memory up to a limit: a buffered /response, an /error body, or a streamed
// response collected for a BUFFERED URL.

import type { Readable } from "node:stream";

/**
 * The whole body, or undefined once it passes `limit` bytes (the rest is read and dropped).
 * Rejects when the stream errors or closes before its end.
 */
export function readBody(body: Readable, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let ended = false;
    body.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
      }
    });
    body.once("end", () => {
      ended = true;
      resolve(size <= limit ? Buffer.concat(chunks) : undefined);
    });
    body.once("error", reject);
    body.once("close", () => {
      if (!ended) {
        reject(new Error("the body was cut off before its end"));
      }
    });
  });
}
