// InvokeWithResponseStream's answer: HTTP 200 with the function's stream content type, then the
// runtime's bytes as they arrive, one PayloadChunk event each (through Lambda's limits), and one
// InvokeComplete event that says whether the function failed. A handler using
// HttpResponseStream.from is passed through as is: its JSON prelude and 8 NULs are in the payload,
// as on AWS.
// @see https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStream.html

import type * as http from "node:http";
import type { FunctionError } from "../common/function-error";
import type { LogSink } from "../common/log-sink";
import { forward } from "../door/forward";
import type { ResponseLimits } from "../invocation/response-limiter";
import type { RunningInvocation } from "../invocation/running-invocation";
import { type InvokeCompleteEvent, invokeComplete, payloadChunk } from "./event-stream";

export interface StreamAnswerContext {
  readonly res: http.ServerResponse;
  readonly limits: ResponseLimits;
  readonly log: LogSink;
  readonly requestId: string;
  /** `X-Amz-Log-Type: Tail`: InvokeComplete carries the log's last 4 KB (sent once the environment is done). */
  readonly tail: boolean;
}

/** Streams `invocation` to the caller as event-stream frames. */
export async function streamInvocation(context: StreamAnswerContext, invocation: RunningInvocation): Promise<void> {
  const { res } = context;
  const response = await invocation.response;
  if (response.kind === "abandoned") {
    return;
  }
  if (response.kind === "throttled") {
    throw new Error("a throttled invocation is answered before the stream starts");
  }
  const contentType = response.kind === "error" ? "application/octet-stream" : response.contentType;
  res.writeHead(200, { "content-type": contentType, "x-amz-executed-version": "$LATEST" });
  res.flushHeaders();
  let error: FunctionError | undefined;
  if (response.kind === "error") {
    error = response.error;
  } else if (response.kind === "buffered") {
    res.write(payloadChunk(response.body));
  } else {
    const ended = await forward(
      { res, limits: context.limits, frame: payloadChunk, onError: "finish" },
      response.body,
      invocation.completion,
    );
    error = ended?.error;
  }
  const complete: InvokeCompleteEvent = {
    ...(error ? { ErrorCode: error.errorType, ErrorDetails: error.errorMessage } : {}),
    ...(context.tail ? { LogResult: await invocation.logTail } : {}),
  };
  if (error) {
    context.log(`InvokeWithResponseStream for RequestId: ${context.requestId} ended with ${error.errorType}: ${error.errorMessage}`);
  }
  if (!res.destroyed) res.end(invokeComplete(complete));
}
