// What the pool hands back for each request, as a RunningInvocation: a run on an environment,
// logged as Lambda logs it (START, the function's output, END and REPORT with the memory used and,
// when cold, the init duration, once the environment is done with it); or an answer for a request
// that never ran (throttled, abandoned, an init that failed).

import type { FunctionConfig } from "../common/function-config";
import type { FunctionError } from "../common/function-error";
import type { LogSink } from "../common/log-sink";
import type { ExecutionEnvironment } from "../environment/execution-environment";
import { InitError } from "../environment/init-phase";
import { InvocationLog } from "./invocation-log";
import type { InvokeOptions, PoolResponse, RunningInvocation } from "./running-invocation";
import { NotInvoked } from "./wait-queue";

/** What identifies an invocation to its environment. */
export type InvocationRequest = Pick<InvokeOptions, "clientContext"> & { readonly requestId: string; readonly traceId: string };

export type InvocationRun = Omit<RunningInvocation, "requestId">;

/** What the pool is told while a run goes on. */
export interface RunHooks {
  /** The answer is complete; `ended` resolves once the environment is done with the invocation. */
  answered(ended: Promise<unknown>): void;
  /** The environment is done with it (after REPORT): `reusable` when its runtime asked for the next event. */
  done(reusable: boolean): void;
}

/** Runs the invocation on `env` (started on `fn`), logging it. @throws when the environment cannot take it (its process died). */
export function runLogged(
  env: ExecutionEnvironment,
  fn: FunctionConfig,
  event: Buffer,
  request: InvocationRequest,
  sink: LogSink,
  hooks: RunHooks,
): InvocationRun {
  const cold = env.cold;
  const log = new InvocationLog(request.requestId, fn, sink);
  const untap = env.tapOutput(log.output);
  const invocation = env.invoke({ ...request, event, onTimeout: () => log.timedOut() });
  void invocation.completion.then(() => hooks.answered(invocation.ended));
  const logTail = Promise.all([invocation.ended, invocation.completion]).then(([end, completion]) => {
    const maxMemoryUsedMb = env.maxMemoryUsedMb();
    const tail = log.finish({
      end,
      ...(completion.error ? { error: completion.error } : {}),
      ...(maxMemoryUsedMb !== undefined ? { maxMemoryUsedMb } : {}),
      ...(cold ? { initDurationMs: env.initDurationMs } : {}),
    });
    untap();
    hooks.done(end.kind === "next");
    return tail;
  });
  return { response: invocation.response, completion: invocation.completion, logTail };
}

/** A request whose function could not run: the error is its answer. */
export function failed(error: FunctionError): InvocationRun {
  return { response: Promise.resolve({ kind: "error", error }), completion: Promise.resolve({ error }), logTail: Promise.resolve("") };
}

/** A request whose environment never came: refused while it waited, or its init failed. */
export function neverRan(error: Error): InvocationRun {
  if (error instanceof NotInvoked) {
    return notInvoked(error.response);
  }
  return failed(error instanceof InitError ? error.functionError : { errorType: "Runtime.Unknown", errorMessage: error.message });
}

/** A request refused or dropped before it ran. */
export function notInvoked(response: PoolResponse): InvocationRun {
  return { response: Promise.resolve(response), completion: Promise.resolve({}), logTail: Promise.resolve("") };
}
