// One InvokeWithResponseStream call with the AWS SDK's Lambda client: each PayloadChunk copied to
// a writable as it arrives (with backpressure, the prelude split off first), timed, and the
// InvokeComplete event's error, if any. The SDK decodes the event-stream frames.
// @see https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStream.html

import { STATUS_CODES } from "node:http";
import type { Writable } from "node:stream";
import type { AwsCredentialIdentity } from "@smithy/types";
import { HTTP_INTEGRATION_CONTENT_TYPE } from "../../protocol/http-integration-prelude";
import { type PreludeResult, PreludeSplitter } from "./http-prelude";
import type { SummaryFigures } from "./summary-line";

export interface InvocationRequest {
  readonly functionName: string;
  readonly region: string;
  /** The Lambda API's endpoint; undefined for AWS's own in `region`. */
  readonly endpoint?: string;
  readonly credentials: AwsCredentialIdentity;
  /** The payload, JSON. */
  readonly payload: string;
}

/**
 * The summary line's figures for an InvokeWithResponseStream call: `status` is the Lambda API's
 * (200 for a stream that started); `firstByteMs` runs from sending the request to the first body
 * byte (or the answer, if none); `bytes` leaves out the prelude, as a Function URL's body does
 * not include it; `truncated`, the stream ended without its InvokeComplete event.
 */
export interface InvocationSummary extends SummaryFigures {
  readonly contentType?: string;
  readonly prelude?: PreludeResult;
  /** InvokeComplete's ErrorCode and ErrorDetails: the function failed, after the bytes it streamed. */
  readonly functionError?: { readonly errorCode: string; readonly errorDetails?: string };
}

/**
 * Calls InvokeWithResponseStream and copies the body into `sink` (or drops it), calling
 * `onPrelude` as soon as a prelude is read. Rejects with the SDK's error when the call fails
 * before the stream starts (no such function, throttled, signature, network); a stream that
 * breaks later resolves `truncated`. Never retried: the figures are one call's.
 */
export async function streamInvocation(
  request: InvocationRequest,
  sink: Writable | undefined,
  onPrelude: (result: PreludeResult) => void,
): Promise<InvocationSummary> {
  // Loaded only for --api: the URL path does without the SDK's Lambda client.
  const { InvokeWithResponseStreamCommand, LambdaClient } = await import("@aws-sdk/client-lambda");
  const client = new LambdaClient({
    region: request.region,
    credentials: request.credentials,
    maxAttempts: 1,
    ...(request.endpoint !== undefined ? { endpoint: request.endpoint } : {}),
  });
  try {
    const started = performance.now();
    const output = await client.send(
      new InvokeWithResponseStreamCommand({ FunctionName: request.functionName, Payload: Buffer.from(request.payload) }),
    );
    const answeredMs = performance.now() - started;
    let prelude: PreludeResult | undefined;
    const splitter =
      output.ResponseStreamContentType === HTTP_INTEGRATION_CONTENT_TYPE
        ? new PreludeSplitter((result) => {
            prelude = result;
            onPrelude(result);
          })
        : undefined;
    let firstByteMs: number | undefined;
    let bytes = 0;
    const deliver = async (body: Buffer): Promise<void> => {
      if (body.length === 0) return;
      firstByteMs ??= performance.now() - started;
      bytes += body.length;
      if (sink) await write(sink, body);
    };
    let complete: { ErrorCode?: string; ErrorDetails?: string } | undefined;
    let broken = false;
    try {
      for await (const event of output.EventStream ?? []) {
        if (event.PayloadChunk?.Payload) {
          const chunk = event.PayloadChunk.Payload;
          await deliver(splitter ? splitter.push(chunk) : Buffer.from(chunk));
        }
        if (event.InvokeComplete) {
          complete = event.InvokeComplete;
        }
      }
    } catch {
      // The connection broke mid-stream: what arrived is delivered, and the summary says cut short.
      broken = true;
    }
    if (splitter) await deliver(splitter.end());
    const status = output.StatusCode ?? output.$metadata.httpStatusCode ?? 0;
    return {
      status,
      statusText: STATUS_CODES[status] ?? "",
      firstByteMs: firstByteMs ?? answeredMs,
      totalMs: performance.now() - started,
      bytes,
      truncated: broken || complete === undefined,
      ...(output.ResponseStreamContentType ? { contentType: output.ResponseStreamContentType } : {}),
      ...(prelude ? { prelude } : {}),
      ...(complete?.ErrorCode
        ? { functionError: { errorCode: complete.ErrorCode, ...(complete.ErrorDetails ? { errorDetails: complete.ErrorDetails } : {}) } }
        : {}),
    };
  } finally {
    client.destroy();
  }
}

/** Writes `bytes`, waiting for `drain` when the sink is full (or until it closes or fails). */
function write(sink: Writable, bytes: Buffer): Promise<void> {
  if (sink.write(bytes)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      sink.off("drain", done).off("close", done).off("error", done);
      resolve();
    };
    sink.once("drain", done).once("close", done).once("error", done);
  });
}
