// A stand-in for the pool's invocations, for the doors' tests: an invocation that has already
// answered, as the runtime would have.

import type { InvocationCompletion, PoolResponse, RunningInvocation } from "../../emulator/invocation/running-invocation";

/** The buffered JSON result `"ok"`, what most stand-in functions answer. */
export const OK_RESULT: PoolResponse = { kind: "buffered", contentType: "application/json", body: Buffer.from('"ok"') };

/** An invocation `requestId` that answered `response` and completed with `completion`. */
export function answeredInvocation(
  requestId: string,
  response: PoolResponse = OK_RESULT,
  completion: InvocationCompletion = {},
): RunningInvocation {
  return { requestId, logTail: Promise.resolve(""), response: Promise.resolve(response), completion: Promise.resolve(completion) };
}
