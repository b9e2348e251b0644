// The HTTP answer to an invocation, in the URL's invoke mode: RESPONSE_STREAM forwards the
// runtime's stream chunk by chunk behind its prelude, through Lambda's limits; BUFFERED collects
// it (at most 6 MB) and answers in one piece. A response Node cannot send is a 502 whose reason
// is logged, and the runtime's stream is drained so its environment is free at once.

import type * as http from "node:http";
import type { Readable } from "node:stream";
import type { InvokeMode } from "../../protocol/function-url-modes";
import { HTTP_INTEGRATION_CONTENT_TYPE } from "../../protocol/http-integration-prelude";
import { withDeadline } from "../../support/deadline";
import { MAX_BUFFERED_RESPONSE_BYTES } from "../common/constants";
import type { FunctionError } from "../common/function-error";
import type { LogSink } from "../common/log-sink";
import { readBody, streamClosed } from "../common/read-body";
import { forward } from "../door/forward";
import type { ResponseLimits } from "../invocation/response-limiter";
import type { InvocationCompletion, PoolResponse } from "../invocation/running-invocation";
import { fromBufferedResult, type HttpResponseOutput } from "./buffered-result";
import { readPrelude, splitPrelude, waitForFirstBytes } from "./prelude";
import { dropHopByHopHeaders } from "./response-headers";
import { sendBadGateway, sendBuffered, sendJson, undoHeadersIfThrows, withVary } from "./send";

export interface AnswerContext {
  readonly res: http.ServerResponse;
  readonly invokeMode: InvokeMode;
  readonly limits: ResponseLimits;
  readonly log: LogSink;
  readonly requestId: string;
}

/** Answers the client with what the function returned. */
export async function answerInvocation(
  context: AnswerContext,
  response: PoolResponse,
  completion: Promise<InvocationCompletion>,
): Promise<void> {
  const { res, invokeMode, log, requestId } = context;
  switch (response.kind) {
    case "abandoned":
      return;
    case "throttled":
      log(`429 for RequestId: ${requestId}: ${response.reason}`);
      sendJson(res, 429, { Message: "Rate Exceeded." }, "TooManyRequestsException");
      return;
    case "error":
      log(
        response.error.errorType === RESPONSE_TOO_LARGE
          ? `502 for RequestId: ${requestId}: the function's response is over the 6 MB limit of a buffered response (${RESPONSE_TOO_LARGE})`
          : `502 for RequestId: ${requestId}: ${response.error.errorType}: ${response.error.errorMessage}`,
      );
      sendBadGateway(res);
      return;
    case "buffered":
      if (invokeMode === "RESPONSE_STREAM") {
        // A non-streaming handler behind a streaming URL: the raw result, uninterpreted.
        sendBuffered(res, { statusCode: 200, headers: { "content-type": response.contentType }, cookies: [], body: response.body });
        return;
      }
      sendOrBadGateway(context, fromBufferedResult(response.body));
      return;
    case "streaming":
      if (invokeMode === "BUFFERED") {
        return bufferStreamedResponse(context, response.contentType, response.body, completion);
      }
      return streamResponse(context, response.contentType, response.body, completion);
  }
}

/** RESPONSE_STREAM: status and headers from the prelude, then every chunk as it arrives. */
async function streamResponse(
  context: AnswerContext,
  contentType: string,
  body: Readable,
  completion: Promise<InvocationCompletion>,
): Promise<void> {
  const { res } = context;
  let status = 200;
  let headers: Record<string, string> = { "content-type": contentType };
  let cookies: readonly string[] = [];
  // An error that ends the invocation before the first byte (a timeout, a crash) is answered at
  // once, not when the runtime's connection happens to close.
  const stopReading = new AbortController();
  const failed = failureOf(completion).then(async (failure) => {
    // Bytes the runtime sent before it failed may not be read yet (its exit can be seen first):
    // its stream delivers them until it closes, which a dead runtime's does at once; briefly.
    await withDeadline(streamClosed(body), FAILURE_READ_GRACE_MS);
    stopReading.abort();
    return failure;
  });
  if (contentType === HTTP_INTEGRATION_CONTENT_TYPE) {
    const result = await Promise.race([readPrelude(body, stopReading.signal), failed]);
    if (result.kind === "failed" || result.kind === "invalid") {
      return badPrelude(context, body, result.kind === "failed" ? describeError(result.error) : result.reason);
    }
    if (result.kind !== "prelude") {
      return answerWithoutBytes(context, completion, "application/octet-stream");
    }
    status = result.prelude.statusCode;
    headers = { "content-type": "application/octet-stream", ...withoutHopByHop(context, result.prelude.headers) };
    cookies = result.prelude.cookies;
  } else {
    const first = await Promise.race([waitForFirstBytes(body, stopReading.signal), failed]);
    if (first.kind === "failed") {
      return badPrelude(context, body, describeError(first.error));
    }
    if (first.kind !== "data") {
      return answerWithoutBytes(context, completion, contentType);
    }
  }
  // A content-length from the function would contradict the chunked stream; AWS renames it.
  if (headers["content-length"] !== undefined) {
    headers["x-amzn-remapped-content-length"] = headers["content-length"];
    delete headers["content-length"];
  }
  try {
    const all = { ...withVary(res, headers), ...(cookies.length > 0 ? { "set-cookie": [...cookies] } : {}) };
    undoHeadersIfThrows(res, () => res.writeHead(status, all));
    res.flushHeaders();
  } catch (error) {
    return badPrelude(context, body, `Node cannot send the prelude's status or headers: ${(error as Error).message}`);
  }
  await forwardBody(context, body, completion);
}

/** Forwards the body as it comes; an error cuts the answer short, and is logged. */
async function forwardBody(context: AnswerContext, body: Readable, completion: Promise<InvocationCompletion>): Promise<void> {
  const { res, log, requestId } = context;
  const ended = await forward({ res, limits: context.limits, onError: "cut" }, body, completion);
  if (ended) {
    const how = ended.cause === "limit" ? "cut" : "ended early";
    log(`stream for RequestId: ${requestId} ${how}: ${describeError(ended.error)}`);
  } else if (!res.destroyed) {
    res.end();
  }
}

/** BUFFERED URL, streaming handler: collect (at most 6 MB), then answer in one piece. */
async function bufferStreamedResponse(
  context: AnswerContext,
  contentType: string,
  body: Readable,
  completion: Promise<InvocationCompletion>,
): Promise<void> {
  let size = 0;
  body.on("data", (chunk: Buffer) => {
    size += chunk.length;
  });
  // Read (and so drained) to its end whatever happens; an error is answered as soon as it ends
  // the invocation. A clean end comes with the stream's own end, so the payload is whole then.
  const collected = readBody(body, MAX_BUFFERED_RESPONSE_BYTES).catch(() => null);
  const { error } = await completion;
  if (error) {
    return sendOrBadGateway(context, describeError(error));
  }
  const payload = await collected;
  if (payload === undefined) {
    // A BUFFERED URL answers only once the response is whole, and refuses one over 6 MB.
    // @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
    return sendOrBadGateway(
      context,
      `the response is ${size} bytes, over the ${MAX_BUFFERED_RESPONSE_BYTES}-byte (6 MB) limit of a BUFFERED Function URL; use RESPONSE_STREAM or a smaller response`,
    );
  }
  if (payload === null) {
    return sendOrBadGateway(context, "the runtime's stream was cut off");
  }
  if (contentType !== HTTP_INTEGRATION_CONTENT_TYPE) {
    return sendBuffered(context.res, { statusCode: 200, headers: { "content-type": contentType }, cookies: [], body: payload });
  }
  if (payload.length === 0) {
    return sendBuffered(context.res, {
      statusCode: 200,
      headers: { "content-type": "application/octet-stream" },
      cookies: [],
      body: payload,
    });
  }
  const split = splitPrelude(payload);
  if (typeof split === "string") {
    return sendOrBadGateway(context, split);
  }
  sendOrBadGateway(context, {
    ...split.prelude,
    headers: { "content-type": "application/octet-stream", ...split.prelude.headers },
    body: split.body,
  });
}

/** The error type Lambda reports for a buffered response over 6 MB. */
const RESPONSE_TOO_LARGE = "Function.ResponseSizeTooLarge";

/** Resolves with the invocation's error once it ends in one; never, when it ends cleanly. */
function failureOf(completion: Promise<InvocationCompletion>): Promise<{ readonly kind: "failed"; readonly error: FunctionError }> {
  return completion.then(({ error }) => (error ? { kind: "failed", error } : new Promise<never>(() => undefined)));
}

/** How long a failed invocation's stream may still deliver the bytes it already carries. */
const FAILURE_READ_GRACE_MS = 500;

function describeError(error: FunctionError): string {
  return `${error.errorType}: ${error.errorMessage}`;
}

/** The stream ended before its first byte: an error is a 502, a clean end an empty 200. */
async function answerWithoutBytes(context: AnswerContext, completion: Promise<InvocationCompletion>, contentType: string): Promise<void> {
  const { error } = await completion;
  if (error) {
    return sendOrBadGateway(context, describeError(error));
  }
  sendBuffered(context.res, { statusCode: 200, headers: { "content-type": contentType }, cookies: [], body: Buffer.alloc(0) });
}

/**
 * No answer can be made of the stream (a prelude that cannot be sent, an error before the first
 * byte): 502 with the reason logged; the rest of the stream is drained.
 */
function badPrelude(context: AnswerContext, body: Readable, reason: string): void {
  body.resume();
  sendOrBadGateway(context, reason);
}

/**
 * The function's headers without the hop-by-hop ones, which would contradict the URL's own framing
 * of the answer; what was dropped is logged.
 */
function withoutHopByHop(context: AnswerContext, headers: Readonly<Record<string, string>>): Record<string, string> {
  const kept = dropHopByHopHeaders(headers);
  if (kept.dropped.length > 0) {
    context.log(
      `RequestId: ${context.requestId}: dropped the function's hop-by-hop headers ${kept.dropped.join(", ")} (they describe a connection, and the one to the client is the Function URL's)`,
    );
  }
  return kept.headers;
}

/**
 * Sends the function's `output`, or a 502 that logs why (the reason given, or why Node refused
 * the headers).
 */
function sendOrBadGateway(context: AnswerContext, output: HttpResponseOutput | string): void {
  if (typeof output !== "string") {
    try {
      sendBuffered(context.res, { ...output, headers: withoutHopByHop(context, output.headers) });
      return;
    } catch (error) {
      output = `Node cannot send the response's status or headers: ${(error as Error).message}`;
    }
  }
  context.log(`502 for RequestId: ${context.requestId}: ${output}`);
  sendBadGateway(context.res);
}
