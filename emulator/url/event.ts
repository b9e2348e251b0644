// An HTTP request to the Function URL as the payload format 2.0 event Lambda hands the function.
// Pure functions.
// @see https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads

import type { LambdaFunctionURLEvent } from "aws-lambda";
import { LOCAL_TLS } from "../common/constants";
import { joinHeaders } from "../common/request-headers";

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

/**
 * Decoded query parameters; repeated names joined with commas (`a=1&a=2` → `{a: "1,2"}`). A
 * null-prototype object, so `constructor` or `__proto__` is a parameter like any other.
 */
export function parseQuery(rawQueryString: string): Record<string, string> {
  const query: Record<string, string> = Object.create(null);
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    query[name] = Object.hasOwn(query, name) ? `${query[name]},${value}` : value;
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
