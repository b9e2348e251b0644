// Sends one GET to a Function URL (signed by sign-request.ts when credentials are given), streams
// the body to a writable as it arrives, and measures it.

import * as http from "node:http";
import * as https from "node:https";
import type { Writable } from "node:stream";
import * as tls from "node:tls";
import type { SummaryFigures } from "./summary-line";

/**
 * The summary line's figures for a Function URL's response: `firstByteMs` runs from sending the
 * request to the first body byte (or the headers, if none); `truncated`, the response ended
 * without its terminating chunk.
 */
export interface StreamSummary extends SummaryFigures {
  readonly headers: http.IncomingHttpHeaders;
}

/**
 * GETs `url` with `headers`, copying the body into `sink` (with backpressure) or dropping it. `ca`
 * is a certificate authority to trust besides the system's (the local AWS's, for its CloudFront).
 */
export function streamRequest(url: URL, headers: Record<string, string>, sink: Writable | undefined, ca?: string): Promise<StreamSummary> {
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const trust = ca === undefined ? {} : { ca: [...tls.rootCertificates, ca] };
    const req = client.request(url, { method: "GET", headers, agent: false, ...trust }, (res) => {
      let firstByteMs: number | undefined;
      let bytes = 0;
      res.on("data", (chunk: Buffer) => {
        firstByteMs ??= performance.now() - started;
        bytes += chunk.length;
      });
      const headersMs = performance.now() - started;
      const finish = (truncated: boolean): void =>
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? "",
          headers: res.headers,
          firstByteMs: firstByteMs ?? headersMs,
          totalMs: performance.now() - started,
          bytes,
          truncated,
        });
      if (sink) {
        res.pipe(sink, { end: false });
      } else {
        res.resume();
      }
      res.once("end", () => finish(false));
      res.once("aborted", () => finish(true));
      res.once("error", () => finish(true));
    });
    req.once("error", reject);
    req.end();
  });
}
