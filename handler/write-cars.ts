// Writes the 🚗 body to a stream progressively: `chunk` cars per write, `delay` ms apart,
// waiting for `drain` whenever the stream says its buffer is full. The body is never built
// whole: at most one chunk's worth of bytes exists at a time.

import { once } from "node:events";
import type { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { CAR, CAR_BYTES, type StreamOptions } from "./stream-options";

/**
 * `cars` copies of `car` as one buffer, built once per request and reused for every full write.
 * Its length comes from the encoded character and `Buffer.alloc` fills every byte with it, so
 * the buffer never holds memory it did not write (unlike `Buffer.allocUnsafe`, whose contents
 * are whatever was there before: https://nodejs.org/api/buffer.html#static-method-bufferallocunsafesize).
 */
export function carBuffer(cars: number, car: string = CAR): Buffer {
  const one = Buffer.from(car, "utf8");
  return Buffer.alloc(cars * one.length, one);
}

/**
 * Streams `options.count` cars into `stream` and resolves once the last write was accepted.
 * It does not end the stream: the caller owns it. `pause` waits between writes (injectable so
 * tests need not wait for real time).
 *
 * Rejects if the stream errors or closes while it waits for `drain`, so a handler never hangs on
 * a consumer that has gone away.
 */
export async function writeCars(stream: Writable, options: StreamOptions, pause: (ms: number) => Promise<unknown> = sleep): Promise<void> {
  const perWrite = Math.min(options.chunk, options.count);
  const full = carBuffer(perWrite);
  let left = options.count;
  while (left > 0) {
    const cars = Math.min(options.chunk, left);
    // A full chunk is the same immutable bytes every time, so one buffer serves every write.
    const accepted = stream.write(cars === perWrite ? full : full.subarray(0, cars * CAR_BYTES));
    left -= cars;
    if (!accepted) {
      await waitForDrain(stream);
    }
    if (options.delay > 0 && left > 0) {
      await pause(options.delay);
    }
  }
}

async function waitForDrain(stream: Writable): Promise<void> {
  if (stream.destroyed) {
    throw new ClientGoneError();
  }
  // Both waits are cancelled once either settles, so no listener outlives this call.
  const done = new AbortController();
  try {
    await Promise.race([
      // `once` also rejects on the stream's "error" event.
      once(stream, "drain", { signal: done.signal }),
      once(stream, "close", { signal: done.signal }).then(() => {
        throw new ClientGoneError();
      }),
    ]);
  } finally {
    done.abort();
  }
}

/** The response stream closed while the handler was still writing. */
export class ClientGoneError extends Error {
  constructor() {
    super("the response stream closed before the 🚗 stream was complete; the client has gone away");
    this.name = "ClientGoneError";
  }
}
