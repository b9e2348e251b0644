// A runtime process's end: how it is killed (its whole process group), how Lambda words its exit,
// and the small helper that waits for the first of several ways a process can end.

import type { ChildProcess } from "node:child_process";
import type { FunctionError } from "../common/function-error";

/** How long a killed process may take to be reaped before a stop gives up waiting. */
export const EXIT_DEADLINE_MS = 5_000;

export /**
 * Kills the runtime process and everything it started (its process group), as Lambda ends a whole
 * sandbox: a child the handler spawned must not outlive it, nor hold its output pipes open.
 */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}

/** Signal names as Lambda's log spells them (Go's `os.Signal` strings). */
const SIGNAL_NAMES: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: "killed",
  SIGABRT: "aborted",
  SIGSEGV: "segmentation fault",
  SIGTERM: "terminated",
};

export /** How Lambda reports a runtime process that ended: "Runtime exited with error: signal: killed". */
function exitError(code: number | null, signal: NodeJS.Signals | null): FunctionError {
  const how = signal ? `signal: ${SIGNAL_NAMES[signal] ?? signal}` : `exit status ${code}`;
  return { errorType: "Runtime.ExitError", errorMessage: `Runtime exited with error: ${how}` };
}

export /**
 * The first value `arm` settles with. `arm` registers its listeners and timers and returns the
 * function that removes them all, which runs as soon as one of them settles.
 */
function firstOf<T>(arm: (settle: (value: T) => void) => () => void): Promise<T> {
  return new Promise<T>((resolve) => {
    let settled = false;
    let disarm: (() => void) | undefined;
    const settle = (value: T): void => {
      if (settled) return;
      settled = true;
      disarm?.();
      resolve(value);
    };
    disarm = arm(settle);
    if (settled) disarm();
  });
}
