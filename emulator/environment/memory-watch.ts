// A runtime process's memory against the function's memory size: polled while an invocation runs
// (an idle process is not), its peak kept for REPORT's Max Memory Used, and a process that passes
// the size killed, as Lambda kills it.

import type { ChildProcess } from "node:child_process";
import { killGroup } from "./process-exit";
import { type ResidentMemory, residentMemory, residentMemoryNow } from "./process-memory";

/** How often a runtime process's resident memory is compared with the function's memory size. */
const MEMORY_POLL_MS = 50;

export class MemoryWatch {
  /** The process was killed for passing the memory size. */
  outOfMemory = false;
  /** Highest resident memory seen, in MiB. */
  private peakMb = 0;
  private reading = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly child: ChildProcess,
    private readonly memorySizeMb: number,
  ) {}

  /** Polls until `pause()`. */
  start(): void {
    clearInterval(this.timer);
    this.timer = setInterval(() => void this.check(), MEMORY_POLL_MS);
    this.timer.unref();
  }

  pause(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Peak resident memory in MB, as REPORT shows it: at most the memory size, since a process that passes it is stopped there. */
  maxUsedMb(): number | undefined {
    const pid = this.child.pid;
    const now = pid === undefined ? undefined : residentMemoryNow(pid);
    if (now) {
      this.notePeak(now);
    }
    if (this.peakMb === 0) {
      return undefined;
    }
    return Math.min(Math.ceil(this.peakMb), this.memorySizeMb);
  }

  /** One reading at a time (`ps` on macOS may take longer than the polling interval). */
  private async check(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      await this.read();
    } finally {
      this.reading = false;
    }
  }

  private async read(): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined || this.exited()) {
      return;
    }
    const memory = await residentMemory(pid);
    // The process may have ended while its memory was read.
    if (!memory || this.exited()) {
      return;
    }
    this.notePeak(memory);
    if (memory.rssMb > this.memorySizeMb && !this.outOfMemory) {
      this.outOfMemory = true;
      killGroup(this.child);
    }
  }

  private exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  private notePeak(memory: ResidentMemory): void {
    this.peakMb = Math.max(this.peakMb, memory.peakMb ?? 0, memory.rssMb);
  }
}
