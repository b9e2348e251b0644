// The body of an InvokeWithResponseStream answer: AWS event-stream messages, a PayloadChunk for
// each piece of the runtime's stream and one InvokeComplete at the end. Encoded with
// @smithy/eventstream-codec, the codec the AWS SDK itself decodes them with.
// @see https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStream.html
// @see https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStreamCompleteEvent.html

import { EventStreamCodec } from "@smithy/eventstream-codec";

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString("utf8"),
  (text) => Buffer.from(text, "utf8"),
);

/** What the InvokeComplete event carries; each field only when it applies. */
export interface InvokeCompleteEvent {
  /** The function's error type, when it failed. */
  readonly ErrorCode?: string;
  /** The error's details, when it failed. */
  readonly ErrorDetails?: string;
  /** The last 4 KB of the invocation's log, base64, with `X-Amz-Log-Type: Tail`. */
  readonly LogResult?: string;
}

function event(type: string, contentType: string, body: Uint8Array): Uint8Array {
  return codec.encode({
    headers: {
      ":event-type": { type: "string", value: type },
      ":content-type": { type: "string", value: contentType },
      ":message-type": { type: "string", value: "event" },
    },
    body,
  });
}

/** One PayloadChunk event: `bytes` as the runtime streamed them. */
export function payloadChunk(bytes: Uint8Array): Uint8Array {
  return event("PayloadChunk", "application/octet-stream", bytes);
}

/** The InvokeComplete event that ends the stream. */
export function invokeComplete(complete: InvokeCompleteEvent): Uint8Array {
  return event("InvokeComplete", "application/json", Buffer.from(JSON.stringify(complete), "utf8"));
}
