// The HTTP front of the local Function URL: limits, CORS, SigV4 auth, throttling, and the
// mapping of the function's answer to HTTP in RESPONSE_STREAM or BUFFERED mode. Protocol details
// live in function-url-event.ts (event and buffered mapping) and response-stream.ts (prelude).

import { randomUUID } from "node:crypto";
import * as http from "node:http";
import type { Readable } from "node:stream";
import {
  HTTP_INTEGRATION_CONTENT_TYPE,
  LOCAL_ACCOUNT_ID,
  MAX_BUFFERED_RESPONSE_BYTES,
  MAX_REQUEST_BODY_BYTES,
  MAX_REQUEST_HEADER_BYTES,
  PRELUDE_DELIMITER,
  STREAM_HIGH_WATER_MARK,
  URL_AUTH_DOCS,
} from "./constants";
import { type RunningInvocation, ThrottledError } from "./environment-pool";
import { fromBufferedResult, type HttpResponseOutput, joinHeaders, toFunctionUrlEvent } from "./function-url-event";
import type { LogSink } from "./lambda-log";
import { readBody } from "./read-body";
import { parsePrelude, readPrelude, waitForFirstBytes } from "./response-stream";
import type { InvocationCompletion } from "./runtime-api";
import { type VerifierCredentials, verifySigV4 } from "./sigv4-verifier";
import type { CorsConfig, FunctionConfig } from "./stack-reader";

export interface FunctionUrlServerOptions {
  readonly fn: FunctionConfig;
  readonly invoke: (event: Buffer, requestId: string) => RunningInvocation;
  /** Required when `fn.authType` is AWS_IAM: the signature is checked against these. */
  readonly credentials?: VerifierCredentials;
  readonly log: LogSink;
}

/** Creates (does not start) the local Function URL server. */
export function createFunctionUrlServer(options: FunctionUrlServerOptions): http.Server {
  if (options.fn.authType === "AWS_IAM" && !options.credentials) {
    throw new Error("An AWS_IAM Function URL needs credentials to check signatures against.");
  }
  const server = http.createServer(
    { noDelay: true, maxHeaderSize: MAX_REQUEST_HEADER_BYTES, highWaterMark: STREAM_HIGH_WATER_MARK },
    (req, res) => {
      handleRequest(req, res, options).catch((error: Error) => {
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

async function handleRequest(req: http.IncomingMessage, res: http.ServerResponse, options: FunctionUrlServerOptions): Promise<void> {
  const { fn, log } = options;
  const started = performance.now();
  const requestId = randomUUID();
  res.setHeader("x-amzn-RequestId", requestId);
  res.once("close", () => {
    const ms = (performance.now() - started).toFixed(1);
    log(
      `${req.socket.remoteAddress ?? "-"} "${req.method} ${req.url} HTTP/${req.httpVersion}" ${res.statusCode} ${ms} ms RequestId: ${requestId}${res.writableFinished ? "" : " (cut short)"}`,
    );
  });
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

  let caller: { accessKey: string } | undefined;
  if (fn.authType === "AWS_IAM" && options.credentials) {
    const verification = await verifySigV4(
      { method: req.method ?? "GET", url: req.url ?? "/", headers, body },
      options.credentials,
      fn.region,
    );
    if (!verification.ok) {
      log(`403 for RequestId: ${requestId}: ${verification.reason}`);
      sendJson(
        res,
        403,
        { Message: `Forbidden. For troubleshooting Function URL authorization issues, see: ${URL_AUTH_DOCS}` },
        "AccessDeniedException",
      );
      return;
    }
    caller = { accessKey: verification.accessKey };
  }

  const now = new Date();
  const event = toFunctionUrlEvent(
    {
      method: req.method ?? "GET",
      url: req.url ?? "/",
      httpVersion: req.httpVersion,
      rawHeaders: req.rawHeaders,
      body,
      sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
    },
    {
      requestId,
      now,
      traceId: `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${requestId.replace(/-/g, "").slice(0, 24)}`,
      ...(caller
        ? {
            caller: {
              accessKey: caller.accessKey,
              accountId: LOCAL_ACCOUNT_ID,
              userArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:user/local`,
              userId: caller.accessKey,
            },
          }
        : {}),
    },
  );

  let invocation: RunningInvocation;
  try {
    invocation = options.invoke(Buffer.from(JSON.stringify(event)), requestId);
  } catch (error) {
    if (error instanceof ThrottledError) {
      sendJson(res, 429, { Message: "Rate Exceeded." }, "TooManyRequestsException");
      return;
    }
    throw error;
  }

  const response = await invocation.response;
  if (response.kind === "error") {
    if (response.error.errorType === RESPONSE_TOO_LARGE) {
      // The pool logs the error itself; this says what it means for the caller.
      log(`502 for RequestId: ${requestId}: the function's response is over the 6 MB limit of a buffered response (${RESPONSE_TOO_LARGE})`);
    }
    sendBadGateway(res);
    return;
  }
  if (response.kind === "buffered") {
    if (fn.invokeMode === "RESPONSE_STREAM") {
      // A non-streaming handler behind a streaming URL: the raw result, uninterpreted (§3.6).
      sendBuffered(res, { statusCode: 200, headers: { "content-type": response.contentType }, cookies: [], body: response.body });
    } else {
      const mapped = fromBufferedResult(response.body);
      return mapped ? sendBuffered(res, mapped) : sendBadGateway(res);
    }
    return;
  }
  if (fn.invokeMode === "BUFFERED") {
    return bufferStreamedResponse(res, response.contentType, response.body, invocation.completion, log, requestId);
  }
  return streamResponse(res, response.contentType, response.body, invocation.completion, log, requestId);
}

/** RESPONSE_STREAM: status and headers from the prelude, then every chunk as it arrives. */
async function streamResponse(
  res: http.ServerResponse,
  contentType: string,
  body: Readable,
  completion: Promise<InvocationCompletion>,
  log: LogSink,
  requestId: string,
): Promise<void> {
  let status = 200;
  let headers: Record<string, string> = { "content-type": contentType };
  let cookies: readonly string[] = [];
  if (contentType === HTTP_INTEGRATION_CONTENT_TYPE) {
    const result = await readPrelude(body);
    if (result.kind === "invalid") {
      log(`502 for RequestId: ${requestId}: ${result.reason}`);
      body.resume();
      return sendBadGateway(res);
    }
    if (result.kind !== "prelude") {
      // Nothing was written: an error before the first byte is a 502; a clean empty end is 200.
      return (await completion).error
        ? sendBadGateway(res)
        : sendBuffered(res, {
            statusCode: 200,
            headers: { "content-type": "application/octet-stream" },
            cookies: [],
            body: Buffer.alloc(0),
          });
    }
    status = result.prelude.statusCode;
    headers = { "content-type": "application/octet-stream", ...result.prelude.headers };
    cookies = result.prelude.cookies;
  } else {
    const first = await waitForFirstBytes(body);
    if (first.kind !== "data") {
      return (await completion).error
        ? sendBadGateway(res)
        : sendBuffered(res, { statusCode: 200, headers, cookies: [], body: Buffer.alloc(0) });
    }
  }
  // A content-length from the function would contradict the chunked stream; AWS renames it.
  if (headers["content-length"] !== undefined) {
    headers["x-amzn-remapped-content-length"] = headers["content-length"];
    delete headers["content-length"];
  }
  res.writeHead(status, { ...headers, ...(cookies.length > 0 ? { "set-cookie": [...cookies] } : {}) });
  res.flushHeaders();

  // Forward with backpressure: when the client reads slowly, the runtime's connection is not read
  // either, and the handler's writes return false. `end: false` because the stream may not end
  // cleanly: that is only known once the trailers are in.
  // When the client is gone, Lambda lets the function run on: keep reading the runtime's stream
  // and drop the bytes, so nothing is held (and nothing blocks) for a client that will not read.
  const dropBody = (): void => {
    body.unpipe(res);
    body.resume();
  };
  if (res.destroyed || !res.socket || res.socket.destroyed) {
    dropBody();
  } else {
    body.pipe(res, { end: false });
    res.once("close", () => {
      if (!res.writableFinished) {
        dropBody();
      }
    });
  }
  const { error } = await completion;
  if (error) {
    // Status and headers went out long ago: cut the response short (no terminating chunk), so the
    // client can tell the stream is incomplete.
    log(`stream for RequestId: ${requestId} ended early: ${error.errorType}: ${error.errorMessage}`);
    res.destroy();
  } else {
    res.end();
  }
}

/** The error type Lambda reports for a buffered response over 6 MB. */
const RESPONSE_TOO_LARGE = "Function.ResponseSizeTooLarge";

/** BUFFERED URL, streaming handler: collect (at most 6 MB), then answer in one piece. */
async function bufferStreamedResponse(
  res: http.ServerResponse,
  contentType: string,
  body: Readable,
  completion: Promise<InvocationCompletion>,
  log: LogSink,
  requestId: string,
): Promise<void> {
  let size = 0;
  body.on("data", (chunk: Buffer) => {
    size += chunk.length;
  });
  const [payload, { error }] = await Promise.all([readBody(body, MAX_BUFFERED_RESPONSE_BYTES).catch(() => undefined), completion]);
  if (!error && payload === undefined && size > MAX_BUFFERED_RESPONSE_BYTES) {
    // A BUFFERED URL answers only once the response is whole, and refuses one over 6 MB.
    // @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
    log(
      `502 for RequestId: ${requestId}: the response is ${size} bytes, over the ${MAX_BUFFERED_RESPONSE_BYTES}-byte (6 MB) limit of a BUFFERED Function URL; use RESPONSE_STREAM or a smaller response`,
    );
  }
  if (error || payload === undefined) {
    return sendBadGateway(res);
  }
  if (contentType !== HTTP_INTEGRATION_CONTENT_TYPE) {
    return sendBuffered(res, { statusCode: 200, headers: { "content-type": contentType }, cookies: [], body: payload });
  }
  if (payload.length === 0) {
    return sendBuffered(res, { statusCode: 200, headers: { "content-type": "application/octet-stream" }, cookies: [], body: payload });
  }
  const at = payload.indexOf(PRELUDE_DELIMITER);
  const prelude = at === -1 ? "no delimiter" : parsePrelude(payload.subarray(0, at));
  if (typeof prelude === "string") {
    return sendBadGateway(res);
  }
  sendBuffered(res, {
    ...prelude,
    headers: { "content-type": "application/octet-stream", ...prelude.headers },
    body: payload.subarray(at + PRELUDE_DELIMITER.length),
  });
}

/** Reads the request body; answers 413 and returns undefined when it passes 6 MB. */
function readRequestBody(req: http.IncomingMessage, res: http.ServerResponse): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = (): void => {
      req.off("data", onData);
      // Answer, then close the connection rather than read the rest of an oversized body.
      res.once("finish", () => req.socket.destroy());
      res.setHeader("connection", "close");
      sendJson(
        res,
        413,
        { Message: `Request must be smaller than ${MAX_REQUEST_BODY_BYTES} bytes for the InvokeFunction operation` },
        "RequestTooLargeException",
      );
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

function applyCors(res: http.ServerResponse, cors: CorsConfig | undefined, origin: string | undefined): void {
  if (!cors || !origin) {
    return;
  }
  const allowed = cors.allowOrigins.includes("*") ? "*" : cors.allowOrigins.includes(origin) ? origin : undefined;
  if (!allowed) {
    return;
  }
  res.setHeader("access-control-allow-origin", allowed);
  if (allowed !== "*") {
    res.setHeader("vary", "Origin");
  }
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

function sendBuffered(res: http.ServerResponse, output: HttpResponseOutput): void {
  const headers: Record<string, string | string[]> = { ...output.headers, "content-length": String(output.body.length) };
  if (output.cookies.length > 0) {
    headers["set-cookie"] = [...output.cookies];
  }
  res.writeHead(output.statusCode, headers);
  res.end(output.body);
}

function sendBadGateway(res: http.ServerResponse): void {
  if (!res.headersSent) {
    res.writeHead(502, { "content-type": "text/plain", "content-length": "21" });
    res.end("Internal Server Error");
  }
}

/** AWS's error shape: `{"Message": …}` with the error type in `x-amzn-ErrorType`. */
function sendJson(res: http.ServerResponse, status: number, body: { Message: string }, errorType: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(payload)),
    "x-amzn-ErrorType": errorType,
  });
  res.end(payload);
}
