// One execution environment: a Node.js 22 process running AWS's runtime interface client
// against its own Runtime API server. It owns that process's life: init (init-phase.ts), one
// invocation at a time, the timeout (armed until the runtime asks for its next event), the
// memory size (a process that grows past it is killed, as Lambda kills it), and its exit.

import type { ChildProcess } from "node:child_process";
import { withDeadline } from "../../support/deadline";
import type { FunctionConfig } from "../common/function-config";
import type { FunctionError } from "../common/function-error";
import type { LogSink } from "../common/log-sink";
import type { Invocation, InvocationCompletion } from "../runtime-api/invocation";
import type { RuntimeApi } from "../runtime-api/server";
import { functionArn } from "./function-variables";
import { initRuntime, type StartOptions } from "./init-phase";
import { MemoryWatch } from "./memory-watch";
import { EXIT_DEADLINE_MS, exitError, firstOf, killGroup } from "./process-exit";
import type { RuntimeCommand } from "./runtime-command";

/** How long a cut-off stream waits to learn whether the process died. */
const EXIT_GRACE_MS = 200;

/** How an invocation ended for the environment (the client's answer may have ended earlier). */
export type InvocationEnd =
  /** The runtime asked for its next event: the environment is IDLE again. */
  | { readonly kind: "next" }
  /** The timeout passed first: the process was stopped. */
  | { readonly kind: "timeout" }
  /** The process ended first (crash, exit, or killed for its memory). */
  | { readonly kind: "died"; readonly error: FunctionError };

/** What an environment is asked to run. */
export interface EnvironmentInvocationRequest {
  readonly requestId: string;
  readonly event: Buffer;
  readonly traceId: string;
  /** The caller's client context (JSON), for `context.clientContext`. */
  readonly clientContext?: string;
  /** Told when the timeout passes, before the process is stopped. */
  readonly onTimeout: () => void;
}

/** A running invocation, as the pool sees it. */
export interface EnvironmentInvocation extends Pick<Invocation, "response" | "completion"> {
  /** Resolves when the environment is done with the invocation (never rejects). */
  readonly ended: Promise<InvocationEnd>;
}

export type EnvironmentState = "IDLE" | "BUSY" | "DEAD";

export class ExecutionEnvironment {
  state: EnvironmentState = "IDLE";
  /** Whether the next invocation is this environment's first (a cold start). */
  cold = true;
  /** Resolves when the runtime process has ended, whatever ended it. */
  readonly died: Promise<void>;
  /** Whether it can take an invocation: idle, and its process has not exited. */
  get alive(): boolean {
    return this.state === "IDLE" && this.child.exitCode === null && this.child.signalCode === null;
  }
  private exitError: FunctionError | undefined;
  /** The process's memory against the function's memory size, polled while an invocation runs. */
  private readonly memory: MemoryWatch;

  private constructor(
    private readonly fn: FunctionConfig,
    private readonly runtimeApi: RuntimeApi,
    private readonly child: ChildProcess,
    private readonly exited: Promise<void>,
    /** Milliseconds from spawning the process to its first `/next`. */
    readonly initDurationMs: number,
    /** False while a debugger may hold the process at a breakpoint. */
    private readonly enforceTimeout: boolean,
    /** Listeners to the process's output lines. */
    private readonly taps: Set<LogSink>,
  ) {
    this.memory = new MemoryWatch(child, fn.memoryMb);
    this.died = new Promise((resolve) => child.once("exit", () => resolve()));
    child.once("exit", (code, signal) => this.onExit(code, signal));
  }

  /**
   * Spawns the runtime and waits until it asks for its first event (init-phase.ts).
   * @throws InitError with the init error the runtime reported, or why the process ended.
   */
  static async start(fn: FunctionConfig, runtime: RuntimeCommand, options: StartOptions): Promise<ExecutionEnvironment> {
    const { runtimeApi, child, exited, initDurationMs, taps } = await initRuntime(fn, runtime, options);
    return new ExecutionEnvironment(fn, runtimeApi, child, exited, initDurationMs, options.inspectPort === undefined, taps);
  }

  /**
   * Runs one invocation. The timeout runs until the runtime asks for its next event (a handler
   * that leaves a timer or a socket open keeps its invocation going, as in Lambda); when it
   * passes, `onTimeout` is told, the process is stopped and the answer, if still streaming, ends
   * with `Sandbox.Timedout`.
   */
  invoke(invocation: EnvironmentInvocationRequest): EnvironmentInvocation {
    const { requestId, event, traceId, clientContext, onTimeout } = invocation;
    if (this.state !== "IDLE") {
      throw new Error(`environment is ${this.state}; one invocation at a time`);
    }
    this.state = "BUSY";
    this.memory.start();
    const timeoutMs = this.fn.timeoutSeconds * 1000;
    const running = this.runtimeApi.invoke({
      requestId,
      event,
      deadlineMs: Date.now() + timeoutMs,
      functionArn: functionArn(this.fn),
      traceId,
      ...(clientContext !== undefined ? { clientContext } : {}),
    });
    const ended = firstOf<InvocationEnd>((settle) => {
      const onNext = (): void => settle({ kind: "next" });
      const onExit = (): void => settle({ kind: "died", error: this.exitError ?? exitError(null, null) });
      const timer = !this.enforceTimeout
        ? undefined
        : setTimeout(() => {
            onTimeout();
            this.runtimeApi.abort(timeoutError(requestId, this.fn.timeoutSeconds));
            settle({ kind: "timeout" });
            void this.stop();
          }, timeoutMs);
      this.runtimeApi.once("next", onNext);
      this.child.once("exit", onExit);
      return () => {
        clearTimeout(timer);
        this.runtimeApi.off("next", onNext);
        this.child.off("exit", onExit);
      };
    }).then((end) => {
      this.memory.pause();
      if (end.kind === "next") {
        this.state = "IDLE";
        this.cold = false;
      }
      return end;
    });
    return {
      response: running.response,
      completion: running.completion.then((completion) => this.explainTruncation(completion)),
      ended,
    };
  }

  /**
   * A stream cut off because the process died is a `Runtime.ExitError`, as Lambda reports it. The
   * connection usually closes a moment before the exit is seen, so wait briefly for it.
   */
  private async explainTruncation(completion: InvocationCompletion): Promise<InvocationCompletion> {
    if (completion.error?.errorType !== "Runtime.TruncatedResponse") {
      return completion;
    }
    const exited =
      (await withDeadline(
        this.exited.then(() => true),
        EXIT_GRACE_MS,
      )) === true;
    return exited && this.exitError ? { ...completion, error: this.exitError } : completion;
  }

  /** Peak resident memory in MB, as REPORT shows it (at most the memory size). */
  maxMemoryUsedMb(): number | undefined {
    return this.memory.maxUsedMb();
  }

  /** Hands each line the process writes to `tap` too, until the returned function is called. */
  tapOutput(tap: LogSink): () => void {
    this.taps.add(tap);
    return () => this.taps.delete(tap);
  }

  /** Why the process ended, as Lambda words it ("Runtime exited with error: …"). */
  exitReason(): string {
    return this.exitError?.errorMessage ?? "it is still running";
  }

  /** Stops the process and the Runtime API; resolves when both are gone. */
  async stop(): Promise<void> {
    this.state = "DEAD";
    this.memory.pause();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      killGroup(this.child);
    }
    await withDeadline(this.exited, EXIT_DEADLINE_MS);
    await this.runtimeApi.close();
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.state = "DEAD";
    this.memory.pause();
    this.exitError = this.memory.outOfMemory
      ? {
          errorType: "Runtime.OutOfMemory",
          errorMessage: `Runtime exited with error: signal: killed (its memory passed the function's ${this.fn.memoryMb} MB)`,
        }
      : exitError(code, signal);
    this.runtimeApi.abort(this.exitError);
    void this.runtimeApi.close();
  }
}

/**
 * The error a timed-out invocation reports, as Lambda reports it to Invoke's caller and in
 * InvokeComplete: `Sandbox.Timedout`, "RequestId: … Error: Task timed out after N.00 seconds".
 * @see https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html#troubleshooting-timeouts
 */
function timeoutError(requestId: string, timeoutSeconds: number): FunctionError {
  return {
    errorType: "Sandbox.Timedout",
    errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
  };
}
