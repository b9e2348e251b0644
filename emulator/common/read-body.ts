// Reads a body into memory up to a limit, for every reader in the project: a door's request body,
// a buffered /response, an /error body, a streamed response collected for a BUFFERED URL.

import type { Readable } from "node:stream";
import { finished } from "node:stream/promises";

export interface ReadBodyOptions {
  /**
   * Past the limit: "drop" reads the rest and drops it (so the writer is never blocked), and
   * resolves at the end; "stop" resolves at once and leaves the rest unread, paused, for the
   * caller to drain or refuse. @default "drop"
   */
  readonly overLimit?: "drop" | "stop";
}

/**
 * The whole body, or undefined once it passes `limit` bytes. Rejects when the stream errors or
 * closes before its end.
 */
export function readBody(body: Readable, limit: number, options: ReadBodyOptions = {}): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      body.off("data", onData);
      body.off("end", onEnd);
      body.off("error", reject);
      body.off("close", onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
      } else if (options.overLimit === "stop") {
        stop();
        body.pause();
        resolve(undefined);
      }
    };
    const onEnd = (): void => {
      stop();
      resolve(size <= limit ? Buffer.concat(chunks) : undefined);
    };
    const onClose = (): void => {
      stop();
      reject(new Error("the body was cut off before its end"));
    };
    body.on("data", onData);
    body.once("end", onEnd);
    body.once("error", reject);
    body.once("close", onClose);
  });
}

/** Resolves once `stream`'s readable side has ended or the stream closed, cut off or not (at once if it has). */
export function streamClosed(stream: Readable): Promise<void> {
  return finished(stream, { writable: false }).catch(() => undefined);
}
