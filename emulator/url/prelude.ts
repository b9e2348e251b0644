// A streamed response as the runtime sends it: the HTTP-integration prelude
// (`<JSON metadata><8 NUL bytes><body>`, after `awslambda.HttpResponseStream.from`), and the
// error trailers that end a failed stream. No HTTP here: bytes in, parsed parts out.
//
// Wire format (docs/streaming-protocol.md, section 3): with content type
// application/vnd.awslambda.http-integration-response the body starts with a JSON object
// ({statusCode, headers, cookies}) followed by eight 0x00 bytes; everything after the first
// such delimiter is the HTTP body, and may itself contain NULs. The runtime gives no chunk
// fidelity, so the delimiter may arrive split across reads.

import { validateHeaderName, validateHeaderValue } from "node:http";
import type { Readable } from "node:stream";
import { MAX_PRELUDE_BYTES, PRELUDE_DELIMITER } from "../common/constants";
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
  let buffered: Buffer = Buffer.alloc(0);
  return watch<PreludeResult>(stream, signal, {
    onData(chunk, finish) {
      // Search from 7 bytes back, so a delimiter split across reads is found.
      const from = Math.max(0, buffered.length - (PRELUDE_DELIMITER.length - 1));
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const at = findPreludeEnd(buffered, from);
      if (at === undefined) {
        return;
      }
      stream.pause();
      if (at === "too late") {
        finish({ kind: "invalid", reason: TOO_LATE });
        return;
      }
      const rest = buffered.subarray(at + PRELUDE_DELIMITER.length);
      if (rest.length > 0) {
        stream.unshift(rest);
      }
      const parsed = parsePrelude(buffered.subarray(0, at));
      finish(typeof parsed === "string" ? { kind: "invalid", reason: parsed } : { kind: "prelude", prelude: parsed });
    },
    onEnd: () => (buffered.length === 0 ? { kind: "empty" } : { kind: "invalid", reason: "the stream ended before the prelude delimiter" }),
    onAbort: () => ({ kind: "aborted" }),
  });
}

const TOO_LATE = `no prelude delimiter within the first ${MAX_PRELUDE_BYTES} bytes`;

/**
 * Where the prelude's JSON ends in `bytes` (the delimiter's offset, searched from `from`); "too
 * late" when no delimiter begins within the first MAX_PRELUDE_BYTES; undefined while too few
 * bytes have arrived to tell. The one rule for both invoke modes: the JSON is at most
 * MAX_PRELUDE_BYTES bytes, however the stream was chunked.
 */
function findPreludeEnd(bytes: Buffer, from: number): number | "too late" | undefined {
  const window = MAX_PRELUDE_BYTES + PRELUDE_DELIMITER.length;
  const at = bytes.subarray(0, window).indexOf(PRELUDE_DELIMITER, from);
  if (at !== -1) {
    return at;
  }
  return bytes.length >= window ? "too late" : undefined;
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
  const at = findPreludeEnd(payload, 0);
  if (typeof at !== "number") {
    return TOO_LATE;
  }
  const prelude = parsePrelude(payload.subarray(0, at));
  return typeof prelude === "string" ? prelude : { prelude, body: payload.subarray(at + PRELUDE_DELIMITER.length) };
}

/**
 * Parses the prelude's JSON. A missing `statusCode` means 200 (observed on AWS); headers must be
 * strings and cookies an array of strings. Returns a description of the problem when invalid.
 */
export function parsePrelude(json: Buffer): Prelude | string {
  let value: unknown;
  try {
    value = JSON.parse(json.toString("utf8"));
  } catch {
    return "the prelude is not valid JSON";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return "the prelude is not a JSON object";
  }
  const { statusCode = 200, headers = {}, cookies = [] } = value as Record<string, unknown>;
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
