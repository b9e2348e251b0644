// The Lambda handler: streams 🚗 through a Function URL in RESPONSE_STREAM mode.
// `awslambda` is a global that the Node.js runtime provides; nothing here imports the AWS SDK.

import type { Writable } from "node:stream";
import type { Context, LambdaFunctionURLEvent } from "aws-lambda";
import { checkFitsInTime, parseStreamOptions } from "./stream-options";
import { writeCars } from "./write-cars";

/**
 * Answers one request: 400 with a JSON error for bad query parameters, otherwise 200 and the
 * 🚗 stream. Exported on its own so tests can drive it with an in-memory stream.
 */
export async function streamCars(
  event: LambdaFunctionURLEvent,
  responseStream: Writable,
  context: Pick<Context, "getRemainingTimeInMillis">,
): Promise<void> {
  const parsed = parseStreamOptions(event);
  const error = parsed.ok ? checkFitsInTime(parsed.options, context.getRemainingTimeInMillis()) : parsed.error;
  if (!parsed.ok || error !== undefined) {
    const stream = awslambda.HttpResponseStream.from(responseStream, {
      statusCode: 400,
      headers: { "content-type": "application/json" },
    });
    // write, then end(): the runtime sends the prelude on the first write() only, and end(data)
    // bypasses it, which Lambda answers with a 502 (aws-lambda-nodejs-runtime-interface-client#97).
    stream.write(JSON.stringify({ error }));
    stream.end();
    return;
  }
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 200,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
  await writeCars(stream, parsed.options);
  stream.end();
}

/** `index.handler`: the entry point the function's configuration names. */
export const handler = awslambda.streamifyResponse<LambdaFunctionURLEvent>(streamCars);
