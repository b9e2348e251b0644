// What the doors (the Function URL and the Lambda API) see of an invocation: how to ask for one,
// what they get back, and the one error that refuses it. They import these, never the pool's or
// the Runtime API's insides.

import type { InvocationCompletion, InvocationResponse } from "../runtime-api/invocation";

export type { InvocationCompletion } from "../runtime-api/invocation";

/** How a door asks for an invocation. */
export interface InvokeOptions {
  /** @default a new UUID */
  readonly requestId?: string;
  /** X-Ray's trace header for the runtime. @default a new trace id */
  readonly traceId?: string;
  /** Aborted when the caller leaves: a request still waiting for an environment is dropped unrun. */
  readonly signal?: AbortSignal;
  /** The caller's client context (JSON), for `context.clientContext`: the Lambda API's X-Amz-Client-Context, decoded. */
  readonly clientContext?: string;
}

/** Runs the function on an event: the pool's `invoke`, as a door holds it (doors name each request). */
export type Invoke = (event: Buffer, options: InvokeOptions & { readonly requestId: string }) => RunningInvocation;

/** What a request gets from the pool: the runtime's answer, or why none will come. */
export type PoolResponse =
  | InvocationResponse
  /** Refused: the reserved concurrency in use, the queue full, or no environment free by its deadline: HTTP 429. */
  | { readonly kind: "throttled"; readonly reason: string }
  /** Its client left while it waited: the function was never invoked. */
  | { readonly kind: "abandoned" };

/** An invocation under way. */
export interface RunningInvocation {
  readonly requestId: string;
  readonly response: Promise<PoolResponse>;
  /** When the answer is complete (the client may go); the environment may still be busy. */
  readonly completion: Promise<InvocationCompletion>;
  /** Once the environment is done with it (after REPORT): the last 4 KB of its log, base64. */
  readonly logTail: Promise<string>;
}
