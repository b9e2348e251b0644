// The Lambda Runtime API for one execution environment: the HTTP server its runtime process
// (aws-lambda-ric) long-polls for events and posts results to. It holds one invocation at a time
// and answers misuse with the status codes and error bodies RIE gives (docs/streaming-protocol.md, section 1).
// @see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html

import { EventEmitter } from "node:events";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import {
  ERROR_TYPE_HEADER,
  MAX_BUFFERED_RESPONSE_BYTES,
  NEXT_HEADERS,
  RESPONSE_MODE_BUFFERED,
  RESPONSE_MODE_HEADER,
  RESPONSE_MODE_STREAMING,
  RUNTIME_API_MAX_HEADER_BYTES,
  RUNTIME_ROUTES,
  STREAM_HIGH_WATER_MARK,
} from "../common/constants";
import type { FunctionError } from "../common/function-error";
import { readBody } from "../common/read-body";
import { parseErrorBody, readErrorTrailers, runtimeApiError, truncatedError } from "./error-body";
import { Invocation, type InvocationRequest } from "./invocation";

export interface RuntimeApiEvents {
  /** The runtime asked for work: it is initialized (first time) or done with the last invocation. */
  next: [];
  /** The runtime reported an initialization error on `/init/error`. */
  "init-error": [FunctionError];
}

/** The Runtime API server of one execution environment. */
export class RuntimeApi extends EventEmitter<RuntimeApiEvents> {
  private readonly server: http.Server;
  private waitingNext: http.ServerResponse | undefined;
  /** The one invocation this environment holds; any other id gets 400 InvalidRequestID. */
  private current: Invocation | undefined;
  /** The runtime has asked for its first event: init is over, and `/init/error` is refused. */
  private initialized = false;

  constructor() {
    super();
    // Header and trailer limit of Go's HTTP server (RIE's), not Node's 16 KiB: the runtime's error
    // report carries the error's message and stack in its X-Ray cause header (or, streamed, in
    // its error trailer), which a long message takes past 16 KiB.
    this.server = http.createServer(
      { noDelay: true, highWaterMark: STREAM_HIGH_WATER_MARK, maxHeaderSize: RUNTIME_API_MAX_HEADER_BYTES },
      (req, res) => {
        try {
          this.route(req, res);
        } catch {
          req.resume();
          internalError(res);
        }
      },
    );
    // Unparseable HTTP gets Go's plain answer, as RIE's server gives it; the server keeps serving.
    this.server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
      if (socket.writable) socket.end(error.code === "HPE_HEADER_OVERFLOW" ? HEADERS_TOO_LARGE : BAD_REQUEST);
      else socket.destroy();
    });
    // The runtime keeps one connection for `/next` open indefinitely.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 0;
    this.server.keepAliveTimeout = 0;
  }

  /** Starts listening on loopback; returns `host:port` for AWS_LAMBDA_RUNTIME_API. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => resolve());
    });
    const { address, port } = this.server.address() as AddressInfo;
    return `${address}:${port}`;
  }

  /** Hands `request` to the runtime now if it is waiting on `/next`, or as soon as it asks. */
  invoke(request: InvocationRequest): Invocation {
    if (this.current && this.current.state !== "DONE") {
      throw new Error(`invocation ${this.current.request.requestId} is still running; one invocation at a time per environment`);
    }
    const invocation = new Invocation(request);
    this.current = invocation;
    if (this.waitingNext) {
      this.sendEvent(this.waitingNext, invocation);
      this.waitingNext = undefined;
    }
    return invocation;
  }

  /** Ends the current invocation from outside (timeout, process exit). */
  abort(error: FunctionError): void {
    const invocation = this.current;
    if (invocation && invocation.state !== "DONE") {
      invocation.complete({ error, truncated: invocation.state === "RESPONDING" });
    }
  }

  /** Stops the server and drops every connection. */
  async close(): Promise<void> {
    this.waitingNext?.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? "").split("?")[0];
    if (req.method === "GET" && path === RUNTIME_ROUTES.next) {
      this.handleNext(res);
      return;
    }
    if (req.method === "POST" && path === RUNTIME_ROUTES.initError) {
      this.handleInitError(req, res);
      return;
    }
    const match = req.method === "POST" ? RUNTIME_ROUTES.invocation.exec(path) : null;
    if (match) {
      const requestId = decodePathSegment(match[1]);
      if (requestId === undefined) {
        // Go's HTTP server (RIE's) refuses a path with a malformed escape before any route.
        req.resume();
        res.shouldKeepAlive = false;
        res.writeHead(400, { "content-type": "text/plain; charset=utf-8", connection: "close" });
        res.end("400 Bad Request");
        return;
      }
      if (match[2] === "response") {
        this.handleResponse(requestId, req, res);
      } else {
        this.handleError(requestId, req, res);
      }
      return;
    }
    req.resume();
    reply(res, 404, runtimeApiError("NotFound", `No route for ${req.method} ${path}`));
  }

  private handleNext(res: http.ServerResponse): void {
    this.initialized = true;
    // A repeated /next during a running invocation is tolerated (as RIE does) and held; it does not
    // end the invocation, so the function's timeout keeps running.
    this.waitingNext?.destroy();
    const invocation = this.current;
    const between = !invocation || invocation.state === "DONE";
    if (invocation && invocation.state === "QUEUED") {
      this.sendEvent(res, invocation);
    } else {
      this.waitingNext = res;
      res.on("close", () => {
        if (this.waitingNext === res) {
          this.waitingNext = undefined;
        }
      });
    }
    if (between) {
      this.emit("next");
    }
  }

  private sendEvent(res: http.ServerResponse, invocation: Invocation): void {
    const { request } = invocation;
    invocation.sent();
    res.writeHead(200, {
      "content-type": "application/json",
      "content-length": request.event.length,
      [NEXT_HEADERS.requestId]: request.requestId,
      [NEXT_HEADERS.deadline]: String(request.deadlineMs),
      [NEXT_HEADERS.functionArn]: request.functionArn,
      [NEXT_HEADERS.traceId]: request.traceId,
      ...(request.clientContext !== undefined ? { [NEXT_HEADERS.clientContext]: request.clientContext } : {}),
    });
    res.end(request.event);
  }

  /** The invocation `requestId` names, if it may still be answered; otherwise replies 400. */
  private answerable(requestId: string, req: http.IncomingMessage, res: http.ServerResponse): Invocation | undefined {
    const invocation = this.current;
    if (!invocation || invocation.request.requestId !== requestId || !invocation.answerable) {
      req.resume();
      reply(res, 400, runtimeApiError("InvalidRequestID", "Invalid request ID"));
      return undefined;
    }
    return invocation;
  }

  private handleResponse(requestId: string, req: http.IncomingMessage, res: http.ServerResponse): void {
    const invocation = this.answerable(requestId, req, res);
    if (!invocation) {
      return;
    }
    if (invocation.state !== "SENT") {
      refuseTransition(req, res, invocation, "RESPONDING");
      return;
    }
    const mode = req.headers[RESPONSE_MODE_HEADER];
    const contentType = req.headers["content-type"] ?? "application/octet-stream";
    if (mode === RESPONSE_MODE_STREAMING) {
      this.streamResponse(invocation, contentType, req, res);
      return;
    }
    if (mode !== undefined && mode !== RESPONSE_MODE_BUFFERED) {
      req.resume();
      invocation.reading();
      reply(res, 400, runtimeApiError("InvalidFunctionResponseMode", "Invalid function response mode"));
      invocation.complete({
        error: { errorType: "Runtime.InvalidResponseModeHeader", errorMessage: `Invalid ${RESPONSE_MODE_HEADER}: ${String(mode)}` },
      });
      return;
    }
    readAnswer(invocation, req, res, (body) => {
      invocation.respond({ kind: "buffered", contentType, body });
      invocation.complete({});
    });
  }

  private streamResponse(invocation: Invocation, contentType: string, req: http.IncomingMessage, res: http.ServerResponse): void {
    let ended = false;
    req.once("end", () => {
      ended = true;
      const error = readErrorTrailers(req.trailers);
      // The runtime waits for this 202 before it takes the next event: only after the last chunk.
      reply(res, 202, { status: "OK" });
      invocation.complete(error ? { error } : {});
    });
    req.once("close", () => {
      if (!ended) {
        invocation.complete({ error: truncatedError(), truncated: true });
      }
    });
    invocation.respond({ kind: "streaming", contentType, body: req });
  }

  private handleError(requestId: string, req: http.IncomingMessage, res: http.ServerResponse): void {
    const invocation = this.answerable(requestId, req, res);
    if (!invocation) {
      return;
    }
    if (invocation.state !== "SENT") {
      // Only valid before response bytes start; a streaming /response is already under way.
      refuseTransition(req, res, invocation, "INVOKE_ERROR");
      return;
    }
    readAnswer(invocation, req, res, (body) => invocation.complete({ error: parseErrorBody(body, req.headers[ERROR_TYPE_HEADER]) }));
  }

  private handleInitError(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.initialized) {
      // Init is over once the runtime asked for an event; RIE refuses the transition.
      req.resume();
      reply(res, 403, runtimeApiError("InvalidStateTransition", "State transition from READY to INIT_ERROR failed for runtime."));
      return;
    }
    readBody(req, MAX_BUFFERED_RESPONSE_BYTES)
      .then(
        (body) => {
          if (body === undefined) {
            refuseTooLarge(res);
            return;
          }
          reply(res, 202, { status: "OK" });
          const error = parseErrorBody(body, req.headers[ERROR_TYPE_HEADER]);
          this.emit("init-error", error);
          this.abort(error);
        },
        () => undefined,
      )
      .catch(() => internalError(res));
  }
}

/**
 * Reads a buffered `/response` or an `/error` body (the invocation's one answer has begun), then
 * answers the runtime 202 and hands the body to `accept`; over the payload limit, RIE's 413; a body
 * cut off, the invocation truncated.
 */
function readAnswer(invocation: Invocation, req: http.IncomingMessage, res: http.ServerResponse, accept: (body: Buffer) => void): void {
  invocation.reading();
  readBody(req, MAX_BUFFERED_RESPONSE_BYTES)
    .then(
      (body) => {
        if (body === undefined) {
          refuseTooLarge(res, invocation);
          return;
        }
        reply(res, 202, { status: "OK" });
        accept(body);
      },
      () => invocation.complete({ error: truncatedError(), truncated: true }),
    )
    .catch(() => internalError(res));
}

/** RIE's 403 for a call the invocation's state does not allow (an `/error` while a stream flows). */
function refuseTransition(req: http.IncomingMessage, res: http.ServerResponse, invocation: Invocation, to: string): void {
  req.resume();
  reply(res, 403, runtimeApiError("InvalidStateTransition", `State transition from ${invocation.state} to ${to} failed for runtime.`));
}

/** A failure inside the Runtime API itself: RIE's 500; the server keeps serving. */
function internalError(res: http.ServerResponse): void {
  reply(res, 500, runtimeApiError("InternalServerError", "Internal Server Error"));
}

/**
 * RIE's 413 for a body over the Runtime API's payload limit; the invocation, if any, then fails
 * with `Function.ResponseSizeTooLarge`.
 */
function refuseTooLarge(res: http.ServerResponse, invocation?: Invocation): void {
  const errorMessage = `Exceeded maximum allowed payload size (${MAX_BUFFERED_RESPONSE_BYTES} bytes).`;
  reply(res, 413, runtimeApiError("RequestEntityTooLarge", errorMessage));
  invocation?.complete({ error: { errorType: "Function.ResponseSizeTooLarge", errorMessage } });
}

/** The HTTP answer Go's server (RIE's) gives to a request it cannot parse. */
const BAD_REQUEST = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request";
/** Go's answer to headers over its limit. */
const HEADERS_TOO_LARGE =
  "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n431 Request Header Fields Too Large";

/** A percent-encoded path segment, decoded; undefined when an escape is malformed. */
function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) {
    return;
  }
  const payload = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(payload) });
  res.end(payload);
}
