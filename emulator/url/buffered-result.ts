// A BUFFERED function's result as an HTTP response, mapped as Function URLs map it: a structured
// result (`statusCode`, `headers`, `cookies`, `body`), or any other value inferred as a 200 JSON
// answer. Pure functions.
// @see https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-response-payload

/** An HTTP response built from a buffered function result. */
export interface HttpResponseOutput {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly cookies: readonly string[];
  readonly body: Buffer;
}

/**
 * The final HTTP status the function asked for (`source` says where, e.g. "the prelude's"), or
 * what is wrong with it. A 1xx is refused: sent on, it is an interim response, and the client
 * waits for a final one that never comes.
 */
export function readFinalStatus(statusCode: unknown, source: string): number | string {
  const status = Number(statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    return `${source} statusCode ${JSON.stringify(statusCode)} is not an HTTP status`;
  }
  if (status < 200) {
    return `${source} statusCode ${status} is informational (1xx), not a final status: a Function URL answers with 200 to 599`;
  }
  return status;
}

/**
 * Maps a BUFFERED function's result as Function URLs do: an object with `statusCode` is a
 * structured response; any other value is "inferred" as 200 application/json with the value as
 * the body (a JSON string loses its quotes). Returns what is wrong for a payload that is not JSON
 * or a status that is not a final HTTP status.
 */
export function fromBufferedResult(payload: Buffer): HttpResponseOutput | string {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString("utf8"));
  } catch {
    return "the function's result is not JSON, so not a valid Function URL response";
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value) && "statusCode" in value) {
    const result = value as { statusCode: unknown; headers?: unknown; cookies?: unknown; body?: unknown; isBase64Encoded?: unknown };
    const statusCode = readFinalStatus(result.statusCode, "the result's");
    if (typeof statusCode === "string") {
      return statusCode;
    }
    // Null-prototype: a header the function names `__proto__` is a header, not the object's prototype.
    const headers: Record<string, string> = Object.create(null);
    headers["content-type"] = "application/json";
    for (const [name, v] of Object.entries((result.headers as Record<string, unknown>) ?? {})) {
      headers[name.toLowerCase()] = String(v);
    }
    const body =
      result.body === undefined || result.body === null ? "" : typeof result.body === "string" ? result.body : JSON.stringify(result.body);
    return {
      statusCode,
      headers,
      cookies: Array.isArray(result.cookies) ? result.cookies.map(String) : [],
      body: result.isBase64Encoded === true ? Buffer.from(body, "base64") : Buffer.from(body, "utf8"),
    };
  }
  const body = value === null ? "" : typeof value === "string" ? value : JSON.stringify(value);
  return { statusCode: 200, headers: { "content-type": "application/json" }, cookies: [], body: Buffer.from(body, "utf8") };
}
