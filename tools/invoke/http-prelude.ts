// The HTTP-integration prelude, split off a function's response stream as a caller of
// InvokeWithResponseStream receives it: `awslambda.HttpResponseStream.from` makes the stream
// `<JSON {statusCode, headers, cookies}><8 NUL bytes><body>` (docs/streaming-protocol.md, section 3).
// Bytes in, prelude and body out: the delimiter may arrive split across chunks.

/** The stream content type of a handler that wrote a prelude (InvokeWithResponseStream's ResponseStreamContentType). */
export const HTTP_INTEGRATION_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";

/** Eight NUL bytes end the prelude's JSON (which cannot contain a raw NUL). */
const DELIMITER = Buffer.alloc(8);

/**
 * How far into the stream the delimiter may start: API Gateway requires it within the first 16 KB,
 * Function URLs document no limit, and the local Function URL applies the same one.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode-lambda.html
 */
const MAX_PRELUDE_BYTES = 16 * 1024;

/** The status, headers and cookies a handler gave `HttpResponseStream.from`, as it gave them. */
export interface HttpPrelude {
  readonly statusCode?: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly cookies: readonly string[];
}

export type PreludeResult =
  | { readonly kind: "prelude"; readonly prelude: HttpPrelude }
  /** No delimiter in time, or not a JSON object: the bytes held back are passed on as the body. */
  | { readonly kind: "invalid"; readonly reason: string };

/**
 * Splits a prelude off the front of a stream: `push` each chunk and get back its body bytes (none
 * while the prelude is still arriving), then `end`. `onPrelude` is called once, as soon as the
 * prelude is known (or known to be missing), before any body byte is returned.
 */
export class PreludeSplitter {
  private held: Buffer | undefined = Buffer.alloc(0);

  constructor(private readonly onPrelude: (result: PreludeResult) => void) {}

  push(chunk: Uint8Array): Buffer {
    if (this.held === undefined) {
      return Buffer.from(chunk);
    }
    // Search from 7 bytes back, so a delimiter split across chunks is found.
    const from = Math.max(0, this.held.length - (DELIMITER.length - 1));
    const bytes = Buffer.concat([this.held, chunk]);
    const at = bytes.subarray(0, MAX_PRELUDE_BYTES + DELIMITER.length).indexOf(DELIMITER, from);
    if (at !== -1) {
      this.held = undefined;
      this.onPrelude(parsePrelude(bytes.subarray(0, at)));
      return bytes.subarray(at + DELIMITER.length);
    }
    if (bytes.length >= MAX_PRELUDE_BYTES + DELIMITER.length) {
      return this.giveUp(bytes, `no prelude delimiter (8 NUL bytes) within the first ${MAX_PRELUDE_BYTES} bytes`);
    }
    this.held = bytes;
    return Buffer.alloc(0);
  }

  /** The bytes still held back when the stream ends before a delimiter (none for an empty stream). */
  end(): Buffer {
    if (this.held === undefined || this.held.length === 0) {
      this.held = undefined;
      return Buffer.alloc(0);
    }
    return this.giveUp(this.held, "the stream ended before the prelude delimiter (8 NUL bytes)");
  }

  private giveUp(bytes: Buffer, reason: string): Buffer {
    this.held = undefined;
    this.onPrelude({ kind: "invalid", reason });
    return bytes;
  }
}

/** The prelude's JSON, read leniently: it is shown to a person, as the handler wrote it. */
function parsePrelude(json: Buffer): PreludeResult {
  let value: unknown;
  try {
    value = JSON.parse(json.toString("utf8"));
  } catch (error) {
    return { kind: "invalid", reason: `the prelude is not JSON (${(error as Error).message})` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { kind: "invalid", reason: "the prelude is not a JSON object" };
  }
  const { statusCode, headers, cookies } = value as { statusCode?: unknown; headers?: unknown; cookies?: unknown };
  return {
    kind: "prelude",
    prelude: {
      ...(typeof statusCode === "number" ? { statusCode } : {}),
      headers:
        typeof headers === "object" && headers !== null
          ? Object.fromEntries(Object.entries(headers).map(([name, v]) => [name, typeof v === "string" ? v : JSON.stringify(v)]))
          : {},
      cookies: Array.isArray(cookies) ? cookies.map(String) : [],
    },
  };
}

/**
 * One line for stderr: `Prelude: status 200 · content-type: text/plain · set-cookie: a=1`, each
 * cookie as the Function URL would send it (a `Set-Cookie` header); or why there is none.
 */
export function describePrelude(result: PreludeResult): string {
  if (result.kind === "invalid") {
    return `Prelude: none that parses (${result.reason}); its bytes are printed as the body.`;
  }
  const { statusCode, headers, cookies } = result.prelude;
  const parts = [
    `status ${statusCode ?? "(none: a Function URL answers 200)"}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ...cookies.map((cookie) => `set-cookie: ${cookie}`),
  ];
  return `Prelude: ${parts.join(" · ")}`;
}
