// The init phase of one execution environment: its Runtime API listens, the runtime process
// starts, and init ends when the runtime asks for its first event. It fails with the init error
// the runtime reports, the process's exit, or Lambda's 10-second deadline.
// @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-ib

import { type ChildProcess, spawn } from "node:child_process";
import { withDeadline } from "../../support/deadline";
import type { FunctionConfig } from "../common/function-config";
import type { FunctionError } from "../common/function-error";
import type { LogSink } from "../common/log-sink";
import { RuntimeApi } from "../runtime-api/server";
import { lambdaEnvironment } from "./function-variables";
import { forwardLines } from "./line-forwarder";
import { EXIT_DEADLINE_MS, exitError, firstOf, killGroup } from "./process-exit";
import { lambdaNodeFlags, type RuntimeCommand } from "./runtime-command";

/** Lambda gives a function's init phase 10 seconds. */
export const INIT_TIMEOUT_MS = 10_000;

/** Why an environment could not start: the error Lambda reports for the init phase. */
export class InitError extends Error {
  constructor(
    readonly functionError: FunctionError,
    readonly initDurationMs: number,
  ) {
    super(`${functionError.errorType}: ${functionError.errorMessage}`);
    this.name = "InitError";
  }
}

export interface StartOptions {
  readonly log: LogSink;
  /** @default INIT_TIMEOUT_MS */
  readonly initTimeoutMs?: number;
  /**
   * Run the process with Node's inspector on 127.0.0.1:PORT, for a debugger; the init and
   * invocation timeouts are then not enforced (a breakpoint would trip them).
   */
  readonly inspectPort?: number;
  /** Aborting stops a runtime that is still starting (the pool is closing). */
  readonly signal?: AbortSignal;
}

/** A runtime process that finished its init, with its Runtime API. */
export interface InitializedRuntime {
  readonly runtimeApi: RuntimeApi;
  readonly child: ChildProcess;
  /** Resolves when the process has ended and its output pipes are closed. */
  readonly exited: Promise<void>;
  /** Milliseconds from spawning the process to its first `/next`. */
  readonly initDurationMs: number;
  /** Listeners to the process's output lines, besides the log. */
  readonly taps: Set<LogSink>;
}

/**
 * Spawns the runtime and waits until it asks for its first event, at most INIT_TIMEOUT_MS.
 * @throws InitError with the init error the runtime reported, or why the process ended.
 */
export async function initRuntime(fn: FunctionConfig, runtime: RuntimeCommand, options: StartOptions): Promise<InitializedRuntime> {
  const runtimeApi = new RuntimeApi(options.log);
  const address = await runtimeApi.listen();
  const started = performance.now();
  const inspect = options.inspectPort === undefined ? [] : [`--inspect=127.0.0.1:${options.inspectPort}`];
  const child = spawn(runtime.node, [...lambdaNodeFlags(fn.memoryMb), ...inspect, runtime.bootstrap, ...runtime.bootstrapArgs], {
    cwd: fn.bundleDir,
    env: lambdaEnvironment(fn, address),
    // fd 3 is the lifeline: the runtime's bootstrap ends its process group when the pipe closes,
    // which the kernel does when this process ends in any way, kill -9 included.
    stdio: ["ignore", "pipe", "pipe", "pipe"],
    // Its own process group, so that stopping it stops whatever the handler spawned too.
    detached: true,
  });
  // stdio has pipes for stdout and stderr, so both streams exist.
  // The function's output goes to the log, and to whoever taps it (an invocation's log tail).
  const taps = new Set<LogSink>();
  const output: LogSink = (line) => {
    options.log(line);
    for (const tap of taps) tap(line);
  };
  forwardLines(child.stdout as NodeJS.ReadableStream, output);
  forwardLines(child.stderr as NodeJS.ReadableStream, output);
  // "close", not "exit": the process has ended and its stdout and stderr pipes are closed too.
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));

  const initTimeoutMs = options.initTimeoutMs ?? INIT_TIMEOUT_MS;
  const failure = await firstOf<FunctionError | undefined>((settle) => {
    const onNext = (): void => settle(undefined);
    const onInitError = (error: FunctionError): void => settle(error);
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => settle(exitError(code, signal));
    const onSpawnError = (error: Error): void => settle({ errorType: "Runtime.StartError", errorMessage: error.message });
    const onAbort = (): void => settle({ errorType: "Runtime.Aborted", errorMessage: "the local Function URL is shutting down" });
    // Under a debugger, a breakpoint in the module's own code may hold init as long as it likes.
    const timer =
      options.inspectPort === undefined
        ? setTimeout(
            () =>
              settle({
                errorType: "Runtime.InitTimeout",
                errorMessage: `Init did not finish within ${(initTimeoutMs / 1000).toFixed(2)} seconds`,
              }),
            initTimeoutMs,
          )
        : undefined;
    runtimeApi.once("next", onNext);
    runtimeApi.once("init-error", onInitError);
    child.once("exit", onExit);
    child.once("error", onSpawnError);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    return () => {
      clearTimeout(timer);
      runtimeApi.off("next", onNext);
      runtimeApi.off("init-error", onInitError);
      child.off("exit", onExit);
      child.off("error", onSpawnError);
      options.signal?.removeEventListener("abort", onAbort);
    };
  });
  const initDurationMs = performance.now() - started;
  if (failure) {
    killGroup(child);
    await withDeadline(exited, EXIT_DEADLINE_MS);
    await runtimeApi.close();
    throw new InitError(failure, initDurationMs);
  }
  return { runtimeApi, child, exited, initDurationMs, taps };
}
