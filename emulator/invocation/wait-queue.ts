// Requests waiting for an execution environment, in order. Each waits until it is handed one, its
// deadline passes (then it is throttled), or its client leaves (then it is dropped unrun); every
// way out removes it from the queue and clears its timer.

import type { PoolResponse } from "./running-invocation";

/** A request that will not be invoked: it gets `response` and never reaches an environment. */
export class NotInvoked extends Error {
  constructor(readonly response: PoolResponse) {
    super(response.kind);
    this.name = "NotInvoked";
  }
}

export interface Waiter<T> {
  /** False when the waiter was already answered (deadline, client gone): the caller keeps `value`. */
  resolve(value: T): boolean;
  reject(error: Error): void;
}

export class WaitQueue<T> {
  private readonly waiters: Waiter<T>[] = [];

  get length(): number {
    return this.waiters.length;
  }

  /** The first waiter, still in the queue. */
  first(): Waiter<T> | undefined {
    return this.waiters[0];
  }

  /** Takes the first waiter out of the queue (it may still be answered). */
  shift(): Waiter<T> | undefined {
    return this.waiters.shift();
  }

  /** Answers every waiter with `error`. */
  rejectAll(error: Error): void {
    for (const waiter of [...this.waiters]) {
      waiter.reject(error);
    }
  }

  /**
   * Waits in line: resolves with what a `resolve` hands over; rejects with NotInvoked when
   * `deadlineMs` passes (throttled) or `signal` aborts (abandoned).
   */
  wait(deadlineMs: number, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let answered = false;
      const leave = (): void => {
        answered = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        const at = this.waiters.indexOf(waiter);
        if (at !== -1) this.waiters.splice(at, 1);
      };
      const waiter: Waiter<T> = {
        resolve: (value) => {
          if (answered) return false;
          leave();
          resolve(value);
          return true;
        },
        reject: (error) => {
          if (answered) return;
          leave();
          reject(error);
        },
      };
      const onAbort = (): void => waiter.reject(new NotInvoked({ kind: "abandoned" }));
      const timer = setTimeout(
        () => waiter.reject(new NotInvoked({ kind: "throttled", reason: `no environment was free within ${deadlineMs} ms` })),
        deadlineMs,
      );
      this.waiters.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
      if (signal?.aborted) onAbort();
    });
  }
}
