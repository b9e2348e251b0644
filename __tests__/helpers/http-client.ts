// A small HTTP client for end-to-end tests that records when each chunk arrived.

import * as http from "node:http";

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
}

/** Sends a request and reads the whole response, noting arrival times. */
export function send(url: string, options: RequestOptions = {}): Promise<RecordedResponse> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(url, { method: options.method ?? "GET", headers: options.headers, agent: false }, (res) => {
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
