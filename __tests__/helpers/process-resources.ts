// What this test process holds, read from Linux's /proc: its child processes and sockets, and a
// process's resident memory. Leak tests compare them before and after.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";

/** Process ids of this process's children. */
export function childPids(): number[] {
  return fs
    .readdirSync("/proc/self/task")
    .flatMap((task) => fs.readFileSync(`/proc/self/task/${task}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number));
}

/** How many child processes and sockets this process has now. */
export function openResources(): { children: number; sockets: number } {
  const sockets = fs.readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith("socket:");
    } catch {
      return false;
    }
  }).length;
  return { children: childPids().length, sockets };
}

/** Resident memory of `pid`, in MiB. */
export function rssMb(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) / 1024;
}

/**
 * Whether `pid` still runs: false once it is gone or a zombie (ended, not yet reaped by its
 * parent). Reads /proc where there is one, and asks `ps` elsewhere (macOS).
 */
export function isRunning(pid: number): boolean {
  if (fs.existsSync("/proc/self/status")) {
    try {
      return !/^State:\s+[ZX]/m.test(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    } catch {
      return false;
    }
  }
  const ps = spawnSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8" });
  const state = ps.stdout.trim();
  return state !== "" && !state.startsWith("Z");
}

/** Resolves once `pid` no longer runs; rejects after `deadlineMs` (nothing signals a non-child's end). */
export async function processEnded(pid: number, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (isRunning(pid)) {
    if (Date.now() > until) throw new Error(`process ${pid} still runs after ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
