// The HTTP/1.1 the transport reads and writes itself: requests as bytes, and answers read from
// pieces however they are cut, framed each way RFC 9112 allows, with every malformed answer refused.

import { AnswerReader, formatRequest, HttpWireError } from "../../../emulator/runtime-client/http-wire";

/** Feeds `text` to a reader `pieceBytes` at a time; returns the answer and the piece it came with. */
function readInPieces(text: string, pieceBytes: number): { answer: ReturnType<AnswerReader["push"]>; at: number; pieces: number } {
  const bytes = Buffer.from(text, "latin1");
  const reader = new AnswerReader();
  const pieces = Math.ceil(bytes.length / pieceBytes);
  for (let i = 0; i < pieces; i += 1) {
    const answer = reader.push(bytes.subarray(i * pieceBytes, (i + 1) * pieceBytes));
    if (answer) return { answer, at: i + 1, pieces };
  }
  return { answer: undefined, at: -1, pieces };
}

describe("formatRequest", () => {
  test("a GET: request line, Host, the headers given, an empty line, nothing more", () => {
    const bytes = formatRequest("127.0.0.1:9001", { method: "GET", path: "/next", headers: { "user-agent": "ua" } });
    expect(bytes.toString("latin1")).toBe("GET /next HTTP/1.1\r\nhost: 127.0.0.1:9001\r\nuser-agent: ua\r\n\r\n");
  });

  test("a POST carries its body's length in bytes (UTF-8), the body after the empty line", () => {
    const bytes = formatRequest("h:1", { method: "POST", path: "/r", headers: { "content-type": "application/json" }, body: '"🚗"' });
    expect(bytes.toString("utf8")).toBe('POST /r HTTP/1.1\r\nhost: h:1\r\ncontent-type: application/json\r\ncontent-length: 6\r\n\r\n"🚗"');
  });

  test("refuses a header value with a line break, naming the header", () => {
    expect(() => formatRequest("h:1", { method: "GET", path: "/", headers: { "x-cause": "a\r\nx-forged: 1" } })).toThrow(
      new HttpWireError("the header x-cause holds a line break; a header value must be one line"),
    );
  });
});

describe("AnswerReader", () => {
  const lengthAnswer = 'HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{"status":"OK"}';

  test("a Content-Length answer cut byte by byte is complete with its last byte, not before", () => {
    const { answer, at, pieces } = readInPieces(lengthAnswer, 1);
    expect(at).toBe(pieces);
    expect(answer).toEqual({
      status: 202,
      headers: { "content-type": "application/json", "content-length": "15" },
      body: Buffer.from('{"status":"OK"}'),
      closes: false,
    });
  });

  test("a chunked answer, cut anywhere, with a chunk extension and trailers, is decoded whole", () => {
    const text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nchun\r\n3\r\nked\r\n0\r\nx-trailer: t\r\n\r\n";
    for (const size of [1, 3, 7, text.length]) {
      const { answer, at, pieces } = readInPieces(text, size);
      expect(at).toBe(pieces);
      expect(answer?.body.toString()).toBe("chunked");
    }
    expect(readInPieces("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 2).answer?.body.length).toBe(0);
  });

  test("204 has no body; an interim 100 is skipped; repeated headers are joined; Connection: close is told", () => {
    expect(readInPieces("HTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n", 5).answer?.body.length).toBe(0);
    const answer = readInPieces(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nX-A: 1\r\nx-a: 2\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
      4,
    ).answer;
    expect(answer).toMatchObject({ status: 200, headers: { "x-a": "1, 2" }, closes: true });
    expect(answer?.body.toString()).toBe("ok");
  });

  test("without a length, the answer ends when the connection does", () => {
    const reader = new AnswerReader();
    expect(reader.push(Buffer.from("HTTP/1.0 200 OK\r\n\r\nuntil "))).toBeUndefined();
    expect(reader.push(Buffer.from("close"))).toBeUndefined();
    expect(reader.end()).toMatchObject({ status: 200, body: Buffer.from("until close"), closes: true });
  });

  test("a connection that ends early says where: before an answer, or in its body", () => {
    expect(() => new AnswerReader().end()).toThrow("the connection closed before an answer");
    const reader = new AnswerReader();
    reader.push(Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf"));
    expect(() => reader.end()).toThrow("the connection closed in the middle of the answer's body");
  });

  test.each([
    ["not HTTP", "nonsense\r\n\r\n", 'the answer does not start with an HTTP/1.1 status line: "nonsense"'],
    ["a header without a name", "HTTP/1.1 200 OK\r\n: x\r\n\r\n", 'the answer has a header line without a name: ": x"'],
    [
      "a Content-Length that is no number",
      "HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\n",
      'the answer\'s Content-Length is not a number: "1e3"',
    ],
    [
      "a chunk size that is not hexadecimal",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      'a chunk\'s size is not hexadecimal: "zz"',
    ],
    ["bytes after the answer", `${lengthAnswer}HTTP/1.1`, "8 bytes arrived after the answer's end (status 202)"],
  ])("refuses %s, saying what it found", (_what, text, message) => {
    expect(() => new AnswerReader().push(Buffer.from(text, "latin1"))).toThrow(new HttpWireError(message));
  });

  test("refuses a head that never ends, past 80 KiB", () => {
    const reader = new AnswerReader();
    expect(reader.push(Buffer.from(`HTTP/1.1 200 OK\r\nx: ${"a".repeat(80 * 1024 - 30)}`))).toBeUndefined();
    expect(() => reader.push(Buffer.from("a".repeat(100)))).toThrow("the answer's head is over 81920 bytes");
  });
});
