// Environments about to be free: their answer is complete, and their runtime is a moment from
// asking for the next event (a millisecond or two, unless the handler left work behind). The pool
// lets a request wait for one rather than start a cold environment beside it, and counts their
// concurrency as still held; one that is not back within the grace period no longer counts.

/**
 * How long an environment whose answer is complete counts as about to be free. Requests wait for
 * it that long rather than start a cold environment beside it.
 */
export const FINISHING_GRACE_MS = 100;

export class FinishingEnvironments {
  private count = 0;

  /** `late` runs when one is not back within `graceMs` (a timer or socket left open keeps it going). */
  constructor(
    private readonly graceMs: number,
    private readonly late: () => void,
  ) {}

  /** How many there are now. */
  get size(): number {
    return this.count;
  }

  /** One more, until `ended` (its environment is done with the invocation) or the grace period passes. */
  add(ended: Promise<unknown>): void {
    this.count += 1;
    let counted = true;
    const uncount = (): void => {
      if (counted) {
        counted = false;
        this.count -= 1;
      }
    };
    const grace = setTimeout(() => {
      uncount();
      this.late();
    }, this.graceMs);
    void ended.then(() => {
      clearTimeout(grace);
      uncount();
    });
  }
}
