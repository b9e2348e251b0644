// What this test process holds, read from Linux's /proc: its child processes and sockets, and a
// process's resident memory. Leak tests compare them before and after.

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
