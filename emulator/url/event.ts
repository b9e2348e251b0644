// Translation between HTTP and Lambda for a Function URL: an HTTP request becomes a payload
// format 2.0 event, and a buffered function result becomes an HTTP response. Pure functions.
// @see https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads

import type { LambdaFunctionURLEvent } from "aws-lambda";
import { LOCAL_TLS } from "../common/constants";

/** The parts of an HTTP request the event is built from. */
export interface HttpRequestInput {
  readonly method: string;
  /** The request target as sent: path and query, percent-encoding kept. */
  readonly url: string;
  /** e.g. "1.1". */
  readonly httpVersion: string;
  /** Node's rawHeaders: name, value, name, value… in the order received. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
}

/** The caller of an AWS_IAM URL, once its signature checked out. */
export interface IamCaller {
  readonly accessKey: string;
  readonly accountId: string;
  readonly userArn: string;
  readonly userId: string;
}

export interface EventContext {
  readonly requestId: string;
  readonly now: Date;
  /** Absent for NONE auth. */
  readonly caller?: IamCaller;
  readonly traceId: string;
}

/**
 * Content types whose bodies arrive as text; anything else (or no type at all) arrives base64.
 * AWS documents only "binary is base64"; this list follows what was observed (docs/streaming-protocol.md, section 4).
 */
const TEXT_TYPE = /^(text\/[^;]+|application\/(json|xml|javascript|x-www-form-urlencoded|[^;]+\+(json|xml)))\s*(;|$)/i;

/** Headers Lambda answers for, not the function: they never reach the event. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection"]);

/**
 * Connection-level response headers (RFC 9110, section 7.6.1): they describe one hop, and the hop
 * to the client is the URL's, so the function's never reach it. Sent on, they contradict the
 * URL's own framing: `transfer-encoding: gzip` leaves the body unframed, and `transfer-encoding`
 * beside a BUFFERED answer's content-length is a response clients refuse.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-7.6.1
 */
const HOP_BY_HOP_RESPONSE = new Set(["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"]);

/**
 * The function's response headers without the hop-by-hop ones (those above, and any that its
 * `connection` header names), and the names dropped, in order.
 */
export function dropHopByHopHeaders(headers: Readonly<Record<string, string>>): {
  readonly headers: Record<string, string>;
  readonly dropped: readonly string[];
} {
  const named = new Set(
    (headers.connection ?? "")
      .split(",")
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
  const kept: Record<string, string> = {};
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (HOP_BY_HOP_RESPONSE.has(name) || named.has(name)) {
      dropped.push(name);
    } else {
      kept[name] = value;
    }
  }
  return { headers: kept, dropped };
}

/** Builds the payload 2.0 event Lambda sends the function for this request. */
export function toFunctionUrlEvent(request: HttpRequestInput, context: EventContext): LambdaFunctionURLEvent {
  const headers = joinHeaders(request.rawHeaders);
  const queryAt = request.url.indexOf("?");
  const rawPath = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
  const rawQueryString = queryAt === -1 ? "" : request.url.slice(queryAt + 1);
  const host = headers.host ?? "localhost";
  const domainName = host.replace(/:\d+$/, "");
  const cookies = cookiesOf(request.rawHeaders);
  delete headers.cookie;
  headers["x-forwarded-for"] = headers["x-forwarded-for"] ? `${headers["x-forwarded-for"]}, ${request.sourceIp}` : request.sourceIp;
  headers["x-forwarded-proto"] = "http";
  headers["x-forwarded-port"] = host.match(/:(\d+)$/)?.[1] ?? "80";
  headers["x-amzn-trace-id"] = context.traceId;
  // AWS adds these for every caller (Function URLs are HTTPS only); see LOCAL_TLS.
  headers["x-amzn-tls-version"] = LOCAL_TLS.version;
  headers["x-amzn-tls-cipher-suite"] = LOCAL_TLS.cipherSuite;
  const isText = request.body.length === 0 || TEXT_TYPE.test(headers["content-type"] ?? "");

  const event: LambdaFunctionURLEvent = {
    version: "2.0",
    routeKey: "$default",
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(rawQueryString ? { queryStringParameters: parseQuery(rawQueryString) } : {}),
    requestContext: {
      accountId: context.caller ? context.caller.accountId : "anonymous",
      apiId: domainName.split(".")[0],
      domainName,
      domainPrefix: domainName.split(".")[0],
      http: {
        method: request.method,
        // Decoded, as AWS records it; rawPath keeps what was sent.
        path: decodePath(rawPath),
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.sourceIp,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: context.requestId,
      routeKey: "$default",
      stage: "$default",
      time: formatRequestTime(context.now),
      timeEpoch: context.now.getTime(),
      ...(context.caller
        ? {
            authorizer: {
              iam: {
                accessKey: context.caller.accessKey,
                accountId: context.caller.accountId,
                callerId: context.caller.userId,
                cognitoIdentity: null,
                principalOrgId: null,
                userArn: context.caller.userArn,
                userId: context.caller.userId,
              },
            },
          }
        : {}),
    } as LambdaFunctionURLEvent["requestContext"],
    ...(request.body.length > 0 ? { body: isText ? request.body.toString("utf8") : request.body.toString("base64") } : {}),
    isBase64Encoded: !isText,
  };
  return event;
}

/** The percent-decoded path; a malformed escape leaves the path as sent. */
export function decodePath(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    return rawPath;
  }
}

/** Lower-cased header names; repeated headers joined with commas, as Lambda does. */
export function joinHeaders(rawHeaders: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if (HOP_BY_HOP.has(name)) {
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${rawHeaders[i + 1]}` : rawHeaders[i + 1];
  }
  return headers;
}

/**
 * The cookies of every `Cookie` header, in order. Each header is split on its own: joined first,
 * two headers `a=1` and `b=2` would read as one cookie `a=1,b=2`.
 */
function cookiesOf(rawHeaders: readonly string[]): string[] {
  const cookies: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() === "cookie") {
      cookies.push(
        ...rawHeaders[i + 1]
          .split(";")
          .map((cookie) => cookie.trim())
          .filter(Boolean),
      );
    }
  }
  return cookies;
}

/** Decoded query parameters; repeated names joined with commas (`a=1&a=2` → `{a: "1,2"}`). */
export function parseQuery(rawQueryString: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    query[name] = name in query ? `${query[name]},${value}` : value;
  }
  return query;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `requestContext.time`: `21/Mar/2024:13:26:56 +0000`. */
export function formatRequestTime(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, "0");
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

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
    const headers: Record<string, string> = { "content-type": "application/json" };
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
