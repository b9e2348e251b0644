// The Lambda Runtime API for one execution environment: the HTTP server its runtime process
// (aws-lambda-ric) long-polls for events and posts results to. It holds one invocation at a time
// and answers misuse with the status codes and error bodies RIE gives (docs/streaming-protocol.md, section 1).
// @see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html

import { EventEmitter } from "node:events";
import * as http from "node:http";
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
import { listen } from "../common/listen";
import type { LogSink } from "../common/log-sink";
import { readBody } from "../common/read-body";
import { parseErrorBody, readErrorTrailers, runtimeApiError, truncatedError } from "./error-body";
import { Invocation, type InvocationRequest } from "./invocation";
import { BAD_REQUEST, HEADERS_TOO_LARGE, internalError, readAnswer, refuseTooLarge, refuseTransition, reply } from "./runtime-replies";

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

  /** `log` hears of a server error once it listens (an accept that fails); the server keeps serving. */
  constructor(private readonly log: LogSink) {
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
    // Once it listens, a server error (an accept that fails) is logged, never swallowed or fatal.
    this.server.once("listening", () => this.server.on("error", (error: Error) => this.log(`Runtime API: server error: ${error.message}`)));
  }

  /** Starts listening on loopback; returns `host:port` for AWS_LAMBDA_RUNTIME_API. */
  async listen(): Promise<string> {
    const host = "127.0.0.1";
    return `${host}:${await listen(this.server, 0, host)}`;
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

/** A percent-encoded path segment, decoded; undefined when an escape is malformed. */
function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
