import { LAMBDA_RESPONSE_LIMITS, OversizedResponseError, ResponseLimiter } from "../../emulator/response-limiter";

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
  test("Lambda's limits: 200 MiB per stream, the first 6 MB uncapped, then 2 MB/s", () => {
    expect(LAMBDA_RESPONSE_LIMITS).toEqual({ maxBytes: 200 * MiB, bandwidth: { burstBytes: 6 * MiB, bytesPerSecond: 2 * MiB } });
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
