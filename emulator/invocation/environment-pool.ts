// The function's execution environments: warm ones are reused, new ones start up to a cap, and
// requests wait for a free one in a bounded queue with a deadline. Above the function's reserved
// concurrency requests are throttled, as Lambda does. An init that fails answers every request
// waiting for it. Each invocation is logged with START, END and REPORT once its environment is
// done with it (the runtime asked for the next event, timed out, or died).

import { randomUUID } from "node:crypto";
import type { FunctionConfig } from "../common/function-config";
import type { FunctionError } from "../common/function-error";
import { ExecutionEnvironment, INIT_TIMEOUT_MS, InitError, type RuntimeCommand } from "../environment/execution-environment";
import type { InvocationCompletion, InvocationResponse } from "../runtime-api/invocation";
import { endLine, initReportLine, reportLine, startLine, timeoutLine } from "./lambda-log";
import { type LogSink } from "../common/log-sink";
import { LogTail } from "./log-tail";
import { newTraceId } from "./trace-id";

/** More requests are in flight than the function's reserved concurrency allows: HTTP 429. */
export class ThrottledError extends Error {
  constructor(reason: string) {
    super(`Rate Exceeded: ${reason}`);
    this.name = "ThrottledError";
  }
}

export interface PoolOptions {
  /** Most environments to run at once; requests beyond wait. */
  readonly maxEnvironments: number;
  /** Most requests that may wait for an environment; more are throttled. @default MAX_WAITING */
  readonly maxWaiting?: number;
  /** How long a request may wait for an environment, in ms. @default the function's timeout plus the init timeout */
  readonly waitDeadlineMs?: number;
  /** How long an init may take, in ms. @default INIT_TIMEOUT_MS (Lambda's 10 seconds) */
  readonly initTimeoutMs?: number;
  /** Runs environments under Node's inspector on this port (one at a time), without timeouts. */
  readonly inspectPort?: number;
  /**
   * How long an environment whose answer is complete counts as about to be free, in ms.
   * @default FINISHING_GRACE_MS
   */
  readonly finishingGraceMs?: number;
  readonly log: LogSink;
}

/** What a request gets from the pool: the runtime's answer, or why none will come. */
export type PoolResponse =
  | InvocationResponse
  /** It waited for an environment past its deadline, or the queue was full: HTTP 429. */
  | { readonly kind: "throttled"; readonly reason: string }
  /** Its client left while it waited: the function was never invoked. */
  | { readonly kind: "abandoned" };

/** An invocation as the Function URL front sees it. */
export interface RunningInvocation {
  readonly requestId: string;
  readonly response: Promise<PoolResponse>;
  /** When the answer is complete (the client may go); the environment may still be busy. */
  readonly completion: Promise<InvocationCompletion>;
  /** Once the environment is done with it (after REPORT): the last 4 KB of its log, base64. */
  readonly logTail: Promise<string>;
}

/** Requests that may wait for an environment at once. */
export const MAX_WAITING = 100;

/**
 * How long an environment whose answer is complete counts as about to be free (its runtime asks
 * for the next event within a millisecond or two, unless the handler left work behind). Requests
 * wait for it that long rather than start a cold environment beside it.
 */
export const FINISHING_GRACE_MS = 100;

type Waiter = {
  /** False when the waiter was already answered (deadline, client gone): the caller keeps `env`. */
  resolve: (env: ExecutionEnvironment) => boolean;
  reject: (error: Error) => void;
};

/** A request that will not be invoked: it gets `response` and never reaches an environment. */
class NotInvoked extends Error {
  constructor(readonly response: PoolResponse) {
    super(response.kind);
    this.name = "NotInvoked";
  }
}

export class EnvironmentPool {
  /** Each environment with the function version (generation) it runs. */
  private readonly environments = new Map<ExecutionEnvironment, FunctionConfig>();
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly waiting: Waiter[] = [];
  /** Environments still starting, each with the way to stop it and the promise of its outcome. */
  private readonly starting = new Map<AbortController, Promise<unknown>>();
  /** Environments whose invocation ended and whose runtime has not yet asked for the next one. */
  private finishing = 0;
  private readonly stopping = new Set<Promise<void>>();
  private inFlight = 0;
  private closed = false;

  constructor(
    private fn: FunctionConfig,
    private readonly runtime: RuntimeCommand,
    private readonly options: PoolOptions,
  ) {}

  /** The function new environments start with. */
  get function(): FunctionConfig {
    return this.fn;
  }

  /**
   * Serves a new version of the function (watch mode): new requests get environments on it;
   * invocations in flight finish on the old one, whose environments are stopped once idle.
   */
  setFunction(fn: FunctionConfig): void {
    this.fn = fn;
    const retired = this.idle.splice(0);
    for (const env of retired) {
      this.environments.delete(env);
    }
    // Requests waiting for a busy old environment may start on the new version, once the idle old
    // ones are gone (a debugger's port is free again).
    void Promise.all(retired.map((env) => this.stopEnvironment(env))).then(() => {
      while (this.waiting.length > 0 && this.roomForMore()) {
        this.startForWaiter();
      }
    });
  }

  /** How many environments exist and how many requests are being served. */
  stats(): { environments: number; idle: number; inFlight: number; waiting: number; starting: number } {
    return {
      environments: this.environments.size,
      idle: this.idle.length,
      inFlight: this.inFlight,
      waiting: this.waiting.length,
      starting: this.starting.size,
    };
  }

  /**
   * Runs the function on `event`. Aborting `signal` (the client left) while the request waits
   * for an environment drops it from the queue.
   * @throws ThrottledError when the reserved concurrency is in use or the queue is full.
   */
  invoke(event: Buffer, requestId: string = randomUUID(), traceId: string = newTraceId(), signal?: AbortSignal): RunningInvocation {
    const reserved = this.fn.reservedConcurrency;
    // An invocation whose answer is complete holds its concurrency until its runtime asks for the
    // next event, a moment later: a request arriving in that moment waits for it.
    if (reserved !== undefined && this.inFlight - this.finishing >= reserved) {
      throw new ThrottledError(`the function's reserved concurrency (${reserved}) is in use`);
    }
    const maxWaiting = this.options.maxWaiting ?? MAX_WAITING;
    if (this.idle.length === 0 && this.waiting.length >= maxWaiting) {
      throw new ThrottledError(`${maxWaiting} requests are already waiting for an environment`);
    }
    this.inFlight += 1;
    const started = this.acquire(signal).then(
      (env) => this.runIfWanted(env, event, requestId, traceId, signal),
      (error: Error) => {
        this.inFlight -= 1;
        if (error instanceof NotInvoked) {
          return notInvoked(error.response);
        }
        const functionError: FunctionError =
          error instanceof InitError ? error.functionError : { errorType: "Runtime.Unknown", errorMessage: error.message };
        return failed(functionError);
      },
    );
    return {
      requestId,
      response: started.then((run) => run.response),
      completion: started.then((run) => run.completion),
      logTail: started.then((run) => run.logTail),
    };
  }

  /** Stops every environment, those still starting too; requests still waiting for one fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) {
      waiter.reject(new Error("the local Function URL is shutting down"));
    }
    for (const start of this.starting.keys()) {
      start.abort();
    }
    await Promise.all([
      ...this.starting.values(),
      ...[...this.environments.keys()].map((env) => this.stopEnvironment(env)),
      // Environments already on their way out (timed out, retired): their whole process group too.
      ...this.stopping,
    ]);
    this.environments.clear();
    this.idle.length = 0;
  }

  /**
   * Runs the invocation on `env`, unless its client left while the environment started (the
   * environment then serves the next request). An environment that cannot take it (its process
   * died a moment ago) is discarded and the request answered as Lambda answers a dead runtime.
   */
  private runIfWanted(
    env: ExecutionEnvironment,
    event: Buffer,
    requestId: string,
    traceId: string,
    signal: AbortSignal | undefined,
  ): Omit<RunningInvocation, "requestId"> {
    if (signal?.aborted) {
      this.inFlight -= 1;
      this.release(env);
      return notInvoked({ kind: "abandoned" });
    }
    try {
      return this.run(env, event, requestId, traceId);
    } catch (error) {
      this.inFlight -= 1;
      this.discard(env);
      return failed({ errorType: "Runtime.ExitError", errorMessage: (error as Error).message });
    }
  }

  private run(env: ExecutionEnvironment, event: Buffer, requestId: string, traceId: string): Omit<RunningInvocation, "requestId"> {
    // Every line of this invocation goes to the server's log and to its tail.
    const tail = new LogTail();
    const untap = env.tapOutput((line) => tail.add(line));
    const log: LogSink = (line) => {
      this.options.log(line);
      tail.add(line);
    };
    const cold = env.cold;
    const started = performance.now();
    log(startLine(requestId));
    const fn = this.environments.get(env) ?? this.fn;
    const invocation = env.invoke(requestId, event, traceId, () => log(timeoutLine(requestId, fn.timeoutSeconds)));
    void invocation.completion.then(() => this.countAsFinishing(invocation.ended));
    const reported = Promise.all([invocation.ended, invocation.completion]).then(([end, completion]) => {
      const maxMemoryUsedMb = env.maxMemoryUsedMb();
      this.inFlight -= 1;
      const error = end.kind === "died" ? end.error : completion.error;
      if (error && end.kind !== "timeout") {
        log(`${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error\t${JSON.stringify(error)}`);
      }
      log(endLine(requestId));
      log(
        reportLine({
          requestId,
          durationMs: performance.now() - started,
          memorySizeMb: fn.memoryMb,
          maxMemoryUsedMb,
          ...(cold ? { initDurationMs: env.initDurationMs } : {}),
          ...(end.kind === "timeout"
            ? { status: "timeout" as const }
            : error
              ? { status: "error" as const, errorType: error.errorType }
              : {}),
        }),
      );
      untap();
      if (end.kind === "next") {
        this.release(env);
      } else {
        this.discard(env);
      }
      return tail.base64();
    });
    return { response: invocation.response, completion: invocation.completion, logTail: reported };
  }

  /**
   * The answer is complete; the environment is expected back in a moment. If it is not back within
   * the grace period (a timer or socket left open keeps the invocation going), a waiting request
   * gets a fresh environment instead of waiting for this one's timeout.
   */
  private countAsFinishing(ended: Promise<unknown>): void {
    this.finishing += 1;
    let counted = true;
    const uncount = (): void => {
      if (counted) {
        counted = false;
        this.finishing -= 1;
      }
    };
    const grace = setTimeout(() => {
      uncount();
      this.startForWaiter();
    }, this.options.finishingGraceMs ?? FINISHING_GRACE_MS);
    void ended.then(() => {
      clearTimeout(grace);
      uncount();
    });
  }

  private acquire(signal?: AbortSignal): Promise<ExecutionEnvironment> {
    if (this.closed) {
      return Promise.reject(new Error("the local Function URL is shutting down"));
    }
    // Never one whose runtime has already exited (its exit may not have been handled yet).
    for (let warm = this.idle.pop(); warm; warm = this.idle.pop()) {
      if (warm.alive) {
        return Promise.resolve(warm);
      }
      this.discard(warm);
    }
    // (An idle environment whose process dies leaves `idle` at once: see `watchForDeath`.)
    // An environment that is about to be free again (its runtime is a moment from asking for the
    // next event) serves this request warm, rather than a cold start beside it.
    if (this.roomForMore() && this.finishing <= this.waiting.length) {
      return this.startEnvironment();
    }
    return this.wait(signal);
  }

  /** Stops `env`; `close()` waits for every stop under way. */
  private stopEnvironment(env: ExecutionEnvironment): Promise<void> {
    const stopped = env.stop();
    this.stopping.add(stopped);
    void stopped.then(() => this.stopping.delete(stopped));
    return stopped;
  }

  /** Whether another environment may start: under the cap and the reserved concurrency. */
  private roomForMore(): boolean {
    const running = this.environments.size + this.starting.size;
    return running < this.options.maxEnvironments && running < (this.fn.reservedConcurrency ?? Number.POSITIVE_INFINITY);
  }

  private startEnvironment(): Promise<ExecutionEnvironment> {
    const abort = new AbortController();
    const started = this.tryStart(abort);
    this.starting.set(
      abort,
      // A failed init fails only the request that started it (as Lambda does); the next request
      // waiting tries an init of its own.
      started.then(
        () => undefined,
        () => this.startForWaiter(),
      ),
    );
    return started;
  }

  private async tryStart(abort: AbortController): Promise<ExecutionEnvironment> {
    const fn = this.fn;
    try {
      const env = await ExecutionEnvironment.start(fn, this.runtime, {
        log: this.options.log,
        signal: abort.signal,
        ...(this.options.initTimeoutMs ? { initTimeoutMs: this.options.initTimeoutMs } : {}),
        ...(this.options.inspectPort !== undefined ? { inspectPort: this.options.inspectPort } : {}),
      });
      if (this.closed) {
        await env.stop();
        throw new Error("the local Function URL is shutting down");
      }
      this.environments.set(env, fn);
      this.watchForDeath(env);
      return env;
    } catch (error) {
      if (error instanceof InitError && !this.closed) {
        const timedOut = error.functionError.errorType === "Runtime.InitTimeout";
        this.options.log(
          initReportLine({
            initDurationMs: error.initDurationMs,
            status: timedOut ? "timeout" : "error",
            errorType: error.functionError.errorType,
          }),
        );
        this.options.log(`INIT error: ${error.functionError.errorType}: ${error.functionError.errorMessage}`);
      }
      throw error;
    } finally {
      this.starting.delete(abort);
    }
  }

  /** Waits for an environment: until one is free, the deadline passes, or the client leaves. */
  private wait(signal?: AbortSignal): Promise<ExecutionEnvironment> {
    // Long enough for a busy environment to reach its timeout and a fresh one to start.
    const deadlineMs = this.options.waitDeadlineMs ?? this.fn.timeoutSeconds * 1000 + (this.options.initTimeoutMs ?? INIT_TIMEOUT_MS);
    return new Promise<ExecutionEnvironment>((resolve, reject) => {
      const leave = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        const at = this.waiting.indexOf(waiter);
        if (at !== -1) this.waiting.splice(at, 1);
      };
      let answered = false;
      const waiter: Waiter = {
        resolve: (env) => {
          if (answered) return false;
          answered = true;
          leave();
          resolve(env);
          return true;
        },
        reject: (error) => {
          if (answered) return;
          answered = true;
          leave();
          reject(error);
        },
      };
      const onAbort = (): void => waiter.reject(new NotInvoked({ kind: "abandoned" }));
      const timer = setTimeout(
        () => waiter.reject(new NotInvoked({ kind: "throttled", reason: `no environment was free within ${deadlineMs} ms` })),
        deadlineMs,
      );
      this.waiting.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
      if (signal?.aborted) onAbort();
    });
  }

  private release(env: ExecutionEnvironment): void {
    if (this.environments.get(env) !== this.fn) {
      // An older version of the function: retired once idle.
      this.discard(env);
      return;
    }
    if (this.closed) {
      void this.stopEnvironment(env);
      return;
    }
    const waiter = this.waiting[0];
    if (!waiter?.resolve(env)) {
      this.idle.push(env);
    }
  }

  /** A dead environment makes room for a new one, which a waiting request may start once it is gone. */
  private discard(env: ExecutionEnvironment): void {
    this.environments.delete(env);
    const at = this.idle.indexOf(env);
    if (at !== -1) this.idle.splice(at, 1);
    // Stopped first: a replacement under a debugger needs its inspector port free.
    void this.stopEnvironment(env).then(() => this.startForWaiter());
  }

  /** An environment whose process ends while idle (killed, crashed after its answer) is dropped. */
  private watchForDeath(env: ExecutionEnvironment): void {
    void env.died.then(() => {
      // A normal shutdown stops every environment: nothing to say about each.
      if (this.idle.includes(env) && !this.closed) {
        this.options.log(`An idle execution environment ended (${env.exitReason()}); the next request starts a new one.`);
        this.discard(env);
      }
    });
  }

  /** Starts an environment for the first waiting request, if there is room for one. */
  private startForWaiter(): void {
    const waiter = this.waiting[0];
    if (!waiter || !this.roomForMore() || this.closed) {
      return;
    }
    // Leaves the queue before the start, so a failing init does not answer it twice.
    this.waiting.shift();
    this.startEnvironment().then((env) => {
      if (!waiter.resolve(env)) this.release(env);
    }, waiter.reject);
  }
}

function failed(error: FunctionError): Omit<RunningInvocation, "requestId"> {
  return { response: Promise.resolve({ kind: "error", error }), completion: Promise.resolve({ error }), logTail: Promise.resolve("") };
}

function notInvoked(response: PoolResponse): Omit<RunningInvocation, "requestId"> {
  return { response: Promise.resolve(response), completion: Promise.resolve({}), logTail: Promise.resolve("") };
}
