// The functions deployed into the local AWS, running: the registry the doors read and the control
// plane writes (through the store). Each function gets the same pool, execution environments,
// runtime client and limits as npm start's one, started at its first invocation from its unpacked
// zip. A change to its code or configuration is a new generation (new requests get it, streams in
// flight finish on the old one, as --watch does); a deleted function's environments are stopped.
// Its log lines go to the terminal, prefixed with its name, and to whoever keeps its log group.

import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { FunctionConfig } from "../common/function-config";
import type { LogSink } from "../common/log-sink";
import { unpackZip } from "../control/function-code";
import { urls } from "../control/lambda-access";
import { functionKey, functions, type StoredFunction } from "../control/lambda-functions";
import type { AppendResult, LogEvents } from "../control/log-events";
import type { Store } from "../control/store";
import type { RuntimeCommand } from "../environment/runtime-command";
import { EnvironmentPool } from "../invocation/environment-pool";
import { failed } from "../invocation/invocation-run";
import type { Invoke, RunningInvocation } from "../invocation/running-invocation";
import { deployedFunctionConfig } from "./deployed-function";

export interface RegistryOptions {
  readonly runtime: RuntimeCommand;
  /** The terminal: each line prefixed with its function's name. */
  readonly log: LogSink;
  /** Where each function's own lines (START, its output, END, REPORT) are kept: its log group. */
  readonly logEvents: LogEvents;
  /** Most environments per function. @default 8 */
  readonly maxEnvironments?: number;
}

/** A deployed function found, as it is now, and how to run it. */
export interface DeployedFunction {
  readonly fn: FunctionConfig;
  readonly invoke: Invoke;
}

interface Running {
  readonly pool: EnvironmentPool;
  /** The configuration its newest generation runs, as JSON. */
  version: string;
}

const DEFAULT_MAX_ENVIRONMENTS = 8;
/** How often unheld code is looked at again while invocations are in flight. */
const SWEEP_RECHECK_MS = 1_000;

export class FunctionRegistry {
  private readonly running = new Map<string, Running>();
  private readonly unpacked = new Map<string, Promise<void>>();
  private sweep: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly options: RegistryOptions,
  ) {
    // What the control plane deletes stops running: its environments are stopped.
    store.onCommit(() => this.retireDeleted());
    // Code a stopped run left unpacked and no function holds (a kill -9 between a change and its sweep).
    this.removeUnheldCode();
  }

  /** The function named `name` in `region`, as deployed now; undefined when there is none. */
  find(region: string, name: string): DeployedFunction | undefined {
    const stored = functions(this.store).get(functionKey(region, name));
    if (stored === undefined || this.closed) {
      return undefined;
    }
    const arn = String(stored.configuration.FunctionArn);
    const fn = deployedFunctionConfig(stored, urls(this.store).get(arn), this.store.unpackedPath(stored.codeSha));
    // A new version is a change to what runs (code or configuration), not to its URL: a URL's auth
    // type, CORS or invoke mode is the door's, and changes no environment, as on AWS.
    const { invokeMode: _mode, authType: _auth, cors: _cors, ...runs } = fn;
    const version = JSON.stringify(runs);
    let running = this.running.get(arn);
    if (running === undefined) {
      running = { pool: this.poolFor(stored, fn), version };
      this.running.set(arn, running);
    } else if (running.version !== version) {
      running.pool.setFunction(fn);
      running.version = version;
    }
    const { pool } = running;
    const ready = this.unpack(stored.codeSha);
    const runtimeRefusal = /^nodejs\d+\.x$/.test(fn.runtime)
      ? undefined
      : `The local AWS runs Node.js functions only; ${fn.functionName}'s runtime is ${fn.runtime}.`;
    return {
      fn,
      invoke: (event, options) =>
        runtimeRefusal
          ? { requestId: options.requestId, ...failed({ errorType: "Runtime.InvalidRuntime", errorMessage: runtimeRefusal }) }
          : afterReady(ready, options.requestId, () => pool.invoke(event, options)),
    };
  }

  /** Stops every function's environments; what asks for a function afterwards finds none. */
  async close(): Promise<void> {
    this.closed = true;
    const pools = [...this.running.values()].map((running) => running.pool);
    this.running.clear();
    await Promise.all(pools.map((pool) => pool.close()));
    this.removeUnheldCode();
  }

  private poolFor(stored: StoredFunction, fn: FunctionConfig): EnvironmentPool {
    const name = fn.functionName;
    const group = logGroupOf(stored);
    // One log stream per run of the local AWS, named as Lambda names its streams.
    const stream = `${new Date().toISOString().slice(0, 10).replaceAll("-", "/")}/[$LATEST]${randomBytes(16).toString("hex")}`;
    let toldMissing = false;
    let toldFailing = false;
    return new EnvironmentPool(fn, this.options.runtime, {
      maxEnvironments: this.options.maxEnvironments ?? DEFAULT_MAX_ENVIRONMENTS,
      log: (line) => {
        this.options.log(`[${name}] ${line}`);
        let kept: AppendResult;
        try {
          kept = this.options.logEvents.append(stored.region, group, stream, [{ timestamp: Date.now(), message: line }]);
        } catch (error) {
          // A disk that is full or failing loses log events, never the server.
          if (!toldFailing) {
            toldFailing = true;
            this.options.log(`[${name}] its lines cannot be kept in ${group} (${(error as Error).message}): they go to this terminal only`);
          }
          return;
        }
        toldFailing = false;
        if (kept === "no-log-group" && !toldMissing) {
          toldMissing = true;
          this.options.log(
            `[${name}] its log group ${group} does not exist, so its lines go to this terminal only (Lambda makes the group only when the function's role may call logs:CreateLogGroup; the local AWS does not)`,
          );
        }
        if (kept === "appended") toldMissing = false;
      },
    });
  }

  /** The code with SHA-256 `sha` unpacked into its folder, once. */
  private unpack(sha: string): Promise<void> {
    let done = this.unpacked.get(sha);
    if (done === undefined) {
      const dir = this.store.unpackedPath(sha);
      // Unpacked by an earlier run: the folder is only ever renamed into place whole.
      done = existsSync(dir) ? Promise.resolve() : readFile(this.store.codePath(sha)).then((zip) => unpackZip(zip, dir));
      // A failure is tried again by the next request.
      done.catch(() => this.unpacked.delete(sha));
      this.unpacked.set(sha, done);
    }
    return done;
  }

  /**
   * Removes the unpacked code no deployed function holds any more, once no environment can be
   * running it: with an invocation in flight or an environment starting anywhere (it may be on an
   * older version), checked again every second, as --watch does for its bundles.
   */
  private removeUnheldCode(): void {
    clearTimeout(this.sweep);
    this.sweep = undefined;
    const held = new Set([...functions(this.store).values()].map((stored) => stored.codeSha));
    const unheld = this.store.unpackedShas().filter((sha) => !held.has(sha));
    if (unheld.length === 0) {
      return;
    }
    const busy = [...this.running.values()].some(({ pool }) => {
      const { inFlight, starting } = pool.stats();
      return inFlight > 0 || starting > 0;
    });
    if (busy && !this.closed) {
      this.sweep = setTimeout(() => this.removeUnheldCode(), SWEEP_RECHECK_MS);
      this.sweep.unref();
      return;
    }
    for (const sha of unheld) {
      try {
        this.store.dropUnpacked(sha);
      } catch (error) {
        // Left on disk, never in the way: the next sweep (a change, or the next start) tries again.
        this.options.log(
          `local AWS: cannot remove unpacked code ${sha.slice(0, 12)}… yet (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        );
      }
    }
  }

  private retireDeleted(): void {
    const deployed = new Set([...functions(this.store).values()].map((stored) => String(stored.configuration.FunctionArn)));
    for (const [arn, running] of this.running) {
      if (!deployed.has(arn)) {
        this.running.delete(arn);
        void running.pool.close();
      }
    }
    const shas = new Set([...functions(this.store).values()].map((stored) => stored.codeSha));
    for (const sha of this.unpacked.keys()) {
      if (!shas.has(sha)) this.unpacked.delete(sha);
    }
    this.removeUnheldCode();
  }
}

/** The invocation `start` makes, once `ready` (the code unpacked); a failure to get ready is its answer. */
function afterReady(ready: Promise<void>, requestId: string, start: () => RunningInvocation): RunningInvocation {
  const run = ready.then(start, (error: Error) =>
    failed({ errorType: "Runtime.Unknown", errorMessage: `The local AWS could not unpack the function's code: ${error.message}` }),
  );
  return {
    requestId,
    response: run.then((r) => r.response),
    completion: run.then((r) => r.completion),
    logTail: run.then((r) => r.logTail),
  };
}

/** The log group a function writes to: its LoggingConfig's, or /aws/lambda/<name>. */
function logGroupOf(stored: StoredFunction): string {
  const configured = (stored.configuration.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup;
  return typeof configured === "string" && configured !== "" ? configured : `/aws/lambda/${String(stored.configuration.FunctionName)}`;
}
