// InvokeWithResponseStream's answer: HTTP 200 with the function's stream content type, then the
// runtime's bytes as they arrive, one PayloadChunk event each (through Lambda's limits), and one
// InvokeComplete event that says whether the function failed. A handler using
// HttpResponseStream.from is passed through as is: its JSON prelude and 8 NULs are in the payload,
// as on AWS.
// @see https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStream.html

import type * as http from "node:http";
import { type Readable, Transform } from "node:stream";
import type { FunctionError } from "../common/function-error";
import type { LogSink } from "../common/log-sink";
import { finishThroughLimiter, ResponseLimiter, type ResponseLimits } from "../invocation/response-limiter";
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
    error = await forwardFrames(context, response.body, invocation.completion);
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

/**
 * Pipes the runtime's stream through Lambda's limits into PayloadChunk frames, with backpressure
 * from the caller back to the handler's writes. Resolves with the error that ended it, if any,
 * once every byte before it has been framed.
 */
async function forwardFrames(
  context: StreamAnswerContext,
  body: Readable,
  completion: RunningInvocation["completion"],
): Promise<FunctionError | undefined> {
  const { res } = context;
  const limiter = new ResponseLimiter(context.limits);
  const framer = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      callback(null, payloadChunk(chunk));
    },
  });
  let limitError: FunctionError | undefined;
  const drain = (): void => {
    body.unpipe(limiter);
    body.resume();
  };
  limiter.once("error", (error) => {
    limitError = { errorType: error.name, errorMessage: error.message };
    drain();
    framer.end();
  });
  res.once("close", () => {
    if (!res.writableFinished) {
      // The caller left: the function runs on, its stream read and dropped.
      drain();
      limiter.destroy();
      framer.destroy();
    }
  });
  body.pipe(limiter).pipe(framer).pipe(res, { end: false });
  const { error } = await completion;
  if (error) {
    drain();
  }
  // Every byte that came before the end (or the error) is framed before InvokeComplete.
  await finishThroughLimiter(body, limiter, framer);
  return limitError ?? error;
}
