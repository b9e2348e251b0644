// The Function URL door, the local Function URL's HTTP server. A request meets, in order: the Host
// check (door/server.ts), CORS (cors.ts), its body (door/request-input.ts), auth (authorize.ts),
// the event (event.ts) and the invocation, then its answer (answer.ts: prelude, streaming, limits,
// BUFFERED mapping).

import type * as http from "node:http";
import type { VerifierCredentials } from "../auth/sigv4-signature";
import type { SigningAdvice } from "../auth/sigv4-verifier";
import { KeyRing } from "../auth/verifier-credentials";
import { MAX_REQUEST_BODY_BYTES } from "../common/constants";
import type { FunctionConfig } from "../common/function-config";
import type { LogSink } from "../common/log-sink";
import { joinHeaders } from "../common/request-headers";
import { type Door, refuse, requestTooLarge, withSigning } from "../door/door";
import { readRequestInput } from "../door/request-input";
import { createDoorServer } from "../door/server";
import { LAMBDA_RESPONSE_LIMITS, type ResponseLimits } from "../invocation/response-limiter";
import type { Invoke, RunningInvocation } from "../invocation/running-invocation";
import { newTraceId } from "../invocation/trace-id";
import { answerInvocation } from "./answer";
import { authorize } from "./authorize";
import { answerPreflight, applyCors } from "./cors";
import { type IamCaller, toFunctionUrlEvent } from "./event";
import { functionUrlDoor } from "./send";

export interface FunctionUrlServerOptions {
  readonly fn: FunctionConfig;
  /** The function as it is now, when it can change while serving (watch mode). @default () => fn */
  readonly currentFunction?: () => FunctionConfig;
  readonly invoke: Invoke;
  /** Required when `fn.authType` is AWS_IAM: the signature is checked against these. */
  readonly credentials?: VerifierCredentials;
  /** Where `credentials` came from, when they can rotate (an AWS profile): asked again after a failed signature. */
  readonly renewCredentials?: () => Promise<VerifierCredentials | undefined>;
  /** Lambda's limits on a streamed response. @default LAMBDA_RESPONSE_LIMITS */
  readonly limits?: ResponseLimits;
  /**
   * For a server bound to loopback: the Host names it answers to (loopback names and its own
   * address); others get 403, so a page in a browser cannot reach it through DNS rebinding.
   */
  readonly allowedHostNames?: readonly string[];
  /**
   * For a NONE URL: why the function's resource-based policy does not let everyone call it
   * (undefined when it does). A URL deployed into the local AWS answers only as its policy allows.
   * @default everyone may call a NONE URL (npm start serves no policy)
   */
  readonly publicAccessRefusal?: () => string | undefined;
  /** How its 403 log lines name the signing advice, where npm start's words are not true (a URL the local AWS serves). */
  readonly signing?: Partial<SigningAdvice>;
  readonly log: LogSink;
}

/** Creates (does not start) the local Function URL server. */
export function createFunctionUrlServer(options: FunctionUrlServerOptions): http.Server {
  if (options.fn.authType === "AWS_IAM" && !options.credentials) {
    throw new Error("An AWS_IAM Function URL needs credentials to check signatures against.");
  }
  const keys = new KeyRing(options.credentials, options.renewCredentials);
  const door = withSigning(functionUrlDoor(options.log), options.signing);
  return createDoorServer({
    door,
    ...(options.allowedHostNames ? { allowedHostNames: options.allowedHostNames } : {}),
    handle: (req, res, requestId) => handleRequest({ req, res, requestId }, options, door, keys),
  });
}

async function handleRequest(
  request: { readonly req: http.IncomingMessage; readonly res: http.ServerResponse; readonly requestId: string },
  options: FunctionUrlServerOptions,
  door: Door,
  keys: KeyRing,
): Promise<void> {
  const { req, res, requestId } = request;
  const fn = options.currentFunction?.() ?? options.fn;
  // Created first: a client that leaves at any point takes its request out of the queue.
  const clientGone = new AbortController();
  res.once("close", () => clientGone.abort());
  applyCors(res, fn.cors, joinHeaders(req.rawHeaders).origin);
  const input = await readRequestInput(door, req, res, requestId);
  if (!input) {
    return;
  }
  if (fn.cors && req.method === "OPTIONS" && input.headers.origin && input.headers["access-control-request-method"]) {
    // Lambda answers a CORS preflight itself, without auth and without invoking the function.
    answerPreflight(res, fn.cors);
    return;
  }
  const caller = await authorize(door, keys, request, input, fn, options.publicAccessRefusal);
  if (caller === false) {
    return;
  }
  const invocation = invoke(request, door, input.body, caller, options, clientGone.signal);
  if (!invocation) {
    return;
  }
  const answer = { res, invokeMode: fn.invokeMode, limits: options.limits ?? LAMBDA_RESPONSE_LIMITS, log: options.log, requestId };
  await answerInvocation(answer, await invocation.response, invocation.completion);
}

/**
 * Builds the event and hands it to the function; undefined once a 413 (the event is over 6 MB) or
 * a 429 has been sent. A client that leaves while its request waits for an environment takes the
 * request out of the queue.
 */
function invoke(
  { req, res, requestId }: { readonly req: http.IncomingMessage; readonly res: http.ServerResponse; readonly requestId: string },
  door: Door,
  body: Buffer,
  caller: IamCaller | undefined,
  options: FunctionUrlServerOptions,
  clientGone: AbortSignal,
): RunningInvocation | undefined {
  const now = new Date();
  // One trace id for the event's x-amzn-trace-id and the runtime's Lambda-Runtime-Trace-Id.
  const traceId = newTraceId(now);
  const request = {
    method: req.method ?? "GET",
    url: req.url ?? "/",
    httpVersion: req.httpVersion,
    rawHeaders: req.rawHeaders,
    body,
    sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
  };
  const event = toFunctionUrlEvent(request, { requestId, now, traceId, ...(caller ? { caller } : {}) });
  const payload = Buffer.from(JSON.stringify(event));
  if (payload.length > MAX_REQUEST_BODY_BYTES) {
    // The limit is the invoke payload's, the event as built: a binary body grows by a third as
    // base64, so one well under 6 MB can pass it.
    const encoding = event.isBase64Encoded ? " base64-encoded" : "";
    refuse(door, res, requestId, {
      ...requestTooLarge(MAX_REQUEST_BODY_BYTES),
      reason: `the event built from the request is ${payload.length} bytes (its ${body.length}-byte body${encoding}), over the ${MAX_REQUEST_BODY_BYTES}-byte limit of an invoke payload`,
    });
    return undefined;
  }
  return options.invoke(payload, { requestId, traceId, signal: clientGone });
}
