// A small HTTP client for end-to-end tests that records when each chunk arrived.

import * as http from "node:http";
import * as https from "node:https";

export interface RecordedResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  /** Milliseconds from sending the request to each chunk's arrival, with its size. */
  readonly chunks: ReadonlyArray<{ readonly at: number; readonly bytes: number }>;
  /** The response ended without its terminating chunk. */
  readonly truncated: boolean;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: http.OutgoingHttpHeaders;
  readonly body?: string | Buffer;
  /** For an https URL: the certificate authorities to trust (PEM). @default Node's own */
  readonly ca?: string;
  /** For an https URL: accept any certificate, as `curl -k` does. @default false */
  readonly insecure?: boolean;
}

/** Sends a request (http or https) and reads the whole response, noting arrival times. */
export function send(url: string, options: RequestOptions = {}): Promise<RecordedResponse> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = url.startsWith("https:") ? https.request : http.request;
    const tls = { ...(options.ca === undefined ? {} : { ca: options.ca }), ...(options.insecure ? { rejectUnauthorized: false } : {}) };
    const req = request(url, { method: options.method ?? "GET", headers: options.headers, agent: false, ...tls }, (res) => {
      const chunks: { at: number; bytes: number }[] = [];
      const parts: Buffer[] = [];
      res.on("data", (chunk: Buffer) => {
        chunks.push({ at: performance.now() - started, bytes: chunk.length });
        parts.push(chunk);
      });
      const done = (truncated: boolean): void =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts), chunks, truncated });
      res.once("end", () => done(false));
      res.once("aborted", () => done(true));
      res.once("error", () => done(true));
    });
    req.once("error", reject);
    req.end(options.body);
  });
}

/**
 * Whether `res` arrived as a stream of `pieces` equal writes made `gapMs` apart: the first read
 * holds only some of them, and the time between the first read and the last is at least what the
 * writes after the first read took. Holds however late the client reads (a loaded machine merges
 * reads): a read that came late simply holds more pieces, and the bound shrinks with them.
 */
export function arrivedProgressively(res: RecordedResponse, pieces: number, gapMs: number): { ok: boolean; detail: string } {
  const pieceBytes = res.body.length / pieces;
  const inFirst = Math.ceil(res.chunks[0].bytes / pieceBytes);
  const spreadMs = res.chunks[res.chunks.length - 1].at - res.chunks[0].at;
  // The first read came before piece inFirst + 1 was written, and the last piece was written
  // (pieces - inFirst) gaps after piece inFirst; timers fire late, never much early (0.9).
  const minimumMs = Math.max(0, pieces - inFirst - 1) * gapMs * 0.9;
  return {
    ok: inFirst < pieces && spreadMs >= minimumMs,
    detail: `first read held ${inFirst} of ${pieces} pieces; ${spreadMs.toFixed(0)} ms from first read to last (at least ${minimumMs.toFixed(0)} expected)`,
  };
}

declare global {
  namespace jest {
    interface Matchers<R> {
      /** `expect(res).toArriveProgressively(pieces, gapMs)`: arrivedProgressively, its detail in the failure message. */
      toArriveProgressively(pieces: number, gapMs: number): R;
    }
  }
}

expect.extend({
  toArriveProgressively(res: RecordedResponse, pieces: number, gapMs: number) {
    const { ok, detail } = arrivedProgressively(res, pieces, gapMs);
    const expected = `${pieces} writes ${gapMs} ms apart`;
    return {
      pass: ok,
      message: () =>
        ok
          ? `expected not to arrive progressively as ${expected}: ${detail}`
          : `expected to arrive progressively as ${expected}: ${detail}`,
    };
  },
});
