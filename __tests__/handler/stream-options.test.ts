import { checkFitsInTime, countWrites, parseStreamOptions } from "../../handler/stream-options";

describe("parseStreamOptions", () => {
  test('defaults to the classic new Array(1024 * 1024).join("🚗"): 1,048,575 cars, 1,024 per write, no delay', () => {
    expect(parseStreamOptions({ rawQueryString: "" })).toEqual({
      ok: true,
      options: { count: new Array(1024 * 1024).join("🚗").length / "🚗".length, chunk: 1_024, delay: 0 },
    });
  });

  test("takes the most whole cars that fit in the 200 MiB a streamed response may carry, and no more", () => {
    const most = Math.floor((200 * 1024 * 1024) / Buffer.byteLength("🚗"));
    expect(parseStreamOptions({ rawQueryString: `count=${most}` })).toMatchObject({ ok: true, options: { count: most } });
    expect(parseStreamOptions({ rawQueryString: `count=${most + 1}` })).toMatchObject({ ok: false });
  });

  test("reads every parameter at its bounds", () => {
    expect(parseStreamOptions({ rawQueryString: "count=52428800&chunk=65536&delay=1000" })).toEqual({
      ok: true,
      options: { count: 52_428_800, chunk: 65_536, delay: 1_000 },
    });
    expect(parseStreamOptions({ rawQueryString: "count=0&chunk=1&delay=0" })).toEqual({
      ok: true,
      options: { count: 0, chunk: 1, delay: 0 },
    });
  });

  test("ignores parameters it does not know", () => {
    expect(parseStreamOptions({ rawQueryString: "count=3&utm_source=x" })).toMatchObject({ ok: true, options: { count: 3 } });
  });

  test("falls back to queryStringParameters when there is no raw query string", () => {
    expect(parseStreamOptions({ queryStringParameters: { count: "7" } })).toMatchObject({ ok: true, options: { count: 7 } });
  });

  test.each([
    ["count=-1", 'count must be an integer from 0 to 52428800 (cars, default 1048575) (got "-1")'],
    ["count=52428801", 'count must be an integer from 0 to 52428800 (cars, default 1048575) (got "52428801")'],
    ["count=1.5", 'count must be an integer from 0 to 52428800 (cars, default 1048575) (got "1.5")'],
    ["count=abc", 'count must be an integer from 0 to 52428800 (cars, default 1048575) (got "abc")'],
    ["count=", 'count must be an integer from 0 to 52428800 (cars, default 1048575) (got "")'],
    ["count=1e3", 'count must be an integer from 0 to 52428800 (cars, default 1048575) (got "1e3")'],
    ["count=007", 'count must be an integer from 0 to 52428800 (cars, default 1048575) (got "007")'],
    ["chunk=0", 'chunk must be an integer from 1 to 65536 (cars per write, default 1024) (got "0")'],
    ["chunk=65537", 'chunk must be an integer from 1 to 65536 (cars per write, default 1024) (got "65537")'],
    ["delay=1001", 'delay must be an integer from 0 to 1000 (milliseconds between writes, default 0) (got "1001")'],
    ["delay=%20", 'delay must be an integer from 0 to 1000 (milliseconds between writes, default 0) (got " ")'],
    ["count=1&count=2", 'count was given 2 times ("1", "2"); give it once, an integer from 0 to 52428800 (cars, default 1048575)'],
  ])("rejects %s", (rawQueryString, error) => {
    expect(parseStreamOptions({ rawQueryString })).toEqual({ ok: false, error });
  });
});

describe("checkFitsInTime", () => {
  test("accepts a paced stream that ends before the timeout", () => {
    expect(checkFitsInTime({ count: 20, chunk: 1, delay: 100 }, 2_000)).toBeUndefined();
  });

  test("rejects a paced stream that would outlast the remaining time, and says why", () => {
    expect(checkFitsInTime({ count: 20, chunk: 1, delay: 100 }, 1_999)).toBe(
      "count=20, chunk=1 and delay=100 need 20 writes × 100 ms = 2000 ms, but the function has 1999 ms left before its timeout; " +
        "lower count or delay, raise chunk, or raise the function's timeout",
    );
  });

  test("counts a final partial chunk as a write", () => {
    expect(countWrites({ count: 2_049, chunk: 1_024, delay: 0 })).toBe(3);
    expect(countWrites({ count: 0, chunk: 1_024, delay: 0 })).toBe(0);
  });
});
