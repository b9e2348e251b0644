import { LAMBDA_RESPONSE_LIMITS, OversizedResponseError, ResponseLimiter } from "../../../emulator/invocation/response-limiter";

const MiB = 1024 * 1024;

/** Writes `chunks` through `limiter`; resolves with what came out and the error, if any. */
async function through(limiter: ResponseLimiter, chunks: Buffer[]): Promise<{ out: Buffer[]; error?: Error }> {
  const out: Buffer[] = [];
  limiter.on("data", (chunk: Buffer) => out.push(chunk));
  const ended = new Promise<Error | undefined>((resolve) => {
    limiter.once("end", () => resolve(undefined));
    limiter.once("error", resolve);
  });
  for (const chunk of chunks) limiter.write(chunk);
  limiter.end();
  const error = await ended;
  return { out, ...(error ? { error } : {}) };
}

describe("ResponseLimiter", () => {
  test("with Lambda's limits, the first 6 MiB pass at once and 4 MiB more take 2 s (2 MiB/s)", async () => {
    // Fake timers move the clock (performance.now too) exactly as far as the limiter waits.
    jest.useFakeTimers();
    try {
      const limiter = new ResponseLimiter(LAMBDA_RESPONSE_LIMITS);
      const start = performance.now();
      const arrivals: { at: number; total: number }[] = [];
      let total = 0;
      limiter.on("data", (chunk: Buffer) => {
        total += chunk.length;
        arrivals.push({ at: performance.now() - start, total });
      });
      const ended = new Promise((resolve) => limiter.once("end", resolve));
      limiter.end(Buffer.alloc(10 * MiB));
      await jest.runAllTimersAsync();
      await ended;
      expect(total).toBe(10 * MiB);
      expect(Math.max(...arrivals.filter((a) => a.at === 0).map((a) => a.total))).toBe(6 * MiB);
      expect(arrivals.at(-1)?.at).toBeGreaterThanOrEqual(2000);
      expect(arrivals.at(-1)?.at).toBeLessThan(2100);
    } finally {
      jest.useRealTimers();
    }
  });

  test("passes bytes through unchanged within the limits", async () => {
    const { out, error } = await through(new ResponseLimiter({ maxBytes: 100 }), [Buffer.from("hello "), Buffer.from("world")]);
    expect(error).toBeUndefined();
    expect(Buffer.concat(out).toString()).toBe("hello world");
  });

  test("forwards exactly the bytes up to the size limit, then fails with Function.ResponseSizeTooLarge", async () => {
    const { out, error } = await through(new ResponseLimiter({ maxBytes: 8 }), [Buffer.from("12345"), Buffer.from("67890")]);
    expect(Buffer.concat(out).toString()).toBe("12345678");
    expect(error).toBeInstanceOf(OversizedResponseError);
    expect(error?.name).toBe("Function.ResponseSizeTooLarge");
  });

  test("sends the burst at once, then splits the rest to the rate", async () => {
    // A clock that only moves when told: the burst is used up, and more bytes wait for refills.
    let now = 0;
    const limiter = new ResponseLimiter({ maxBytes: MiB, bandwidth: { burstBytes: 4, bytesPerSecond: 1000 } }, () => now);
    const out: Buffer[] = [];
    limiter.on("data", (chunk: Buffer) => {
      out.push(chunk);
      now += 4; // 4 ms pass per piece: 4 more tokens at 1000 B/s
    });
    const { error } = await through(limiter, [Buffer.from("abcdefghijkl")]);
    expect(error).toBeUndefined();
    expect(out.map((chunk) => chunk.toString())).toEqual(["abcd", "efgh", "ijkl"]);
  });

  test("waits for tokens on the real clock, delivering every byte in order", async () => {
    const limiter = new ResponseLimiter({ maxBytes: MiB, bandwidth: { burstBytes: 1024, bytesPerSecond: 64 * 1024 } });
    const data = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251));
    const { out, error } = await through(limiter, [data]);
    expect(error).toBeUndefined();
    expect(Buffer.concat(out).equals(data)).toBe(true);
    expect(out.length).toBeGreaterThan(1);
  });

  test("a limiter destroyed while it waits stops at once", async () => {
    const limiter = new ResponseLimiter({ maxBytes: MiB, bandwidth: { burstBytes: 1, bytesPerSecond: 1 } });
    const closed = new Promise((resolve) => limiter.once("close", resolve));
    limiter.on("data", () => undefined);
    limiter.write(Buffer.alloc(10));
    limiter.destroy();
    await closed;
    expect(limiter.destroyed).toBe(true);
  });
});
