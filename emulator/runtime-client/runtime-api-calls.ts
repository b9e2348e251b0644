// The three Runtime API calls aws-lambda-ric's compiled client makes (next, done, error), with
// the requests and answers shaped as aws-lambda-cpp 0.2.8 (inside that client) shapes them.
// @see https://github.com/aws/aws-lambda-nodejs-runtime-interface-client/blob/main/src/rapid-client.cc
// @see https://github.com/awslabs/aws-lambda-cpp/blob/v0.2.8/src/runtime.cpp

import type { RuntimeAnswer, RuntimeRequest } from "./http-wire";

const BASE = "/2018-06-01/runtime";
/** aws-lambda-cpp's User-Agent (its version is 0.2.8); the local Runtime API does not read it. */
const USER_AGENT = "AWS_Lambda_Cpp/0.2.8";

/** What the compiled client's `next()` resolves to: the event as text, and six headers. */
export interface NextInvocation {
  readonly bodyJson: string;
  readonly headers: Record<string, string | number>;
}

/** `GET /next` answer headers the compiled client passes on; the deadline becomes a number. */
const PASSED_HEADERS = [
  "lambda-runtime-aws-request-id",
  "lambda-runtime-trace-id",
  "lambda-runtime-invoked-function-arn",
  "lambda-runtime-client-context",
  "lambda-runtime-cognito-identity",
  "lambda-runtime-aws-tenant-id",
] as const;

/** The long poll for the next event, as the compiled client's `next()` asks it. */
export function nextRequest(): RuntimeRequest {
  return { method: "GET", path: `${BASE}/invocation/next`, headers: { "user-agent": USER_AGENT } };
}

/** The answer to {@link nextRequest} as the compiled client's `next()` resolves it, or its error. */
export function readNextInvocation(answer: RuntimeAnswer): NextInvocation {
  const requestId = answer.headers["lambda-runtime-aws-request-id"];
  if (answer.status < 200 || answer.status > 299 || requestId === undefined) {
    throw new Error(`Failed to get next invocation, error ${answer.status}${requestId === undefined ? " (no request id)" : ""}`);
  }
  const headers: Record<string, string | number> = {
    "lambda-runtime-deadline-ms": Number(answer.headers["lambda-runtime-deadline-ms"] ?? 0),
    // The compiled client always sets these four, empty when absent.
    "lambda-runtime-aws-request-id": requestId,
    "lambda-runtime-trace-id": "",
    "lambda-runtime-invoked-function-arn": "",
  };
  for (const name of PASSED_HEADERS) {
    const value = answer.headers[name];
    if (value !== undefined && value !== "") {
      headers[name] = value;
    }
  }
  return { bodyJson: answer.body.toString("utf8"), headers };
}

/**
 * A result: `/response` (the compiled client's `done`) or `/error` (its `error`, with the X-Ray
 * cause). Like the compiled client, the caller ignores a refusal (e.g. 403 for `/error` once a
 * streamed response has begun).
 */
export function resultRequest(kind: "response" | "error", encodedRequestId: string, body: string, xrayCause = ""): RuntimeRequest {
  return {
    method: "POST",
    // RAPIDClient passes the id URI-encoded already.
    path: `${BASE}/invocation/${encodedRequestId}/${kind}`,
    headers: {
      "content-type": "application/json",
      "user-agent": USER_AGENT,
      ...(xrayCause ? { "lambda-runtime-function-xray-error-cause": asciiJson(xrayCause) } : {}),
    },
    body,
  };
}

/**
 * The X-Ray cause is JSON; a header value must be visible ASCII, so anything else is written as
 * its JSON `\uXXXX` escape, which parses back to the same text.
 */
function asciiJson(json: string): string {
  return json.replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
