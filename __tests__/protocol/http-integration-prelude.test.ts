import { PassThrough } from "node:stream";
import { readPrelude } from "../../emulator/url/prelude";
import {
  ENDED_BEFORE_DELIMITER,
  findPreludeEnd,
  MAX_PRELUDE_BYTES,
  NO_DELIMITER_IN_TIME,
  PreludeScanner,
  type PreludeSplit,
  preludeObject,
} from "../../protocol/http-integration-prelude";
import { type PreludeResult, PreludeSplitter } from "../../tools/invoke/http-prelude";

const NUL8 = Buffer.alloc(8);

/** `bytes` cut into pieces of `size` bytes. */
const pieces = (bytes: Buffer, size: number): Buffer[] =>
  Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));

/** Each push's answer, in order, for `bytes` in pieces of `size`. */
function scan(bytes: Buffer, size: number): PreludeSplit[] {
  const scanner = new PreludeScanner();
  const answers: PreludeSplit[] = [];
  for (const piece of pieces(bytes, size)) {
    const answer = scanner.push(piece);
    answers.push(answer);
    if (answer.kind !== "pending") break;
  }
  return answers;
}

describe("findPreludeEnd: the delimiter must start within the first 16 KiB", () => {
  test("finds the first delimiter, from where it is told to search", () => {
    const bytes = Buffer.concat([Buffer.from("{}"), NUL8, Buffer.from("a"), NUL8]);
    expect(findPreludeEnd(bytes)).toBe(2);
    expect(findPreludeEnd(bytes, 3)).toBe(11);
  });

  test("a delimiter at the limit counts; one byte past it is too late; fewer bytes cannot tell", () => {
    const at = (offset: number): Buffer => Buffer.concat([Buffer.alloc(offset, "x"), NUL8]);
    expect(findPreludeEnd(at(MAX_PRELUDE_BYTES))).toBe(MAX_PRELUDE_BYTES);
    expect(findPreludeEnd(at(MAX_PRELUDE_BYTES + 1))).toBe("too late");
    expect(findPreludeEnd(Buffer.alloc(MAX_PRELUDE_BYTES + 7, "x"))).toBeUndefined();
    expect(findPreludeEnd(Buffer.alloc(MAX_PRELUDE_BYTES + 8, "x"))).toBe("too late");
  });
});

describe("PreludeScanner", () => {
  const response = Buffer.concat([Buffer.from('{"statusCode":201}'), NUL8, Buffer.from("a\0\0b")]);

  test.each([1, 3, 7, 8, 9, response.length])(
    "in pieces of %i bytes: the JSON and the body bytes after it, the delimiter however split",
    (size) => {
      const answers = scan(response, size);
      expect(answers.slice(0, -1).every((a) => a.kind === "pending")).toBe(true);
      const last = answers[answers.length - 1];
      expect(last.kind).toBe("split");
      if (last.kind !== "split") return;
      expect(last.json.toString()).toBe('{"statusCode":201}');
      // The body bytes that came with the delimiter's last piece; the rest follow on the stream.
      expect(Buffer.concat([last.body, response.subarray(answers.length * size)]).toString("latin1")).toBe("a\0\0b");
    },
  );

  test("no delimiter in time: everything it held, once the limit is passed", () => {
    const answers = scan(Buffer.alloc(20 * 1024, "x"), 1024);
    expect(answers.map((a) => a.kind)).toEqual([...Array(16).fill("pending"), "too late"]);
    const last = answers[16];
    expect(last.kind === "too late" && last.bytes.length).toBe(17 * 1024);
  });

  test("holds what came while pending: a stream that ends then ended before its delimiter", () => {
    const scanner = new PreludeScanner();
    expect(scanner.push(Buffer.from('{"status'))).toEqual({ kind: "pending" });
    expect(scanner.push(Buffer.from("Code"))).toEqual({ kind: "pending" });
    expect(scanner.held.toString()).toBe('{"statusCode');
  });
});

describe("preludeObject", () => {
  test("a JSON object, or why not", () => {
    expect(preludeObject(Buffer.from('{"statusCode":201}'))).toEqual({ statusCode: 201 });
    expect(preludeObject(Buffer.from("not json"))).toBe("the prelude is not valid JSON");
    expect(preludeObject(Buffer.from("[1]"))).toBe("the prelude is not a JSON object");
    expect(preludeObject(Buffer.from("null"))).toBe("the prelude is not a JSON object");
  });
});

describe("the local Function URL and npm run invoke split the same bytes the same way", () => {
  /** Where the URL's strict reader puts the split: the body it leaves on the stream, or why none. */
  async function urlReads(bytes: Buffer, size: number): Promise<string> {
    const stream = new PassThrough();
    const reading = readPrelude(stream);
    for (const piece of pieces(bytes, size)) {
      stream.write(piece);
      await new Promise((resolve) => setImmediate(resolve));
    }
    stream.end();
    const result = await reading;
    if (result.kind !== "prelude") return result.kind === "invalid" ? result.reason : result.kind;
    const rest: Buffer[] = [];
    for await (const chunk of stream) rest.push(chunk as Buffer);
    return `body ${Buffer.concat(rest).toString("latin1")}`;
  }
  /** Where invoke's lenient splitter puts it. */
  function invokeReads(bytes: Buffer, size: number): string {
    const results: PreludeResult[] = [];
    const splitter = new PreludeSplitter((result) => results.push(result));
    const body = Buffer.concat([...pieces(bytes, size).map((piece) => splitter.push(piece)), splitter.end()]);
    return results[0]?.kind === "invalid" ? results[0].reason : `body ${body.toString("latin1")}`;
  }

  const late = Buffer.concat([Buffer.alloc(MAX_PRELUDE_BYTES + 1, "x"), NUL8, Buffer.from("b")]);
  test.each([
    ["a prelude and a body with NULs", Buffer.concat([Buffer.from("{}"), NUL8, Buffer.from("a\0b")]), "body a\0b"],
    ["a delimiter too late", late, NO_DELIMITER_IN_TIME],
    ["a stream that ends first", Buffer.from('{"statusCode":2'), ENDED_BEFORE_DELIMITER],
    ["a prelude that is not JSON", Buffer.concat([Buffer.from("{"), NUL8]), "the prelude is not valid JSON"],
  ])("%s", async (_what, bytes, expected) => {
    for (const size of [1, 7, 1024, bytes.length]) {
      expect([size, await urlReads(bytes, size), invokeReads(bytes, size)]).toEqual([size, expected, expected]);
    }
  });
});
