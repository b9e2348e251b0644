// Which request gets which execution environment: warm ones are reused, new ones start up to a
// cap, and requests wait for a free one (wait-queue.ts). Above the function's reserved concurrency
// requests are throttled, as Lambda does. A failed init fails the request that started it. Each
// invocation is logged (invocation-log.ts) once its environment is done with it (the runtime asked
// for the next event, timed out, or died). Watch mode hands it new versions: old environments
// finish and retire. Starting and stopping the environments themselves is environment-fleet.ts.

import { randomUUID } from "node:crypto";
import type { FunctionConfig } from "../common/function-config";
import type { ExecutionEnvironment } from "../environment/execution-environment";
import { INIT_TIMEOUT_MS } from "../environment/init-phase";
import type { RuntimeCommand } from "../environment/runtime-command";
import { EnvironmentFleet, type FleetOptions } from "./environment-fleet";
import { FINISHING_GRACE_MS, FinishingEnvironments } from "./finishing-environments";
import { failed, type InvocationRequest, type InvocationRun, neverRan, notInvoked, runLogged } from "./invocation-run";
import type { InvokeOptions, RunningInvocation } from "./running-invocation";
import { newTraceId } from "./trace-id";
import { WaitQueue } from "./wait-queue";

export interface PoolOptions extends FleetOptions {
  /** Most environments to run at once; requests beyond wait. */
  readonly maxEnvironments: number;
  /** Most requests that may wait for an environment; more are throttled. @default MAX_WAITING */
  readonly maxWaiting?: number;
  /** How long a request may wait for an environment, in ms. @default the function's timeout plus the init timeout */
  readonly waitDeadlineMs?: number;
  /**
   * How long an environment whose answer is complete counts as about to be free, in ms.
   * @default FINISHING_GRACE_MS
   */
  readonly finishingGraceMs?: number;
}

/** Requests that may wait for an environment at once. */
const MAX_WAITING = 100;

export class EnvironmentPool {
  private readonly fleet: EnvironmentFleet;
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly waiting = new WaitQueue<ExecutionEnvironment>();
  /** Environments whose answer is complete and whose runtime has not yet asked for the next event. */
  private readonly finishing: FinishingEnvironments;
  private inFlight = 0;
  private closed = false;

  constructor(
    private fn: FunctionConfig,
    runtime: RuntimeCommand,
    private readonly options: PoolOptions,
  ) {
    this.fleet = new EnvironmentFleet(runtime, options);
    // One not back in time: a waiting request gets a fresh environment instead of waiting for its timeout.
    this.finishing = new FinishingEnvironments(options.finishingGraceMs ?? FINISHING_GRACE_MS, () => this.startForWaiter());
  }

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
    // Requests waiting for a busy old environment may start on the new version, once the idle old
    // ones are gone (a debugger's port is free again).
    void Promise.all(this.idle.splice(0).map((env) => this.fleet.stop(env))).then(() => {
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
    const { running, starting } = this.fleet.counts();
    return { environments: running, idle: this.idle.length, inFlight: this.inFlight, waiting: this.waiting.length, starting };
  }

  /**
   * Runs the function on `event`. Aborting `options.signal` (the client left) while the request
   * waits for an environment drops it from the queue.
   * A request refused (the reserved concurrency in use, the queue full) gets a `throttled`
   * response, as one that waited past its deadline does: a door reads every refusal one way.
   */
  invoke(event: Buffer, options: InvokeOptions = {}): RunningInvocation {
    const request: InvocationRequest = {
      requestId: options.requestId ?? randomUUID(),
      traceId: options.traceId ?? newTraceId(),
      ...(options.clientContext !== undefined ? { clientContext: options.clientContext } : {}),
    };
    const { requestId } = request;
    const signal = options.signal;
    const reserved = this.fn.reservedConcurrency;
    // An invocation whose answer is complete holds its concurrency until its runtime asks for the
    // next event, a moment later: a request arriving in that moment waits for it.
    if (reserved !== undefined && this.inFlight - this.finishing.size >= reserved) {
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
        return neverRan(error);
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
    this.idle.length = 0;
    await this.fleet.stopAll();
  }

  /**
   * Runs the invocation on `env`, unless its client left while the environment started (the
   * environment then serves the next request). An environment that cannot take it (its process
   * died a moment ago) is discarded and the request answered as Lambda answers a dead runtime.
   */
  private runIfWanted(
    env: ExecutionEnvironment,
    event: Buffer,
    request: InvocationRequest,
    signal: AbortSignal | undefined,
  ): InvocationRun {
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

  private run(env: ExecutionEnvironment, event: Buffer, request: InvocationRequest): InvocationRun {
    return runLogged(env, this.fleet.versionOf(env) ?? this.fn, event, request, this.options.log, {
      answered: (ended) => this.finishing.add(ended),
      done: (reusable) => {
        this.inFlight -= 1;
        if (reusable) this.release(env);
        else this.discard(env);
      },
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
    if (this.roomForMore() && this.finishing.size <= this.waiting.length) {
      return this.startEnvironment();
    }
    return this.wait(signal);
  }

  /** Whether another environment may start: under the cap and the reserved concurrency. */
  private roomForMore(): boolean {
    const { running, starting } = this.fleet.counts();
    const all = running + starting;
    return all < this.options.maxEnvironments && all < (this.fn.reservedConcurrency ?? Number.POSITIVE_INFINITY);
  }

  /**
   * Starts an environment on the current version. A failed init fails only the request that
   * started it (as Lambda does); the next request waiting tries an init of its own.
   */
  private startEnvironment(): Promise<ExecutionEnvironment> {
    const started = this.fleet.start(this.fn);
    void started.then(
      (env) => this.watchForDeath(env),
      () => this.startForWaiter(),
    );
    return started;
  }

  /** Waits for an environment: until one is free, the deadline passes, or the client leaves. */
  private wait(signal?: AbortSignal): Promise<ExecutionEnvironment> {
    // Long enough for a busy environment to reach its timeout and a fresh one to start.
    const deadlineMs = this.options.waitDeadlineMs ?? this.fn.timeoutSeconds * 1000 + (this.options.initTimeoutMs ?? INIT_TIMEOUT_MS);
    return this.waiting.wait(deadlineMs, signal);
  }

  private release(env: ExecutionEnvironment): void {
    if (this.fleet.versionOf(env) !== this.fn) {
      // An older version of the function: retired once idle.
      this.discard(env);
      return;
    }
    if (this.closed) {
      void this.fleet.stop(env);
      return;
    }
    if (!this.waiting.first()?.resolve(env)) {
      this.idle.push(env);
    }
  }

  /** A dead environment makes room for a new one, which a waiting request may start once it is gone. */
  private discard(env: ExecutionEnvironment): void {
    const at = this.idle.indexOf(env);
    if (at !== -1) this.idle.splice(at, 1);
    // Stopped first: a replacement under a debugger needs its inspector port free.
    void this.fleet.stop(env).then(() => this.startForWaiter());
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
