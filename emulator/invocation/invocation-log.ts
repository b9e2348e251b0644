// The log lines of an invocation, as Lambda writes them: START, the function's output, the timeout
// line, the Invoke Error line, END and REPORT, each to the server's log and to the invocation's
// tail (what the Lambda API's X-Amz-Log-Type: Tail returns); and INIT_REPORT for a failed init.

import type { FunctionConfig } from "../common/function-config";
import type { FunctionError } from "../common/function-error";
import type { LogSink } from "../common/log-sink";
import type { InvocationEnd } from "../environment/execution-environment";
import type { InitError } from "../environment/init-phase";
import { endLine, initReportLine, reportLine, startLine, timeoutLine } from "./lambda-log";
import { LogTail } from "./log-tail";

export interface InvocationOutcome {
  readonly end: InvocationEnd;
  /** The error the runtime reported, if any. */
  readonly error?: FunctionError;
  readonly maxMemoryUsedMb?: number;
  /** Only on a cold start. */
  readonly initDurationMs?: number;
}

export class InvocationLog {
  private readonly tail = new LogTail();
  private readonly started = performance.now();

  /** Writes START. The function's output reaches the tail through `output`. */
  constructor(
    private readonly requestId: string,
    private readonly fn: FunctionConfig,
    private readonly sink: LogSink,
  ) {
    this.line(startLine(requestId));
  }

  /** A line of the function's output (already in the server's log): for the tail only. */
  readonly output = (line: string): void => this.tail.add(line);

  /** The timeout line, when the timeout passes. */
  timedOut(): void {
    this.line(timeoutLine(this.requestId, this.fn.timeoutSeconds));
  }

  /** The error, END and REPORT lines; returns the tail (base64). */
  finish(outcome: InvocationOutcome): string {
    const { requestId } = this;
    const error = outcome.end.kind === "died" ? outcome.end.error : outcome.error;
    if (error && outcome.end.kind !== "timeout") {
      this.line(`${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error\t${JSON.stringify(error)}`);
    }
    this.line(endLine(requestId));
    this.line(
      reportLine({
        requestId,
        durationMs: performance.now() - this.started,
        memorySizeMb: this.fn.memoryMb,
        ...(outcome.maxMemoryUsedMb !== undefined ? { maxMemoryUsedMb: outcome.maxMemoryUsedMb } : {}),
        ...(outcome.initDurationMs !== undefined ? { initDurationMs: outcome.initDurationMs } : {}),
        ...(outcome.end.kind === "timeout"
          ? { status: "timeout" as const }
          : error
            ? { status: "error" as const, errorType: error.errorType }
            : {}),
      }),
    );
    return this.tail.base64();
  }

  private line(line: string): void {
    this.sink(line);
    this.tail.add(line);
  }
}

/** INIT_REPORT and the init error, as Lambda logs a failed init. */
export function logInitFailure(sink: LogSink, error: InitError): void {
  const { errorType, errorMessage } = error.functionError;
  sink(
    initReportLine({ initDurationMs: error.initDurationMs, status: errorType === "Runtime.InitTimeout" ? "timeout" : "error", errorType }),
  );
  sink(`INIT error: ${errorType}: ${errorMessage}`);
}
