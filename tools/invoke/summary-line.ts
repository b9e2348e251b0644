// The one-line summary `npm run invoke` prints to stderr after the body, the same for a Function
// URL and for --api: status, time to first byte, total time, bytes, throughput.

/** What the line reports: a URL's response (stream-request.ts) or an InvokeWithResponseStream call (stream-invocation.ts). */
export interface SummaryFigures {
  readonly status: number;
  readonly statusText: string;
  readonly firstByteMs: number;
  readonly totalMs: number;
  readonly bytes: number;
  readonly truncated: boolean;
}

/** The one-line summary: status, time to first byte, total time, bytes, throughput. */
export function formatSummary(summary: SummaryFigures): string {
  const mbPerS = summary.totalMs > 0 ? summary.bytes / 1024 / 1024 / (summary.totalMs / 1000) : 0;
  return (
    `${summary.status} ${summary.statusText} · first byte ${summary.firstByteMs.toFixed(1)} ms · total ${summary.totalMs.toFixed(1)} ms · ` +
    `${summary.bytes.toLocaleString("en-US")} bytes · ${mbPerS.toFixed(1)} MiB/s${summary.truncated ? " · cut short" : ""}`
  );
}
