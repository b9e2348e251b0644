// Reads a process's resident memory, to hold a runtime process to its function's memory size as
// Lambda does. Linux reads /proc; other systems ask `ps`, which reports the current size only.

import { execFile } from "node:child_process";
import * as fs from "node:fs";

export interface ResidentMemory {
  /** Resident set size now, in MiB. */
  readonly rssMb: number;
  /** Peak resident set size, in MiB, where the OS tracks it (Linux VmHWM). */
  readonly peakMb?: number;
}

/** The process's memory, or undefined when it is gone or the OS does not tell. */
export function residentMemory(pid: number): Promise<ResidentMemory | undefined> {
  return process.platform === "linux"
    ? fs.promises.readFile(`/proc/${pid}/status`, "utf8").then(parseStatus, () => undefined)
    : fromPs(pid);
}

/** The same, read at once where that is cheap (Linux's /proc); undefined elsewhere. */
export function residentMemoryNow(pid: number): ResidentMemory | undefined {
  if (process.platform !== "linux") {
    return undefined;
  }
  try {
    return parseStatus(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return undefined;
  }
}

function parseStatus(status: string): ResidentMemory | undefined {
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status)?.[1]);
  const rss = kb("VmRSS");
  const peak = kb("VmHWM");
  if (!Number.isFinite(rss)) {
    return undefined;
  }
  return { rssMb: rss / 1024, ...(Number.isFinite(peak) ? { peakMb: peak / 1024 } : {}) };
}

/** `ps`, where there is no /proc (macOS); exported to be tested on Linux too. */
export function fromPs(pid: number): Promise<ResidentMemory | undefined> {
  return new Promise((resolve) => {
    execFile("ps", ["-o", "rss=", "-p", String(pid)], { timeout: 2_000 }, (error, stdout) => {
      const kb = Number(stdout.trim());
      resolve(error || !Number.isFinite(kb) || stdout.trim() === "" ? undefined : { rssMb: kb / 1024 });
    });
  });
}
