// A log sink for tests that can be awaited: `waitFor` resolves when enough matching lines have
// been logged, so tests synchronise on the server's own events rather than on sleeps.

export class LogCollector {
  readonly lines: string[] = [];
  private readonly waiters = new Set<() => void>();

  /** The sink to hand the server. */
  readonly sink = (line: string): void => {
    this.lines.push(line);
    for (const check of [...this.waiters]) check();
  };

  /** Lines matching `pattern` so far. */
  matching(pattern: RegExp): string[] {
    return this.lines.filter((line) => pattern.test(line));
  }

  /**
   * Resolves with the matching lines once at least `count` match; rejects after `deadlineMs`
   * with what was logged, so a missing line fails the test with a reason instead of hanging.
   */
  waitFor(pattern: RegExp, count = 1, deadlineMs = 15_000): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.matching(pattern);
        if (found.length >= count) {
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`expected ${count} log line(s) matching ${pattern} within ${deadlineMs} ms; the log:\n${this.lines.join("\n")}`));
      }, deadlineMs);
      this.waiters.add(check);
      check();
    });
  }
}
