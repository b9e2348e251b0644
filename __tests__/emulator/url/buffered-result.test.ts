import { fromBufferedResult } from "../../../emulator/url/buffered-result";

describe("fromBufferedResult", () => {
  const map = (value: unknown) => fromBufferedResult(Buffer.from(JSON.stringify(value)));

  test("maps a structured result: status, headers, cookies, body", () => {
    expect(map({ statusCode: 201, headers: { "X-A": "b" }, cookies: ["c=1"], body: "hi" })).toEqual({
      statusCode: 201,
      headers: { "content-type": "application/json", "x-a": "b" },
      cookies: ["c=1"],
      body: Buffer.from("hi"),
    });
  });

  test("keeps headers named like Object.prototype's properties as headers", () => {
    const result = fromBufferedResult(Buffer.from('{"statusCode":200,"headers":{"__proto__":"p","constructor":"c"}}'));
    expect(typeof result === "string" ? result : Object.entries(result.headers)).toEqual([
      ["content-type", "application/json"],
      ["__proto__", "p"],
      ["constructor", "c"],
    ]);
  });

  test("decodes a base64 body and serializes an object body", () => {
    expect(map({ statusCode: 200, body: "aGk=", isBase64Encoded: true })).toMatchObject({ body: Buffer.from("hi") });
    expect(map({ statusCode: 200, body: { a: 1 } })).toMatchObject({ body: Buffer.from('{"a":1}') });
    expect(map({ statusCode: "418" })).toMatchObject({ statusCode: 418 });
  });

  test.each([
    [{ hello: "world" }, '{"hello":"world"}'],
    [["hello", 3, true], '["hello",3,true]'],
    ["hello", "hello"],
    [3.1, "3.1"],
    [true, "true"],
    [null, ""],
  ])("infers 200 application/json for %j", (value, body) => {
    expect(map(value)).toEqual({ statusCode: 200, headers: { "content-type": "application/json" }, cookies: [], body: Buffer.from(body) });
  });

  test("rejects a payload that is not JSON, a status that is not HTTP, and an informational one, saying which", () => {
    expect(fromBufferedResult(Buffer.from("not json"))).toBe("the function's result is not JSON, so not a valid Function URL response");
    expect(map({ statusCode: 99 })).toBe("the result's statusCode 99 is not an HTTP status");
    expect(map({ statusCode: "x" })).toBe('the result\'s statusCode "x" is not an HTTP status');
    expect(map({ statusCode: 100 })).toBe(
      "the result's statusCode 100 is informational (1xx), not a final status: a Function URL answers with 200 to 599",
    );
    expect(map({ statusCode: 199 })).toMatch(/^the result's statusCode 199 is informational/);
    expect(map({ statusCode: 200 })).toMatchObject({ statusCode: 200 });
  });
});
