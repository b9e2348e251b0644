import { spawn } from "node:child_process";
import { fromPs, residentMemory, residentMemoryNow } from "../../../emulator/environment/process-memory";
import { missingReason, requireProcFs, testWhenAvailable } from "../../helpers/requirements";

/** The pid of a process that has ended (and been reaped). */
async function goneProcess(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""]);
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid as number;
}

describe("process memory", () => {
  test("reads this process's resident memory through /proc or ps, whichever this machine has", async () => {
    expect((await residentMemory(process.pid))?.rssMb).toBeGreaterThan(10);
    expect((await fromPs(process.pid))?.rssMb).toBeGreaterThan(10);
  });

  test("says nothing for a process that is gone", async () => {
    const pid = await goneProcess();
    expect(await residentMemory(pid)).toBeUndefined();
    expect(await fromPs(pid)).toBeUndefined();
  });

  // The peak and the reading without waiting exist only where /proc does (Linux).
  testWhenAvailable(
    "reads the peak too, and the size now without waiting (nothing for a gone process)",
    missingReason(requireProcFs),
    async () => {
      const memory = await residentMemory(process.pid);
      expect(memory?.peakMb ?? 0).toBeGreaterThanOrEqual((memory?.rssMb ?? 0) - 1);
      expect(residentMemoryNow(process.pid)?.rssMb).toBeGreaterThan(10);
      expect(residentMemoryNow(await goneProcess())).toBeUndefined();
    },
  );
});
