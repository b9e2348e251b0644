// A streamed response as the local Function URL reads it: the HTTP-integration prelude
// (`<JSON metadata><8 NUL bytes><body>`, after `awslambda.HttpResponseStream.from`) read strictly,
// since Lambda answers 502 for a prelude it cannot send. No HTTP here: bytes in, parsed parts out.
// The wire rule itself (the delimiter, the 16 KiB limit, a delimiter split across reads) is
// protocol/http-integration-prelude.ts, which npm run invoke shares.

import { validateHeaderName, validateHeaderValue } from "node:http";
import type { Readable } from "node:stream";
import {
  ENDED_BEFORE_DELIMITER,
  findPreludeEnd,
  NO_DELIMITER_IN_TIME,
  PRELUDE_DELIMITER,
  PreludeScanner,
  preludeObject,
} from "../../protocol/http-integration-prelude";
import { readFinalStatus } from "./buffered-result";

/** The HTTP status, headers and cookies a handler asked for in its prelude. */
export interface Prelude {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly cookies: readonly string[];
}

export type PreludeResult =
  /** Found: `stream` is positioned at the first body byte. */
  | { readonly kind: "prelude"; readonly prelude: Prelude }
  /** The stream ended with no bytes at all (Lambda answers 200 with default headers). */
  | { readonly kind: "empty" }
  /** No delimiter within MAX_PRELUDE_BYTES, or not a JSON object (Lambda answers 502). */
  | { readonly kind: "invalid"; readonly reason: string }
  /** The runtime's connection broke first (timeout, crash). */
  | { readonly kind: "aborted" };

/**
 * Reads the prelude from the front of `stream`. Bytes after the delimiter are pushed back onto
 * the stream (`unshift`), so the caller pipes the body on from there without a copy. `signal`
 * stops the reading (the result is then "aborted").
 */
export function readPrelude(stream: Readable, signal?: AbortSignal): Promise<PreludeResult> {
  const scanner = new PreludeScanner();
  return watch<PreludeResult>(stream, signal, {
    onData(chunk, finish) {
      const split = scanner.push(chunk);
      if (split.kind === "pending") {
        return;
      }
      stream.pause();
      if (split.kind === "too late") {
        finish({ kind: "invalid", reason: NO_DELIMITER_IN_TIME });
        return;
      }
      if (split.body.length > 0) {
        stream.unshift(split.body);
      }
      const parsed = parsePrelude(split.json);
      finish(typeof parsed === "string" ? { kind: "invalid", reason: parsed } : { kind: "prelude", prelude: parsed });
    },
    onEnd: () => (scanner.held.length === 0 ? { kind: "empty" } : { kind: "invalid", reason: ENDED_BEFORE_DELIMITER }),
    onAbort: () => ({ kind: "aborted" }),
  });
}

/**
 * Reads `stream` through `handlers` until one of them settles the result, or `signal` aborts (as
 * if the stream broke); every listener is removed then, so the caller can pipe the stream on from
 * where it stopped, or drain it.
 */
function watch<T>(
  stream: Readable,
  signal: AbortSignal | undefined,
  handlers: { onData: (chunk: Buffer, finish: (result: T) => void) => void; onEnd: () => T; onAbort: () => T },
): Promise<T> {
  return new Promise((resolve) => {
    const finish = (result: T): void => {
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("error", onAbort);
      stream.off("close", onAbort);
      signal?.removeEventListener("abort", onAbort);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => handlers.onData(chunk, finish);
    const onEnd = (): void => finish(handlers.onEnd());
    const onAbort = (): void => finish(handlers.onAbort());
    if (signal?.aborted) {
      return onAbort();
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    stream.on("data", onData);
    stream.once("end", onEnd);
    stream.once("error", onAbort);
    stream.once("close", onAbort);
  });
}

/**
 * Splits a whole response (a BUFFERED URL collects it) into its prelude and body, under the same
 * rule as `readPrelude`: the first delimiter, within MAX_PRELUDE_BYTES. Returns the problem when
 * there is no usable prelude.
 */
export function splitPrelude(payload: Buffer): { readonly prelude: Prelude; readonly body: Buffer } | string {
  const at = findPreludeEnd(payload);
  if (typeof at !== "number") {
    return NO_DELIMITER_IN_TIME;
  }
  const prelude = parsePrelude(payload.subarray(0, at));
  return typeof prelude === "string" ? prelude : { prelude, body: payload.subarray(at + PRELUDE_DELIMITER.length) };
}

/**
 * Parses the prelude's JSON. A missing `statusCode` means 200 (observed on AWS); headers must be
 * strings and cookies an array of strings. Returns a description of the problem when invalid.
 */
export function parsePrelude(json: Buffer): Prelude | string {
  const value = preludeObject(json);
  if (typeof value === "string") {
    return value;
  }
  const { statusCode = 200, headers = {}, cookies = [] } = value;
  const status = readFinalStatus(statusCode, "the prelude's");
  if (typeof status === "string") {
    return status;
  }
  if (typeof headers !== "object" || headers === null || Array.isArray(headers)) {
    return "the prelude's headers are not an object";
  }
  if (!Array.isArray(cookies)) {
    return "the prelude's cookies are not an array";
  }
  const prelude = {
    statusCode: status,
    headers: Object.fromEntries(Object.entries(headers as Record<string, unknown>).map(([name, v]) => [name.toLowerCase(), String(v)])),
    cookies: cookies.map(String),
  };
  // Node refuses to send what HTTP does not allow (Lambda answers 502 for it too).
  try {
    for (const [name, v] of Object.entries(prelude.headers)) {
      validateHeaderName(name);
      validateHeaderValue(name, v);
    }
    for (const cookie of prelude.cookies) {
      validateHeaderValue("set-cookie", cookie);
    }
  } catch (error) {
    return `the prelude's headers cannot be sent: ${(error as Error).message}`;
  }
  return prelude;
}

export type FirstBytes = { readonly kind: "data" } | { readonly kind: "empty" } | { readonly kind: "aborted" };

/**
 * Waits until `stream` has its first byte (pushed back, so nothing is lost), ends empty, or
 * breaks (or `signal` aborts). Lets the front answer 502 for an error that came before any byte.
 */
export function waitForFirstBytes(stream: Readable, signal?: AbortSignal): Promise<FirstBytes> {
  return watch<FirstBytes>(stream, signal, {
    onData(chunk, finish) {
      stream.pause();
      stream.unshift(chunk);
      finish({ kind: "data" });
    },
    onEnd: () => ({ kind: "empty" }),
    onAbort: () => ({ kind: "aborted" }),
  });
}
