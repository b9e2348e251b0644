// Records the timers that code under test sets and has not cleared, with where each was set, so a
// test can assert that nothing is left running after close(). Node's own timers (socket
// timeouts) are not counted: only those set through the global setTimeout and setInterval.

type Timer = ReturnType<typeof setTimeout>;

export class TimerTracker {
  private readonly live = new Map<Timer, string>();
  private readonly saved = {
    setTimeout: global.setTimeout,
    setInterval: global.setInterval,
    clearTimeout: global.clearTimeout,
    clearInterval: global.clearInterval,
  };

  /** Starts recording timers set from files whose path contains `pathPart`. */
  install(pathPart: string): void {
    const { saved, live } = this;
    const track = (timer: Timer): Timer => {
      const stack = new Error().stack ?? "";
      const origin = stack.split("\n").find((line) => line.includes(pathPart));
      if (origin) live.set(timer, origin.trim());
      return timer;
    };
    const wrapped = {
      setTimeout: (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): Timer => {
        const timer: Timer = saved.setTimeout(
          (...inner: unknown[]) => {
            live.delete(timer);
            callback(...inner);
          },
          ms,
          ...args,
        );
        return track(timer);
      },
      setInterval: (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): Timer =>
        track(saved.setInterval(callback, ms, ...args)),
      clearTimeout: (timer?: Timer | string | number): void => {
        if (timer !== undefined) live.delete(timer as Timer);
        saved.clearTimeout(timer as Timer);
      },
      clearInterval: (timer?: Timer | string | number): void => {
        if (timer !== undefined) live.delete(timer as Timer);
        saved.clearInterval(timer as Timer);
      },
    };
    Object.assign(global, wrapped);
  }

  /** Where each still-pending timer was set. */
  pending(): string[] {
    return [...this.live.values()];
  }

  uninstall(): void {
    Object.assign(global, this.saved);
    this.live.clear();
  }
}
