// The messages between the runtime's main thread and the transport worker, in one place.

import type { MessagePort } from "node:worker_threads";

/** What the main thread asks the worker to do; `seq` pairs each answer with its call. */
export type TransportCall =
  | { readonly seq: number; readonly call: "next" }
  | { readonly seq: number; readonly call: "response"; readonly requestId: string; readonly body: string }
  | { readonly seq: number; readonly call: "error"; readonly requestId: string; readonly body: string; readonly xrayCause: string };

/** The worker's answer: `value` for `next`, the status code for a post, or why it failed. */
export type TransportAnswer =
  | { readonly seq: number; readonly ok: true; readonly value: unknown }
  | { readonly seq: number; readonly ok: false; readonly message: string };

/** What the worker is started with. */
export interface TransportWorkerData {
  /** Marks the thread as the transport worker (the bundle is both the client and the worker). */
  readonly role: "lambda-runtime-transport";
  /** AWS_LAMBDA_RUNTIME_API: `host:port`. */
  readonly runtimeApi: string;
  /** Int32Array over a SharedArrayBuffer: index 0 turns 1 when a blocking call's answer is posted. */
  readonly signal: SharedArrayBuffer;
  /** Where answers to blocking calls go, read synchronously by the main thread. */
  readonly blockingAnswers: MessagePort;
}

export const WORKER_ROLE = "lambda-runtime-transport";
