// The helpers' `ps` answers, for machines without /proc (macOS), checked against /proc here, so
// that they cannot rot on the Linux machines that run the suite.

import { spawn } from "node:child_process";
import { once } from "node:events";
import { childPids, childPidsFromPs, isRunning, isRunningFromPs, rssMb, rssMbFromPs } from "./process-resources";
import { describeWhenAvailable, missingReason, requireProcFs } from "./requirements";

describeWhenAvailable("process resources from ps, as on a machine without /proc", missingReason(requireProcFs), () => {
  test("the children, liveness and resident memory agree with /proc", async () => {
    const child = spawn(process.execPath, ["-e", "setInterval(() => undefined, 1000)"], { stdio: "ignore" });
    const exited = once(child, "exit");
    const pid = child.pid as number;
    try {
      expect(childPids()).toContain(pid);
      expect(childPidsFromPs().sort()).toEqual(childPids().sort());
      expect([isRunning(pid), isRunningFromPs(pid)]).toEqual([true, true]);
      // Read one after the other from a process that allocates meanwhile: close, not equal.
      const [proc, fromPs] = [rssMb(process.pid), rssMbFromPs(process.pid)];
      expect(proc).toBeGreaterThan(10);
      expect(Math.abs(proc - fromPs)).toBeLessThan(16);
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
    expect(childPidsFromPs()).not.toContain(pid);
    expect([isRunning(pid), isRunningFromPs(pid)]).toEqual([false, false]);
  });
});
