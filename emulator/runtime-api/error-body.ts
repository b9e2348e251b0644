// The errors of the Runtime API in both directions: the error body it answers misuse with
// (RIE's `{errorType, errorMessage}`), and the function errors the runtime reports to it, in an
// `/error` body or in a streamed response's error trailers.
// @see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html#runtimes-api-invokeerror

import type { IncomingHttpHeaders } from "node:http";
import { ERROR_BODY_TRAILER, ERROR_TYPE_HEADER } from "../common/constants";
import type { FunctionError } from "../common/function-error";

/** `{ errorType, errorMessage }`: the Runtime API's error body. */
export interface RuntimeApiErrorBody {
  readonly errorType: string;
  readonly errorMessage: string;
}

/** Builds the Runtime API's error body. */
export function runtimeApiError(errorType: string, errorMessage: string): RuntimeApiErrorBody {
  return { errorType, errorMessage };
}

/** The error of a response whose connection closed before its end. */
export function truncatedError(): FunctionError {
  return { errorType: "Runtime.TruncatedResponse", errorMessage: "The runtime's connection closed before its response was complete." };
}

/** Reads an `/error` or `/init/error` body: JSON `{errorType, errorMessage, trace|stackTrace}`; the header wins for the type. */
export function parseErrorBody(body: Buffer | undefined, typeHeader: string | string[] | undefined): FunctionError {
  let parsed: { errorType?: unknown; errorMessage?: unknown; trace?: unknown; stackTrace?: unknown } = {};
  try {
    const value: unknown = body && body.length > 0 ? JSON.parse(body.toString("utf8")) : {};
    // `null`, a number, an array: no fields to read.
    parsed = typeof value === "object" && value !== null && !Array.isArray(value) ? value : {};
  } catch {
    parsed = { errorMessage: body?.toString("utf8") };
  }
  const trace = Array.isArray(parsed.trace) ? parsed.trace : Array.isArray(parsed.stackTrace) ? parsed.stackTrace : undefined;
  return {
    errorType:
      (typeof typeHeader === "string" && typeHeader) || (typeof parsed.errorType === "string" ? parsed.errorType : "Runtime.Unknown"),
    errorMessage: typeof parsed.errorMessage === "string" ? parsed.errorMessage : "",
    ...(trace ? { trace: trace.map(String) } : {}),
  };
}

/**
 * The error a stream's trailers report, or undefined for a clean end. The body trailer is
 * standard base64 of `{errorType, errorMessage, trace}`; an undecodable body keeps the type.
 */
export function readErrorTrailers(trailers: IncomingHttpHeaders | Record<string, string | undefined>): FunctionError | undefined {
  const errorType = trailers[ERROR_TYPE_HEADER];
  const encoded = trailers[ERROR_BODY_TRAILER];
  if (typeof errorType !== "string" && typeof encoded !== "string") {
    return undefined;
  }
  let details: { errorType?: unknown; errorMessage?: unknown; trace?: unknown } = {};
  if (typeof encoded === "string") {
    try {
      details = JSON.parse(Buffer.from(encoded, "base64").toString("utf8"));
    } catch {
      details = {};
    }
  }
  return {
    errorType: typeof errorType === "string" && errorType ? errorType : String(details.errorType ?? "Runtime.Unknown"),
    errorMessage: typeof details.errorMessage === "string" ? details.errorMessage : "",
    ...(Array.isArray(details.trace) ? { trace: details.trace.map(String) } : {}),
  };
}
