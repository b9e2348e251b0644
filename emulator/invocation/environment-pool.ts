// The function's execution environments: warm ones are reused, new ones start up to a cap, and
// requests wait for a free one (wait-queue.ts). Above the function's reserved concurrency requests
// are throttled, as Lambda does. A failed init fails the request that started it. Each invocation
// is logged (invocation-log.ts) once its environment is done with it (the runtime asked for the
// next event, timed out, or died). Watch mode hands it new versions: old environments finish and
// retire.

import { randomUUID } from "node:crypto";
import type { FunctionConfig } from "../common/function-config";
import type { FunctionError } from "../common/function-error";
import type { LogSink } from "../common/log-sink";
import { ExecutionEnvironment, INIT_TIMEOUT_MS, InitError } from "../environment/execution-environment";
import type { RuntimeCommand } from "../environment/runtime-command";
import { InvocationLog, logInitFailure } from "./invocation-log";
import type { InvokeOptions, PoolResponse, RunningInvocation } from "./running-invocation";
import { newTraceId } from "./trace-id";
import { NotInvoked, WaitQueue } from "./wait-queue";

/** What identifies an invocation to its environment. */
type InvocationRequestOptions = Pick<InvokeOptions, "clientContext"> & { readonly requestId: string; readonly traceId: string };

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

/** Requests that may wait for an environment at once. */
export const MAX_WAITING = 100;

/**
 * How long an environment whose answer is complete counts as about to be free (its runtime asks
 * for the next event within a millisecond or two, unless the handler left work behind). Requests
 * wait for it that long rather than start a cold environment beside it.
 */
export const FINISHING_GRACE_MS = 100;

export class EnvironmentPool {
  /** Each environment with the function version (generation) it runs. */
  private readonly environments = new Map<ExecutionEnvironment, FunctionConfig>();
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly waiting = new WaitQueue<ExecutionEnvironment>();
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

  /**
   * Starts one environment now and keeps it idle, so that it is there before the first request
   * (under --inspect, a debugger can attach to it at once). Resolves when it is idle, or when its
   * init failed (logged as INIT_REPORT; the first request then tries again).
   */
  async warmUp(): Promise<void> {
    if (!this.roomForMore()) {
      return;
    }
    try {
      this.release(await this.startEnvironment());
    } catch {
      // Logged by the start; the next request starts a fresh one.
    }
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
   * Runs the function on `event`. Aborting `options.signal` (the client left) while the request
   * waits for an environment drops it from the queue.
   * A request refused (the reserved concurrency in use, the queue full) gets a `throttled`
   * response, as one that waited past its deadline does: a door reads every refusal one way.
   */
  invoke(event: Buffer, options: InvokeOptions = {}): RunningInvocation {
    const request: InvocationRequestOptions = {
      requestId: options.requestId ?? randomUUID(),
      traceId: options.traceId ?? newTraceId(),
      ...(options.clientContext !== undefined ? { clientContext: options.clientContext } : {}),
    };
    const { requestId } = request;
    const signal = options.signal;
    const reserved = this.fn.reservedConcurrency;
    // An invocation whose answer is complete holds its concurrency until its runtime asks for the
    // next event, a moment later: a request arriving in that moment waits for it.
    if (reserved !== undefined && this.inFlight - this.finishing >= reserved) {
      return { requestId, ...notInvoked({ kind: "throttled", reason: `the function's reserved concurrency (${reserved}) is in use` }) };
    }
    const maxWaiting = this.options.maxWaiting ?? MAX_WAITING;
    if (this.idle.length === 0 && this.waiting.length >= maxWaiting) {
      return { requestId, ...notInvoked({ kind: "throttled", reason: `${maxWaiting} requests are already waiting for an environment` }) };
    }
    this.inFlight += 1;
    const started = this.acquire(signal).then(
      (env) => this.runIfWanted(env, event, request, signal),
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
    this.waiting.rejectAll(new Error("the local Function URL is shutting down"));
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
    request: InvocationRequestOptions,
    signal: AbortSignal | undefined,
  ): Omit<RunningInvocation, "requestId"> {
    if (signal?.aborted) {
      this.inFlight -= 1;
      this.release(env);
      return notInvoked({ kind: "abandoned" });
    }
    try {
      return this.run(env, event, request);
    } catch (error) {
      this.inFlight -= 1;
      this.discard(env);
      return failed({ errorType: "Runtime.ExitError", errorMessage: (error as Error).message });
    }
  }

  private run(env: ExecutionEnvironment, event: Buffer, request: InvocationRequestOptions): Omit<RunningInvocation, "requestId"> {
    const cold = env.cold;
    const fn = this.environments.get(env) ?? this.fn;
    const log = new InvocationLog(request.requestId, fn, this.options.log);
    const untap = env.tapOutput(log.output);
    const invocation = env.invoke({ ...request, event, onTimeout: () => log.timedOut() });
    void invocation.completion.then(() => this.countAsFinishing(invocation.ended));
    const logTail = Promise.all([invocation.ended, invocation.completion]).then(([end, completion]) => {
      const maxMemoryUsedMb = env.maxMemoryUsedMb();
      this.inFlight -= 1;
      const tail = log.finish({
        end,
        ...(completion.error ? { error: completion.error } : {}),
        ...(maxMemoryUsedMb !== undefined ? { maxMemoryUsedMb } : {}),
        ...(cold ? { initDurationMs: env.initDurationMs } : {}),
      });
      untap();
      if (end.kind === "next") {
        this.release(env);
      } else {
        this.discard(env);
      }
      return tail;
    });
    return { response: invocation.response, completion: invocation.completion, logTail };
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
        logInitFailure(this.options.log, error);
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
    return this.waiting.wait(deadlineMs, signal);
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
    if (!this.waiting.first()?.resolve(env)) {
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
    const waiter = this.waiting.first();
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
