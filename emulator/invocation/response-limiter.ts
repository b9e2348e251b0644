// What a streamed response may do on its way from the runtime to the client, as Lambda enforces
// it: at most 200 MiB, and past the first 6 MB at most 2 MB/s. A transform between the two, so
// backpressure still reaches the handler's writes.
// @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html#config-rs-bandwidth-cap

import { Transform, type TransformCallback } from "node:stream";
import { MAX_STREAMED_RESPONSE_BYTES, STREAM_HIGH_WATER_MARK, STREAMING_BANDWIDTH } from "../common/constants";

export interface ResponseLimits {
  /** Bytes after which the stream is cut. @default MAX_STREAMED_RESPONSE_BYTES */
  readonly maxBytes?: number;
  /** The rate cap, or undefined for none (`--bandwidth unlimited`). */
  readonly bandwidth?: { readonly burstBytes: number; readonly bytesPerSecond: number };
}

/** Lambda's own limits. */
export const LAMBDA_RESPONSE_LIMITS: ResponseLimits = { maxBytes: MAX_STREAMED_RESPONSE_BYTES, bandwidth: STREAMING_BANDWIDTH };

/** The response passed the streamed-response size limit and was cut there. */
export class OversizedResponseError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the response passed the ${maxBytes}-byte limit of a streamed response and was cut there`);
    this.name = "Function.ResponseSizeTooLarge";
  }
}

/**
 * Passes bytes through a token bucket (the bucket starts full at the burst size and refills at
 * the rate; RIE models the cap this way) and cuts the stream with OversizedResponseError once it
 * passes `maxBytes`, after forwarding the bytes up to the limit.
 */
export class ResponseLimiter extends Transform {
  /** Bytes passed on so far. */
  bytes = 0;
  private readonly maxBytes: number;
  private tokens: number;
  private refilledAt: number;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly limits: ResponseLimits = LAMBDA_RESPONSE_LIMITS,
    private readonly now: () => number = () => performance.now(),
  ) {
    super({ highWaterMark: STREAM_HIGH_WATER_MARK });
    this.maxBytes = limits.maxBytes ?? MAX_STREAMED_RESPONSE_BYTES;
    this.tokens = limits.bandwidth?.burstBytes ?? Number.POSITIVE_INFINITY;
    this.refilledAt = this.now();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const room = this.maxBytes - this.bytes;
    const allowed = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.forward(allowed).then(() => {
      if (allowed.length < chunk.length) {
        callback(new OversizedResponseError(this.maxBytes));
      } else {
        callback();
      }
    }, callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.timer);
    this.wake?.();
    callback(error);
  }

  /** Pushes `chunk`, in pieces as tokens allow. */
  private async forward(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length && !this.destroyed) {
      this.refill();
      if (this.tokens < 1) {
        await this.waitForTokens(Math.min(chunk.length - offset, 64 * 1024));
        continue;
      }
      const size = Math.min(chunk.length - offset, Math.floor(this.tokens));
      this.push(chunk.subarray(offset, offset + size));
      this.tokens -= size;
      this.bytes += size;
      offset += size;
    }
  }

  private refill(): void {
    const bandwidth = this.limits.bandwidth;
    if (!bandwidth) {
      return;
    }
    const now = this.now();
    this.tokens = Math.min(bandwidth.burstBytes, this.tokens + ((now - this.refilledAt) / 1000) * bandwidth.bytesPerSecond);
    this.refilledAt = now;
  }

  private waitForTokens(wanted: number): Promise<void> {
    const rate = this.limits.bandwidth?.bytesPerSecond ?? Number.POSITIVE_INFINITY;
    const ms = Math.max(1, Math.ceil(((wanted - this.tokens) / rate) * 1000));
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }
}
