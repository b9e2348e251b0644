// The HTTP-integration prelude, split off a function's response stream as a caller of
// InvokeWithResponseStream receives it, and read leniently: it is shown to a person, as the handler
// wrote it. The wire rule (content type, 8 NUL bytes, the 16 KiB limit, a delimiter split across
// chunks) is protocol/http-integration-prelude.ts, which the local Function URL shares.

import { ENDED_BEFORE_DELIMITER, NO_DELIMITER_IN_TIME, PreludeScanner, preludeObject } from "../../protocol/http-integration-prelude";

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
  private scanner: PreludeScanner | undefined = new PreludeScanner();

  constructor(private readonly onPrelude: (result: PreludeResult) => void) {}

  push(chunk: Uint8Array): Buffer {
    if (this.scanner === undefined) {
      return Buffer.from(chunk);
    }
    const split = this.scanner.push(chunk);
    if (split.kind === "pending") {
      return Buffer.alloc(0);
    }
    this.scanner = undefined;
    if (split.kind === "too late") {
      this.onPrelude({ kind: "invalid", reason: NO_DELIMITER_IN_TIME });
      return split.bytes;
    }
    this.onPrelude(parsePrelude(split.json));
    return split.body;
  }

  /** The bytes still held back when the stream ends before a delimiter (none for an empty stream). */
  end(): Buffer {
    const held = this.scanner?.held ?? Buffer.alloc(0);
    this.scanner = undefined;
    if (held.length > 0) {
      this.onPrelude({ kind: "invalid", reason: ENDED_BEFORE_DELIMITER });
    }
    return held;
  }
}

/** The prelude's JSON, read leniently: it is shown to a person, as the handler wrote it. */
function parsePrelude(json: Buffer): PreludeResult {
  const value = preludeObject(json);
  if (typeof value === "string") {
    return { kind: "invalid", reason: value };
  }
  const { statusCode, headers, cookies } = value;
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
