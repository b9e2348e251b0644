// The execution environments that exist, from start to stop: each running one with the function
// version it was started on, the ones still starting (each can be called off), and the stops
// under way, so that a shutdown waits for every process group. Which request gets which
// environment is the pool's job (environment-pool.ts), not this one's.

import type { FunctionConfig } from "../common/function-config";
import type { LogSink } from "../common/log-sink";
import { ExecutionEnvironment } from "../environment/execution-environment";
import { InitError } from "../environment/init-phase";
import type { RuntimeCommand } from "../environment/runtime-command";
import { logInitFailure } from "./invocation-log";

export interface FleetOptions {
  readonly log: LogSink;
  /** How long an init may take, in ms. @default INIT_TIMEOUT_MS (Lambda's 10 seconds) */
  readonly initTimeoutMs?: number;
  /** Runs environments under Node's inspector on this port (one at a time), without timeouts. */
  readonly inspectPort?: number;
}

export class EnvironmentFleet {
  /** Each running environment with the function version (generation) it runs. */
  private readonly versions = new Map<ExecutionEnvironment, FunctionConfig>();
  /** Environments still starting, each with the way to call it off and its outcome. */
  private readonly starting = new Map<AbortController, Promise<unknown>>();
  private readonly stopping = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly runtime: RuntimeCommand,
    private readonly options: FleetOptions,
  ) {}

  /** How many environments run, and how many are starting. */
  counts(): { running: number; starting: number } {
    return { running: this.versions.size, starting: this.starting.size };
  }

  /** The function version `env` runs; undefined once it is stopped. */
  versionOf(env: ExecutionEnvironment): FunctionConfig | undefined {
    return this.versions.get(env);
  }

  /** Starts an environment on `fn`; a failed init is logged (INIT_REPORT) and thrown. */
  start(fn: FunctionConfig): Promise<ExecutionEnvironment> {
    const abort = new AbortController();
    const started = this.tryStart(fn, abort);
    this.starting.set(
      abort,
      started.catch(() => undefined),
    );
    return started;
  }

  /** Stops `env` (its whole process group); `stopAll()` waits for every stop under way. */
  stop(env: ExecutionEnvironment): Promise<void> {
    this.versions.delete(env);
    const stopped = env.stop();
    this.stopping.add(stopped);
    void stopped.then(() => this.stopping.delete(stopped));
    return stopped;
  }

  /** Calls off every start, stops every environment, and resolves once all of them are gone. */
  async stopAll(): Promise<void> {
    this.closed = true;
    for (const start of this.starting.keys()) {
      start.abort();
    }
    const stops = [...this.versions.keys()].map((env) => this.stop(env));
    // Environments already on their way out (timed out, retired) are in `stopping` too.
    await Promise.all([...this.starting.values(), ...stops, ...this.stopping]);
  }

  private async tryStart(fn: FunctionConfig, abort: AbortController): Promise<ExecutionEnvironment> {
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
      this.versions.set(env, fn);
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
}
