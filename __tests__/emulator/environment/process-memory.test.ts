import { spawn } from "node:child_process";
import { fromPs, residentMemory, residentMemoryNow } from "../../../emulator/environment/process-memory";

describe("process memory", () => {
  test("reads this process's resident memory, now and its peak, and ps agrees on its size", async () => {
    const memory = await residentMemory(process.pid);
    expect(memory?.rssMb).toBeGreaterThan(10);
    expect(memory?.peakMb ?? 0).toBeGreaterThanOrEqual((memory?.rssMb ?? 0) - 1);
    expect(residentMemoryNow(process.pid)?.rssMb).toBeGreaterThan(10);
    const ps = await fromPs(process.pid);
    expect(ps?.rssMb).toBeGreaterThan(10);
  });

  test("says nothing for a process that is gone", async () => {
    const child = spawn(process.execPath, ["-e", ""]);
    const pid = child.pid as number;
    await new Promise((resolve) => child.once("exit", resolve));
    expect(await residentMemory(pid)).toBeUndefined();
    expect(residentMemoryNow(pid)).toBeUndefined();
    expect(await fromPs(pid)).toBeUndefined();
  });
});
