// The function's execution environments: warm ones are reused, new ones start up to a cap, and
// requests wait for a free one. Above the function's reserved concurrency requests are
// throttled, as Lambda does. Each invocation is logged with START, END and REPORT.

import { randomUUID } from "node:crypto";
import type { FunctionError } from "./errors";
import { ExecutionEnvironment, type RuntimeCommand } from "./execution-environment";
import { endLine, type LogSink, reportLine, startLine, timeoutLine } from "./lambda-log";
import type { InvocationCompletion, InvocationResponse } from "./runtime-api";
import type { FunctionConfig } from "./stack-reader";

/** More requests are in flight than the function's reserved concurrency allows: HTTP 429. */
export class ThrottledError extends Error {
  constructor(readonly reservedConcurrency: number) {
    super(`Rate Exceeded: the function's reserved concurrency (${reservedConcurrency}) is in use`);
    this.name = "ThrottledError";
  }
}

export interface PoolOptions {
  /** Most environments to run at once; requests beyond wait. */
  readonly maxEnvironments: number;
  readonly log: LogSink;
}

/** An invocation as the Function URL front sees it. */
export interface RunningInvocation {
  readonly requestId: string;
  readonly response: Promise<InvocationResponse>;
  readonly completion: Promise<InvocationCompletion>;
}

export class EnvironmentPool {
  private readonly environments = new Set<ExecutionEnvironment>();
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly waiting: Array<{ resolve: (env: ExecutionEnvironment) => void; reject: (error: Error) => void }> = [];
  private starting = 0;
  /** Environments whose invocation ended and whose runtime has not yet asked for the next one. */
  private finishing = 0;
  private inFlight = 0;
  private closed = false;

  constructor(
    private readonly fn: FunctionConfig,
    private readonly runtime: RuntimeCommand,
    private readonly options: PoolOptions,
  ) {}

  /** How many environments exist and how many requests are being served. */
  stats(): { environments: number; idle: number; inFlight: number; waiting: number } {
    return { environments: this.environments.size, idle: this.idle.length, inFlight: this.inFlight, waiting: this.waiting.length };
  }

  /**
   * Runs the function on `event`.
   * @throws ThrottledError when the reserved concurrency is in use.
   */
  invoke(event: Buffer, requestId: string = randomUUID(), traceId: string = newTraceId()): RunningInvocation {
    const reserved = this.fn.reservedConcurrency;
    if (reserved !== undefined && this.inFlight >= reserved) {
      throw new ThrottledError(reserved);
    }
    this.inFlight += 1;
    const started = this.acquire().then(
      (env) => this.run(env, event, requestId, traceId),
      (error: Error & { functionError?: FunctionError }) => {
        const functionError = error.functionError ?? { errorType: "Runtime.Unknown", errorMessage: error.message };
        this.options.log(
          `INIT_REPORT RequestId: ${requestId}\tStatus: error\tError Type: ${functionError.errorType}\t${functionError.errorMessage}`,
        );
        return failed(functionError);
      },
    );
    const completion = started.then((run) => run.completion);
    void completion.then(() => {
      this.inFlight -= 1;
    });
    return { requestId, response: started.then((run) => run.response), completion };
  }

  /** Stops every environment; requests still waiting for one fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) {
      waiter.reject(new Error("the local Function URL is shutting down"));
    }
    await Promise.all([...this.environments].map((env) => env.stop()));
    this.environments.clear();
    this.idle.length = 0;
  }

  private run(
    env: ExecutionEnvironment,
    event: Buffer,
    requestId: string,
    traceId: string,
  ): { response: Promise<InvocationResponse>; completion: Promise<InvocationCompletion> } {
    const log = this.options.log;
    const cold = env.cold;
    const started = performance.now();
    let timedOut = false;
    log(startLine(requestId));
    const invocation = env.invoke(requestId, event, traceId, () => {
      timedOut = true;
      log(timeoutLine(requestId, this.fn.timeoutSeconds));
    });
    void invocation.completion.then((completion) => {
      const durationMs = performance.now() - started;
      if (completion.error && !timedOut) {
        log(`${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error\t${JSON.stringify(completion.error)}`);
      }
      log(endLine(requestId));
      log(
        reportLine({
          requestId,
          durationMs,
          memorySizeMb: this.fn.memoryMb,
          maxMemoryUsedMb: env.maxMemoryUsedMb(),
          ...(cold ? { initDurationMs: env.initDurationMs } : {}),
          ...(timedOut
            ? { status: "timeout" as const }
            : completion.error
              ? { status: "error" as const, errorType: completion.error.errorType }
              : {}),
        }),
      );
      this.finishing += 1;
      void env.readyAgain().then((alive) => {
        this.finishing -= 1;
        return alive ? this.release(env) : this.discard(env);
      });
    });
    return invocation;
  }

  private async acquire(): Promise<ExecutionEnvironment> {
    if (this.closed) {
      throw new Error("the local Function URL is shutting down");
    }
    const warm = this.idle.pop();
    if (warm) {
      return warm;
    }
    // An environment that is about to be free again (its runtime is a moment from asking for the
    // next event) serves this request warm, rather than a cold start beside it.
    const roomForMore = this.environments.size + this.starting < this.options.maxEnvironments;
    if (roomForMore && this.finishing <= this.waiting.length) {
      this.starting += 1;
      try {
        const env = await ExecutionEnvironment.start(this.fn, this.runtime, this.options.log);
        this.environments.add(env);
        return env;
      } finally {
        this.starting -= 1;
      }
    }
    return new Promise<ExecutionEnvironment>((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private release(env: ExecutionEnvironment): void {
    if (this.closed) {
      void env.stop();
      return;
    }
    const waiter = this.waiting.shift();
    if (waiter) {
      waiter.resolve(env);
    } else {
      this.idle.push(env);
    }
  }

  /** A dead environment makes room for a new one, which a waiting request may start now. */
  private discard(env: ExecutionEnvironment): void {
    this.environments.delete(env);
    void env.stop();
    const waiter = this.waiting.shift();
    if (waiter) {
      this.acquire().then(waiter.resolve, waiter.reject);
    }
  }
}

function failed(error: FunctionError): { response: Promise<InvocationResponse>; completion: Promise<InvocationCompletion> } {
  return { response: Promise.resolve({ kind: "error", error }), completion: Promise.resolve({ error }) };
}

/** An X-Ray trace header, as Lambda passes it to the runtime. */
function newTraceId(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${epoch}-${randomUUID().replace(/-/g, "").slice(0, 24)};Parent=${randomUUID().replace(/-/g, "").slice(0, 16)};Sampled=0`;
}
