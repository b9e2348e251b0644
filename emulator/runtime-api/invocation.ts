// One invocation as the Runtime API holds it, and the one state field that says what the runtime
// may do next. A runtime answers once: QUEUED → SENT (on /next) → READING (a buffered /response
// or an /error body arrives) or RESPONDING (a streaming /response flows) → DONE. A timeout or an
// exit ends it from any state; DONE is final.

import type { Readable } from "node:stream";
import type { FunctionError } from "../common/function-error";

/** What the Runtime API hands the runtime on `/next`. */
export interface InvocationRequest {
  readonly requestId: string;
  readonly event: Buffer;
  /** Absolute deadline, epoch milliseconds. */
  readonly deadlineMs: number;
  readonly functionArn: string;
  readonly traceId: string;
  /** `Lambda-Runtime-Client-Context`: the caller's client context (JSON), when it sent one. */
  readonly clientContext?: string;
}

/** How the runtime began to answer. */
export type InvocationResponse =
  /** A streaming `/response`: `body` delivers bytes as the runtime sends them. */
  | { readonly kind: "streaming"; readonly contentType: string; readonly body: Readable }
  /** A buffered `/response`: the whole payload. */
  | { readonly kind: "buffered"; readonly contentType: string; readonly body: Buffer }
  /** `/error`, an oversized buffered response, or a broken request: no response at all. */
  | { readonly kind: "error"; readonly error: FunctionError };

/** How the invocation ended, once the runtime's last byte is in. */
export interface InvocationCompletion {
  /** The error the runtime reported (trailers or `/error`) or that ended it early. */
  readonly error?: FunctionError;
  /** The response ended without its terminating chunk. */
  readonly truncated?: boolean;
}

export type InvocationState =
  /** Waiting for the runtime's `/next`. */
  | "QUEUED"
  /** Handed to the runtime: it may answer with `/response` or `/error`. */
  | "SENT"
  /** A buffered `/response` or an `/error` body is being read: its one answer has begun. */
  | "READING"
  /** A streaming `/response` is flowing. */
  | "RESPONDING"
  /** Answered, or cut off. */
  | "DONE";

/** One invocation's progress, as seen from the Runtime API. */
export class Invocation {
  /** Resolves when the runtime starts its answer (never rejects). */
  readonly response: Promise<InvocationResponse>;
  /** Resolves when the answer is complete, or the invocation was cut off (never rejects). */
  readonly completion: Promise<InvocationCompletion>;
  private current: InvocationState = "QUEUED";
  private resolveResponse!: (response: InvocationResponse) => void;
  private resolveCompletion!: (completion: InvocationCompletion) => void;

  constructor(readonly request: InvocationRequest) {
    this.response = new Promise((resolve) => (this.resolveResponse = resolve));
    this.completion = new Promise((resolve) => (this.resolveCompletion = resolve));
  }

  get state(): InvocationState {
    return this.current;
  }

  /** Whether the runtime may still post for it (an answer under way refuses a second with 403). */
  get answerable(): boolean {
    return this.current === "SENT" || this.current === "RESPONDING";
  }

  /** `/next` handed it to the runtime. */
  sent(): void {
    this.moveFrom("QUEUED", "SENT");
  }

  /** A buffered `/response` or an `/error` began: its body is being read. */
  reading(): void {
    this.moveFrom("SENT", "READING");
  }

  /** The runtime's answer began; a buffered one is whole, a streaming one flows. */
  respond(response: InvocationResponse): void {
    // Cut off (timeout, exit) while its body was still being read: the answer is already given.
    if (this.current === "DONE") {
      return;
    }
    this.current = "RESPONDING";
    this.resolveResponse(response);
  }

  /** The answer is complete, or the invocation was cut off; from any state, once. */
  complete(completion: InvocationCompletion): void {
    if (this.current === "DONE") {
      return;
    }
    if (this.current !== "RESPONDING") {
      // Ended before any answer began: the answer is the error.
      this.resolveResponse({
        kind: "error",
        error: completion.error ?? { errorType: "Runtime.ExitError", errorMessage: "the runtime ended the invocation without a response" },
      });
    }
    this.current = "DONE";
    this.resolveCompletion(completion);
  }

  private moveFrom(from: InvocationState, to: InvocationState): void {
    if (this.current !== from) {
      throw new Error(`invocation ${this.request.requestId} is ${this.current}, not ${from}: it cannot become ${to}`);
    }
    this.current = to;
  }
}
