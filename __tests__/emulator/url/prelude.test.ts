import { PassThrough } from "node:stream";
import { parsePrelude, readPrelude, splitPrelude, waitForFirstBytes } from "../../../emulator/url/prelude";

const NUL8 = Buffer.alloc(8);

async function rest(stream: PassThrough): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) {
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts).toString();
}

describe("readPrelude", () => {
  test("splits prelude and body, leaving the body on the stream", async () => {
    const stream = new PassThrough();
    stream.end(Buffer.concat([Buffer.from('{"statusCode":201,"headers":{"X-A":"b"},"cookies":["c=1"]}'), NUL8, Buffer.from("body")]));
    expect(await readPrelude(stream)).toEqual({ kind: "prelude", prelude: { statusCode: 201, headers: { "x-a": "b" }, cookies: ["c=1"] } });
    expect(await rest(stream)).toBe("body");
  });

  test("finds a delimiter split across chunks, and keeps NULs inside the body", async () => {
    const stream = new PassThrough();
    const whole = Buffer.concat([Buffer.from("{}"), NUL8, Buffer.from([0, 0, 65])]);
    const reading = readPrelude(stream);
    for (let i = 0; i < whole.length; i += 3) {
      stream.write(whole.subarray(i, i + 3));
      await new Promise((resolve) => setImmediate(resolve));
    }
    stream.end();
    expect(await reading).toEqual({ kind: "prelude", prelude: { statusCode: 200, headers: {}, cookies: [] } });
    expect(Buffer.from(await rest(stream), "latin1")).toEqual(Buffer.from([0, 0, 65]));
  });

  test("reports an empty stream, a missing delimiter, and a delimiter too late", async () => {
    const empty = new PassThrough();
    empty.end();
    expect(await readPrelude(empty)).toEqual({ kind: "empty" });
    const noDelimiter = new PassThrough();
    noDelimiter.end("Not Found");
    expect(await readPrelude(noDelimiter)).toEqual({ kind: "invalid", reason: "the stream ended before the prelude delimiter" });
    const late = new PassThrough();
    late.write(Buffer.alloc(17 * 1024, 97));
    expect(await readPrelude(late)).toEqual({ kind: "invalid", reason: "no prelude delimiter within the first 16384 bytes" });
  });

  test("stops when its signal aborts, and leaves the stream to the caller (no listener of its own)", async () => {
    const stream = new PassThrough();
    stream.write('{"statusCode":2');
    const stop = new AbortController();
    const reading = readPrelude(stream, stop.signal);
    await new Promise((resolve) => setImmediate(resolve));
    stop.abort();
    expect(await reading).toEqual({ kind: "aborted" });
    expect(stream.listenerCount("data") + stream.listenerCount("end") + stream.listenerCount("close")).toBe(0);
    expect(await waitForFirstBytes(new PassThrough(), stop.signal)).toEqual({ kind: "aborted" });
  });

  test("reports a stream broken before the prelude", async () => {
    const stream = new PassThrough();
    const reading = readPrelude(stream);
    stream.destroy(new Error("socket hang up"));
    expect(await reading).toEqual({ kind: "aborted" });
  });
});

describe("the 16 KiB prelude limit: one rule, however the bytes arrive and in either invoke mode", () => {
  /** A prelude whose JSON is exactly `size` bytes, then the delimiter and a body. */
  const response = (size: number): Buffer => {
    const bare = '{"statusCode":201,"headers":{"x":""}}';
    const json = bare.replace('"x":""', `"x":"${"y".repeat(size - bare.length)}"`);
    expect(json.length).toBe(size);
    return Buffer.concat([Buffer.from(json), NUL8, Buffer.from("body")]);
  };
  /** readPrelude over `bytes` written in chunks of `chunk` bytes, each on its own turn of the event loop. */
  async function streamedIn(bytes: Buffer, chunk: number): Promise<string> {
    const stream = new PassThrough();
    const reading = readPrelude(stream);
    for (let i = 0; i < bytes.length; i += chunk) {
      stream.write(bytes.subarray(i, i + chunk));
      await new Promise((resolve) => setImmediate(resolve));
    }
    stream.end();
    const result = await reading;
    return result.kind === "prelude" ? `status ${result.prelude.statusCode}, body ${await rest(stream)}` : JSON.stringify(result);
  }
  const tooLate = JSON.stringify({ kind: "invalid", reason: "no prelude delimiter within the first 16384 bytes" });
  const whole = (bytes: Buffer): string => {
    const split = splitPrelude(bytes);
    return typeof split === "string" ? split : `status ${split.prelude.statusCode}, body ${split.body}`;
  };

  test.each([
    ["16384 bytes (the limit)", 16 * 1024, "status 201, body body", "status 201, body body"],
    ["16385 bytes", 16 * 1024 + 1, tooLate, "no prelude delimiter within the first 16384 bytes"],
    ["20 KiB", 20 * 1024, tooLate, "no prelude delimiter within the first 16384 bytes"],
  ])("a prelude of %s", async (_what, size, streamedAnswer, bufferedAnswer) => {
    const bytes = response(size);
    for (const chunk of [bytes.length, 64 * 1024, 16 * 1024, 1024, 7]) {
      expect([chunk, await streamedIn(bytes, chunk)]).toEqual([chunk, streamedAnswer]);
    }
    expect(whole(bytes)).toBe(bufferedAnswer);
  });
});

describe("parsePrelude", () => {
  test.each([
    ["not json", "the prelude is not valid JSON"],
    ["[1]", "the prelude is not a JSON object"],
    ['{"statusCode":700}', "the prelude's statusCode 700 is not an HTTP status"],
    [
      '{"statusCode":100}',
      "the prelude's statusCode 100 is informational (1xx), not a final status: a Function URL answers with 200 to 599",
    ],
    ['{"headers":"x"}', "the prelude's headers are not an object"],
    ['{"cookies":"a=1"}', "the prelude's cookies are not an array"],
  ])("rejects %s", (json, reason) => {
    expect(parsePrelude(Buffer.from(json))).toBe(reason);
  });
});

describe("waitForFirstBytes", () => {
  test("keeps the first bytes on the stream", async () => {
    const stream = new PassThrough();
    stream.end("abc");
    expect(await waitForFirstBytes(stream)).toEqual({ kind: "data" });
    expect(await rest(stream)).toBe("abc");
  });

  test("tells an empty end from a broken stream", async () => {
    const empty = new PassThrough();
    empty.end();
    expect(await waitForFirstBytes(empty)).toEqual({ kind: "empty" });
    const broken = new PassThrough();
    const waiting = waitForFirstBytes(broken);
    broken.destroy();
    expect(await waiting).toEqual({ kind: "aborted" });
  });
});

describe("splitPrelude", () => {
  const NUL8 = Buffer.alloc(8);

  test("splits a whole response at the first delimiter; the body keeps its own NULs", () => {
    const split = splitPrelude(Buffer.concat([Buffer.from('{"statusCode":201}'), NUL8, Buffer.from("a"), NUL8, Buffer.from("b")]));
    expect(split).toEqual({
      prelude: { statusCode: 201, headers: {}, cookies: [] },
      body: Buffer.concat([Buffer.from("a"), NUL8, Buffer.from("b")]),
    });
  });

  test("applies the 16 KB limit that the streaming reader applies", () => {
    const late = Buffer.concat([Buffer.from(`{"statusCode":200,"headers":{"x":"${"y".repeat(17 * 1024)}"}}`), NUL8, Buffer.from("body")]);
    expect(splitPrelude(late)).toBe("no prelude delimiter within the first 16384 bytes");
    expect(splitPrelude(Buffer.from("no delimiter at all"))).toBe("no prelude delimiter within the first 16384 bytes");
  });
});
