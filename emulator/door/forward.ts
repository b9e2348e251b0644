// The runtime's stream on its way to the caller, for both doors: through Lambda's limits
// (invocation/response-limiter.ts), framed as the door frames it (the Function URL sends the bytes
// as they are, the Lambda API one PayloadChunk event each), with backpressure from the caller back
// to the handler's writes. When the caller leaves, Lambda lets the function run on: the runtime's
// stream is read and dropped, so nothing is held (and nothing blocks) for a caller that will not read.

import { once } from "node:events";
import type * as http from "node:http";
import { type Readable, Transform } from "node:stream";
import type { FunctionError } from "../common/function-error";
import { streamClosed } from "../common/read-body";
import { ResponseLimiter, type ResponseLimits } from "../invocation/response-limiter";
import type { InvocationCompletion } from "../invocation/running-invocation";

export interface ForwardOptions {
  readonly res: http.ServerResponse;
  readonly limits: ResponseLimits;
  /** Each piece as it goes on the wire; as it is, when absent. */
  readonly frame?: (chunk: Buffer) => Uint8Array;
  /**
   * What an error (the function's, or a limit's) does to the answer under way: "cut" destroys it at
   * once, so a client that stopped reading cannot hold the request open and can tell the answer is
   * incomplete (no terminating chunk); "finish" passes on every byte that came before it, so the
   * caller can end the answer with the error in its own framing.
   */
  readonly onError: "cut" | "finish";
}

/** What ended a stream early: a limit of Lambda's, or the function's own error. */
export interface ForwardError {
  readonly cause: "limit" | "function";
  readonly error: FunctionError;
}

/**
 * Forwards `body` to `options.res`, leaving the answer open for its caller to end. Resolves with the
 * error that ended the stream, if any, once the invocation is complete and (with "finish") every
 * byte before the end or the error has been written.
 */
export async function forward(
  options: ForwardOptions,
  body: Readable,
  completion: Promise<InvocationCompletion>,
): Promise<ForwardError | undefined> {
  const { res } = options;
  const limiter = new ResponseLimiter(options.limits);
  const framer = options.frame && framing(options.frame);
  const last: Readable = framer ?? limiter;
  const drain = (): void => {
    body.unpipe(limiter);
    body.resume();
  };
  const cut = (): void => {
    drain();
    limiter.destroy();
    framer?.destroy();
    res.destroy();
  };
  let limitError: FunctionError | undefined;
  limiter.once("error", (error) => {
    limitError = { errorType: error.name, errorMessage: error.message };
    drain();
    if (options.onError === "cut") cut();
    else framer?.end();
  });
  // Only cut mode races the limit against the function; in finish mode nothing waits on it.
  const cutByLimit = options.onError === "cut" ? once(limiter, "error").then(() => ({ error: undefined })) : undefined;
  if (res.destroyed || !res.socket || res.socket.destroyed) {
    cut();
  } else {
    (framer ? body.pipe(limiter).pipe(framer) : body.pipe(limiter)).pipe(res, { end: false });
    res.once("close", () => {
      // The caller left: the function runs on, its stream read and dropped.
      if (!res.writableFinished) cut();
    });
  }
  // Cut by a limit, the answer is over at once; the function runs on, its stream drained.
  const { error } = await (cutByLimit ? Promise.race([completion, cutByLimit]) : completion);
  if (limitError && options.onError === "cut") {
    return { cause: "limit", error: limitError };
  }
  if (error) {
    if (options.onError === "cut") {
      cut();
      return { cause: "function", error };
    }
    drain();
  }
  // The runtime's stream has ended by now; once its last bytes are in the limiter, let it pass on
  // what it holds, and wait until the last stage has given out its last byte.
  await streamClosed(body);
  body.unpipe(limiter);
  if (!limiter.writableEnded && !limiter.destroyed) limiter.end();
  await streamClosed(last);
  if (limitError) return { cause: "limit", error: limitError };
  return error && { cause: "function", error };
}

function framing(frame: (chunk: Buffer) => Uint8Array): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      callback(null, frame(chunk));
    },
  });
}
