// What this test process holds: its child processes and sockets, and a process's resident memory
// and liveness. Leak tests compare them before and after. Linux's /proc answers each; elsewhere
// (macOS) `ps` answers all but the sockets: a test that counts sockets declares requireProcFs.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";

const HAS_PROC = fs.existsSync("/proc/self/status");

/** Process ids of this process's children. */
export function childPids(): number[] {
  if (!HAS_PROC) return childPidsFromPs();
  return fs
    .readdirSync("/proc/self/task")
    .flatMap((task) => fs.readFileSync(`/proc/self/task/${task}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number));
}

/** The same, from `ps` (no /proc); exported to be tested against /proc on Linux. */
export function childPidsFromPs(): number[] {
  const listing = ps(["-A", "-o", "pid=,ppid="]);
  return listing.stdout
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([pid, ppid]) => ppid === process.pid && pid !== listing.pid)
    .map(([pid]) => pid);
}

/** How many child processes and sockets this process has now. Needs /proc (requireProcFs). */
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
  if (!HAS_PROC) return rssMbFromPs(pid);
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) / 1024;
}

/** The same, from `ps` (no /proc); exported to be tested against /proc on Linux. */
export function rssMbFromPs(pid: number): number {
  return Number(ps(["-o", "rss=", "-p", String(pid)]).stdout.trim()) / 1024;
}

/**
 * Whether `pid` still runs: false once it is gone or a zombie (ended, not yet reaped by its
 * parent). Reads /proc where there is one, and asks `ps` elsewhere (macOS).
 */
export function isRunning(pid: number): boolean {
  if (HAS_PROC) {
    try {
      return !/^State:\s+[ZX]/m.test(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    } catch {
      return false;
    }
  }
  return isRunningFromPs(pid);
}

/** The same, from `ps` (no /proc); exported to be tested against /proc on Linux. */
export function isRunningFromPs(pid: number): boolean {
  const state = ps(["-o", "stat=", "-p", String(pid)]).stdout.trim();
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

/** `ps` with `args`: its output (empty when no process matched), and its own pid (it is a child too). */
function ps(args: readonly string[]): { stdout: string; pid: number } {
  const result = spawnSync("ps", args, { encoding: "utf8", timeout: 10_000 });
  if (result.error) throw new Error(`ps ${args.join(" ")} failed: ${result.error.message}`);
  return { stdout: result.stdout, pid: result.pid };
}
