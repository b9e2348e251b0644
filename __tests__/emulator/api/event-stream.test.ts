import { EventStreamCodec } from "@smithy/eventstream-codec";
import { invokeComplete, payloadChunk } from "../../../emulator/api/event-stream";

// The SDK's own codec decodes what the local API sends.
const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString("utf8"),
  (text) => Buffer.from(text, "utf8"),
);

function headersOf(frame: Uint8Array): Record<string, unknown> {
  return Object.fromEntries(Object.entries(codec.decode(frame).headers).map(([name, header]) => [name, header.value]));
}

describe("event-stream frames", () => {
  test("a PayloadChunk carries the bytes unchanged, NULs included", () => {
    const bytes = Buffer.concat([Buffer.from('{"statusCode":201}'), Buffer.alloc(8), Buffer.from("body")]);
    const frame = payloadChunk(bytes);
    expect(Buffer.from(codec.decode(frame).body).equals(bytes)).toBe(true);
    expect(headersOf(frame)).toEqual({
      ":event-type": "PayloadChunk",
      ":content-type": "application/octet-stream",
      ":message-type": "event",
    });
  });

  test("InvokeComplete is JSON with only the fields that apply", () => {
    expect(JSON.parse(Buffer.from(codec.decode(invokeComplete({})).body).toString())).toEqual({});
    const failed = invokeComplete({ ErrorCode: "RangeError", ErrorDetails: "too far", LogResult: "U1RBUlQ=" });
    expect(headersOf(failed)).toMatchObject({ ":event-type": "InvokeComplete", ":content-type": "application/json" });
    expect(JSON.parse(Buffer.from(codec.decode(failed).body).toString())).toEqual({
      ErrorCode: "RangeError",
      ErrorDetails: "too far",
      LogResult: "U1RBUlQ=",
    });
  });

  test("a frame's length prefix covers exactly the frame (frames can be concatenated on the wire)", () => {
    const frame = payloadChunk(Buffer.from("x".repeat(1000)));
    expect(Buffer.from(frame).readUInt32BE(0)).toBe(frame.length);
  });
});
