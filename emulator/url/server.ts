// The Function URL door, the local Function URL's HTTP server. A request meets, in order: the Host
// check, its body (request-body.ts), CORS (cors.ts), auth (authorize.ts), the event (event.ts) and
// the invocation, then its answer (answer.ts: prelude, streaming, limits, BUFFERED mapping).

import { randomUUID } from "node:crypto";
import * as http from "node:http";
import type { VerifierCredentials } from "../auth/sigv4-signature";
import { KeyRing } from "../auth/verifier-credentials";
import { logWhenClosed } from "../common/access-log";
import { MAX_REQUEST_BODY_BYTES, MAX_REQUEST_HEADER_BYTES, STREAM_HIGH_WATER_MARK } from "../common/constants";
import type { FunctionConfig } from "../common/function-config";
import type { LogSink } from "../common/log-sink";
import { isAllowedHost } from "../common/loopback";
import { joinHeaders } from "../common/request-headers";
import { LAMBDA_RESPONSE_LIMITS, type ResponseLimits } from "../invocation/response-limiter";
import type { Invoke, RunningInvocation } from "../invocation/running-invocation";
import { newTraceId } from "../invocation/trace-id";
import { answerInvocation } from "./answer";
import { authorize } from "./authorize";
import { answerPreflight, applyCors } from "./cors";
import { type IamCaller, toFunctionUrlEvent } from "./event";
import { readRequestBody, sendTooLarge } from "./request-body";
import { sendJson } from "./send";

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
  readonly log: LogSink;
}

/** Creates (does not start) the local Function URL server. */
export function createFunctionUrlServer(options: FunctionUrlServerOptions): http.Server {
  if (options.fn.authType === "AWS_IAM" && !options.credentials) {
    throw new Error("An AWS_IAM Function URL needs credentials to check signatures against.");
  }
  const keys = new KeyRing(options.credentials, options.renewCredentials);
  const server = http.createServer(
    { noDelay: true, maxHeaderSize: MAX_REQUEST_HEADER_BYTES, highWaterMark: STREAM_HIGH_WATER_MARK },
    (req, res) => {
      handleRequest(req, res, options, keys).catch((error: Error) => {
        options.log(`local Function URL: internal error: ${error.stack ?? error.message}`);
        sendJson(res, 500, { Message: "Internal Server Error" }, "ServiceException");
      });
    },
  );
  // Malformed HTTP gets an answer and a closed socket; the server keeps serving.
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const status = error.code === "HPE_HEADER_OVERFLOW" ? "431 Request Header Fields Too Large" : "400 Bad Request";
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  return server;
}

async function handleRequest(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  options: FunctionUrlServerOptions,
  keys: KeyRing,
): Promise<void> {
  const { log } = options;
  const fn = options.currentFunction?.() ?? options.fn;
  const requestId = randomUUID();
  logWhenClosed(req, res, requestId, log);
  res.setHeader("x-amzn-RequestId", requestId);
  // Created first: a client that leaves at any point takes its request out of the queue.
  const clientGone = new AbortController();
  res.once("close", () => clientGone.abort());
  const allowed = options.allowedHostNames;
  if (allowed && req.headers.host !== undefined && !isAllowedHost(req.headers.host, allowed)) {
    log(
      `403 for RequestId: ${requestId}: Host ${JSON.stringify(req.headers.host)} is not a loopback name; a server bound to loopback answers only ${allowed.join(", ")}`,
    );
    req.resume();
    sendJson(res, 403, { Message: "Forbidden" }, "AccessDeniedException");
    return;
  }
  const headers = joinHeaders(req.rawHeaders);
  applyCors(res, fn.cors, headers.origin);
  const body = await readRequestBody(req, res);
  if (!body) {
    return;
  }
  if (fn.cors && req.method === "OPTIONS" && headers.origin && headers["access-control-request-method"]) {
    // Lambda answers a CORS preflight itself, without auth and without invoking the function.
    answerPreflight(res, fn.cors);
    return;
  }

  const caller = await authorize(req, res, headers, body, fn, options.log, keys, requestId);
  if (caller === false) {
    return;
  }
  const invocation = invoke(req, res, body, caller, options, requestId, clientGone.signal);
  if (!invocation) {
    return;
  }
  const answer = { res, invokeMode: fn.invokeMode, limits: options.limits ?? LAMBDA_RESPONSE_LIMITS, log, requestId };
  await answerInvocation(answer, await invocation.response, invocation.completion);
}

/**
 * Builds the event and hands it to the function; undefined once a 413 (the event is over 6 MB) or
 * a 429 has been sent. A client that leaves while its request waits for an environment takes the
 * request out of the queue.
 */
function invoke(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: Buffer,
  caller: IamCaller | undefined,
  options: FunctionUrlServerOptions,
  requestId: string,
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
    options.log(
      `413 for RequestId: ${requestId}: the event built from the request is ${payload.length} bytes (its ${body.length}-byte body${encoding}), over the ${MAX_REQUEST_BODY_BYTES}-byte limit of an invoke payload`,
    );
    sendTooLarge(res);
    return undefined;
  }
  return options.invoke(payload, { requestId, traceId, signal: clientGone });
}
