// The HTTP front of the local Function URL: it reads as auth → invoke → answer. Before auth come
// the Host check, limits and CORS; the event mapping lives in function-url-event.ts, and the
// answer (prelude, streaming, limits, BUFFERED mapping) in function-url-answer.ts.

import { randomUUID } from "node:crypto";
import * as http from "node:http";
import { type VerifierCredentials, verifySigV4 } from "../auth/sigv4-verifier";
import { KeyRing } from "../auth/verifier-credentials";
import {
  LOCAL_ACCOUNT_ID,
  MAX_DRAINED_REQUEST_BYTES,
  MAX_REQUEST_BODY_BYTES,
  MAX_REQUEST_HEADER_BYTES,
  STREAM_HIGH_WATER_MARK,
  URL_AUTH_DOCS,
} from "../common/constants";
import type { CorsConfig, FunctionConfig } from "../common/function-config";
import type { LogSink } from "../common/log-sink";
import { isAllowedHost } from "../common/loopback";
import { joinHeaders } from "../common/request-headers";
import { LAMBDA_RESPONSE_LIMITS, type ResponseLimits } from "../invocation/response-limiter";
import { type Invoke, type RunningInvocation, ThrottledError } from "../invocation/running-invocation";
import { newTraceId } from "../invocation/trace-id";
import { answerInvocation, sendJson } from "./answer";
import { authorizeAsDistribution } from "./cloudfront-origin";
import { type IamCaller, toFunctionUrlEvent } from "./event";

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

  const caller = await authorize(req, res, headers, body, fn, options, keys, requestId);
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

/** One access-log line per request, once its response is done or cut short. */
function logWhenClosed(req: http.IncomingMessage, res: http.ServerResponse, requestId: string, log: LogSink): void {
  const started = performance.now();
  res.once("close", () => {
    const ms = (performance.now() - started).toFixed(1);
    log(
      `${req.socket.remoteAddress ?? "-"} "${req.method} ${req.url} HTTP/${req.httpVersion}" ${res.statusCode} ${ms} ms RequestId: ${requestId}${res.writableFinished ? "" : " (cut short)"}`,
    );
  });
}

/**
 * The caller of an AWS_IAM URL whose signature checks out, undefined for a NONE URL, or false
 * once a 403 has been sent.
 */
async function authorize(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  headers: Record<string, string>,
  body: Buffer,
  fn: FunctionConfig,
  options: FunctionUrlServerOptions,
  keys: KeyRing,
  requestId: string,
): Promise<IamCaller | undefined | false> {
  if (fn.authType === "NONE") {
    return undefined;
  }
  if (fn.publicAccess === "cloudfront") {
    // The local URL plays the CloudFront distribution that signs for every caller.
    return authorizeAsDistribution({ method: req.method ?? "GET", headers, body }, res, options.log, requestId);
  }
  const credentials = keys.credentials;
  if (!credentials) {
    // Fail closed: an AWS_IAM URL with nothing to check signatures against serves no one.
    return refuse(
      res,
      options.log,
      requestId,
      `the URL's auth type is ${fn.authType}, and the server has no credentials to check signatures against`,
    );
  }
  const request = { method: req.method ?? "GET", url: req.url ?? "/", headers, body };
  let verification = await verifySigV4(request, credentials, fn.region);
  if (!verification.ok) {
    // Temporary credentials from a profile rotate: check against the newest pair before refusing.
    const renewed = await keys.renew();
    if (renewed) {
      options.log(`The AWS profile's credentials changed (now ${renewed.accessKeyId}); signatures are checked against them.`);
      verification = await verifySigV4(request, renewed, fn.region);
    }
  }
  if (!verification.ok) {
    return refuse(res, options.log, requestId, verification.reason);
  }
  return {
    accessKey: verification.accessKey,
    accountId: LOCAL_ACCOUNT_ID,
    userArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:user/local`,
    userId: verification.accessKey,
  };
}

/** AWS's 403 for a request that fails authorization, with the reason in the log only; false. */
function refuse(res: http.ServerResponse, log: LogSink, requestId: string, reason: string): false {
  log(`403 for RequestId: ${requestId}: ${reason}`);
  sendJson(
    res,
    403,
    { Message: `Forbidden. For troubleshooting Function URL authorization issues, see: ${URL_AUTH_DOCS}` },
    "AccessDeniedException",
  );
  return false;
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
  try {
    return options.invoke(payload, { requestId, traceId, signal: clientGone });
  } catch (error) {
    if (error instanceof ThrottledError) {
      options.log(`429 for RequestId: ${requestId}: ${error.message}`);
      sendJson(res, 429, { Message: "Rate Exceeded." }, "TooManyRequestsException");
      return undefined;
    }
    throw error;
  }
}

/** Reads the request body; answers 413 and returns undefined when it passes 6 MB. */
function readRequestBody(req: http.IncomingMessage, res: http.ServerResponse): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = (): void => {
      req.off("data", onData);
      refuseTooLarge(req, res, size);
      resolve(undefined);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_REQUEST_BODY_BYTES) {
        tooLarge();
        return;
      }
      chunks.push(chunk);
    };
    if (Number(req.headers["content-length"] ?? 0) > MAX_REQUEST_BODY_BYTES) {
      return tooLarge();
    }
    req.on("data", onData);
    req.once("end", () => resolve(size > MAX_REQUEST_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    req.once("error", () => resolve(undefined));
  });
}

/**
 * AWS's 413 for a request over 6 MB, sent at once. The rest of the body is then read and dropped,
 * up to MAX_DRAINED_REQUEST_BYTES in all (`read` so far), and the connection kept: closing it with
 * bytes unread would send a TCP reset, and the client's system would drop the 413 it had not read
 * yet. A body declared or found larger than that bound is cut off: the connection is closed.
 */
function refuseTooLarge(req: http.IncomingMessage, res: http.ServerResponse, read: number): void {
  let drained = read;
  if (Number(req.headers["content-length"] ?? 0) > MAX_DRAINED_REQUEST_BYTES) {
    res.setHeader("connection", "close");
  } else {
    req.on("data", (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > MAX_DRAINED_REQUEST_BYTES) {
        req.socket.destroy();
      }
    });
    req.resume();
  }
  sendTooLarge(res);
}

/**
 * AWS's answer to a request (the event built from it) over 6 MB, its message as AWS words it.
 * @see https://github.com/pelmers/streetwarp-web/issues/14
 */
function sendTooLarge(res: http.ServerResponse): void {
  sendJson(
    res,
    413,
    { Message: `Request must be smaller than ${MAX_REQUEST_BODY_BYTES} bytes for the InvokeFunction operation` },
    "RequestTooLargeException",
  );
}

function applyCors(res: http.ServerResponse, cors: CorsConfig | undefined, origin: string | undefined): void {
  if (!cors) {
    return;
  }
  const anyOrigin = cors.allowOrigins.includes("*");
  if (!anyOrigin) {
    // The answer depends on Origin for every origin (and for none): a cache must not serve one
    // origin's answer, with or without its allow-origin, to another.
    // @see https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches
    res.setHeader("vary", "Origin");
  }
  const allowed = anyOrigin ? "*" : origin !== undefined && cors.allowOrigins.includes(origin) ? origin : undefined;
  if (!allowed) {
    return;
  }
  res.setHeader("access-control-allow-origin", allowed);
  if (cors.allowCredentials) {
    res.setHeader("access-control-allow-credentials", "true");
  }
  if (cors.exposeHeaders.length > 0) {
    res.setHeader("access-control-expose-headers", cors.exposeHeaders.join(","));
  }
}

function answerPreflight(res: http.ServerResponse, cors: CorsConfig): void {
  if (cors.allowMethods.length > 0) {
    res.setHeader("access-control-allow-methods", cors.allowMethods.join(","));
  }
  if (cors.allowHeaders.length > 0) {
    res.setHeader("access-control-allow-headers", cors.allowHeaders.join(","));
  }
  if (cors.maxAge !== undefined) {
    res.setHeader("access-control-max-age", String(cors.maxAge));
  }
  res.writeHead(200, { "content-length": 0 });
  res.end();
}
