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
  const bytesPerS = summary.totalMs > 0 ? summary.bytes / (summary.totalMs / 1000) : 0;
  return (
    `${summary.status} ${summary.statusText} · first byte ${summary.firstByteMs.toFixed(1)} ms · total ${summary.totalMs.toFixed(1)} ms · ` +
    `${summary.bytes.toLocaleString("en-US")} bytes · ${formatRate(bytesPerS)}${summary.truncated ? " · cut short" : ""}`
  );
}

/** A throughput in the largest unit (B/s, KiB/s, MiB/s) in which it is at least 1, so a small response does not read 0.0. */
function formatRate(bytesPerS: number): string {
  if (bytesPerS >= 1024 * 1024) return `${(bytesPerS / 1024 / 1024).toFixed(1)} MiB/s`;
  if (bytesPerS >= 1024) return `${(bytesPerS / 1024).toFixed(1)} KiB/s`;
  return `${bytesPerS.toFixed(0)} B/s`;
}
