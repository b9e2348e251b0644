// The log lines Lambda writes around each invocation, in the shape people know from CloudWatch.
// @see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html

export interface ReportFields {
  readonly requestId: string;
  readonly durationMs: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb?: number;
  /** Only on a cold start. */
  readonly initDurationMs?: number;
  /** "timeout" or "error" when the invocation did not succeed. */
  readonly status?: "timeout" | "error";
  readonly errorType?: string;
}

export function startLine(requestId: string): string {
  return `START RequestId: ${requestId} Version: $LATEST`;
}

export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}`;
}

export function timeoutLine(requestId: string, timeoutSeconds: number, now: Date = new Date()): string {
  return `${now.toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

/** `REPORT RequestId: … Duration: … Billed Duration: … Memory Size: … Max Memory Used: …`. */
export function reportLine(fields: ReportFields): string {
  const parts = [
    `REPORT RequestId: ${fields.requestId}`,
    `Duration: ${fields.durationMs.toFixed(2)} ms`,
    // Lambda bills in 1 ms increments, rounded up.
    `Billed Duration: ${Math.ceil(fields.durationMs)} ms`,
    `Memory Size: ${fields.memorySizeMb} MB`,
    `Max Memory Used: ${fields.maxMemoryUsedMb === undefined ? "n/a" : `${fields.maxMemoryUsedMb} MB`}`,
  ];
  if (fields.initDurationMs !== undefined) {
    parts.push(`Init Duration: ${fields.initDurationMs.toFixed(2)} ms`);
  }
  if (fields.status) {
    parts.push(`Status: ${fields.status}`);
  }
  if (fields.errorType) {
    parts.push(`Error Type: ${fields.errorType}`);
  }
  return `${parts.join("\t")}\t`;
}

/** `INIT_REPORT Init Duration: … Phase: init Status: error Error Type: …`, after a failed init. */
export function initReportLine(fields: { initDurationMs: number; status: "error" | "timeout"; errorType?: string }): string {
  const parts = [`INIT_REPORT Init Duration: ${fields.initDurationMs.toFixed(2)} ms`, "Phase: init", `Status: ${fields.status}`];
  if (fields.errorType) {
    parts.push(`Error Type: ${fields.errorType}`);
  }
  return parts.join("\t");
}
