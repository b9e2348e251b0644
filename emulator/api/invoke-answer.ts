// Invoke's answer (RequestResponse): the whole payload in one response. A function error is still
// HTTP 200, with `X-Amz-Function-Error: Unhandled` and the error as the payload; a streaming
// function's stream is collected (at most 6 MB, as its buffered limit).
// @see https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html

import type * as http from "node:http";
import { MAX_BUFFERED_RESPONSE_BYTES } from "../common/constants";
import type { FunctionError } from "../common/function-error";
import { readBody } from "../common/read-body";
import type { RunningInvocation } from "../invocation/running-invocation";

/** Answers the caller with the invocation's whole result; `tail` adds X-Amz-Log-Result. */
export async function answerInvoke(res: http.ServerResponse, invocation: RunningInvocation, tail: boolean): Promise<void> {
  const response = await invocation.response;
  if (response.kind === "abandoned" || response.kind === "throttled") {
    throw new Error(`a ${response.kind} invocation is answered before Invoke's answer`);
  }
  let payload: Buffer;
  let contentType = "application/json";
  let error: FunctionError | undefined;
  if (response.kind === "error") {
    error = response.error;
    payload = Buffer.alloc(0);
  } else if (response.kind === "buffered") {
    payload = response.body;
  } else {
    contentType = response.contentType;
    const [body, completion] = await Promise.all([
      readBody(response.body, MAX_BUFFERED_RESPONSE_BYTES).catch(() => null),
      invocation.completion,
    ]);
    error = completion.error;
    if (body === undefined && !error) {
      error = {
        errorType: "Function.ResponseSizeTooLarge",
        errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_BUFFERED_RESPONSE_BYTES} bytes).`,
      };
    }
    payload = body ?? Buffer.alloc(0);
  }
  const headers: Record<string, string> = { "x-amz-executed-version": "$LATEST" };
  if (error) {
    payload = Buffer.from(
      JSON.stringify({ errorType: error.errorType, errorMessage: error.errorMessage, ...(error.trace ? { trace: error.trace } : {}) }),
    );
    headers["x-amz-function-error"] = "Unhandled";
    contentType = "application/json";
  }
  if (tail) {
    headers["x-amz-log-result"] = await invocation.logTail;
  }
  if (res.destroyed) return;
  res.writeHead(200, { ...headers, "content-type": contentType, "content-length": String(payload.length) });
  res.end(payload);
}
