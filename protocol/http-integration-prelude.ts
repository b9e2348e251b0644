// The HTTP-integration prelude on the wire, as AWS defines it: after `awslambda.HttpResponseStream.from`
// a response stream has the content type application/vnd.awslambda.http-integration-response and
// is `<JSON {statusCode, headers, cookies}><8 NUL bytes><body>` (docs/streaming-protocol.md,
// section 3). Everything after the first delimiter is the body, which may itself hold NULs. The
// runtime gives no chunk fidelity, so the delimiter may arrive split across chunks.
// This module is the rule alone, bytes in and parts out: the local Function URL reads the JSON
// strictly (a bad prelude is a 502), `npm run invoke -- --api` leniently (it shows it to a person).

/** The stream's content type when the handler wrote a prelude (InvokeWithResponseStream's ResponseStreamContentType). */
export const HTTP_INTEGRATION_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";

/** Eight NUL bytes end the prelude's JSON (which cannot contain a raw NUL). */
export const PRELUDE_DELIMITER = Buffer.alloc(8);

/**
 * How far into the stream the delimiter may start: API Gateway requires it within the first 16 KB;
 * Function URLs document no limit, so the local Function URL applies the same one.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode-lambda.html
 */
export const MAX_PRELUDE_BYTES = 16 * 1024;

/** Why there is no prelude, when no delimiter starts within MAX_PRELUDE_BYTES. */
export const NO_DELIMITER_IN_TIME = `no prelude delimiter within the first ${MAX_PRELUDE_BYTES} bytes`;

/** Why there is no prelude, when the stream ends before its delimiter. */
export const ENDED_BEFORE_DELIMITER = "the stream ended before the prelude delimiter";

/** Where a stream's first bytes stand: the prelude's JSON and the body bytes after it, or no delimiter in time. */
export type PreludeSplit =
  /** The delimiter arrived: `json` is the prelude, `body` what came after it in the same bytes. */
  | { readonly kind: "split"; readonly json: Buffer; readonly body: Buffer }
  /** No delimiter starts within MAX_PRELUDE_BYTES: `bytes` is everything held. */
  | { readonly kind: "too late"; readonly bytes: Buffer }
  /** Too few bytes yet to tell. */
  | { readonly kind: "pending" };

/**
 * Where the prelude's JSON ends in `bytes` (the delimiter's offset, searched from `from`); "too
 * late" when no delimiter begins within the first MAX_PRELUDE_BYTES; undefined while too few bytes
 * have arrived to tell. One rule however the stream was chunked.
 */
export function findPreludeEnd(bytes: Buffer, from: number = 0): number | "too late" | undefined {
  const window = MAX_PRELUDE_BYTES + PRELUDE_DELIMITER.length;
  const at = bytes.subarray(0, window).indexOf(PRELUDE_DELIMITER, from);
  if (at !== -1) {
    return at;
  }
  return bytes.length >= window ? "too late" : undefined;
}

/**
 * A stream's first bytes, gathered chunk by chunk until the prelude's end is known. Each `push`
 * searches from seven bytes before the new chunk, so a delimiter split across chunks is found.
 */
export class PreludeScanner {
  private bytes: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): PreludeSplit {
    const from = Math.max(0, this.bytes.length - (PRELUDE_DELIMITER.length - 1));
    const piece = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.bytes = this.bytes.length === 0 ? piece : Buffer.concat([this.bytes, piece]);
    const at = findPreludeEnd(this.bytes, from);
    if (at === undefined) {
      return { kind: "pending" };
    }
    const bytes = this.bytes;
    this.bytes = Buffer.alloc(0);
    return at === "too late"
      ? { kind: "too late", bytes }
      : { kind: "split", json: bytes.subarray(0, at), body: bytes.subarray(at + PRELUDE_DELIMITER.length) };
  }

  /** The bytes gathered while still pending (a stream that ends then ended before the delimiter). */
  get held(): Buffer {
    return this.bytes;
  }
}

/**
 * The prelude's JSON as an object, or why it is not one. Both readers start here; what the
 * fields must be is theirs to say.
 */
export function preludeObject(json: Buffer): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(json.toString("utf8"));
  } catch {
    return "the prelude is not valid JSON";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return "the prelude is not a JSON object";
  }
  return value as Record<string, unknown>;
}
