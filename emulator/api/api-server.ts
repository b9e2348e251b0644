// The local Lambda API, the function's second door (the first is its Function URL): Invoke and
// InvokeWithResponseStream as the AWS SDK and the AWS CLI call them, always SigV4-signed for
// service `lambda`, as on AWS. It reads as route → auth → payload → invoke → answer; the answers
// are in invoke-answer.ts (Invoke) and stream-answer.ts (event-stream frames).
// @see https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
// @see https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStream.html

import { randomUUID } from "node:crypto";
import * as http from "node:http";
import type { VerifierCredentials } from "../auth/sigv4-signature";
import { verifySigV4 } from "../auth/sigv4-verifier";
import { KeyRing } from "../auth/verifier-credentials";
import { logWhenClosed } from "../common/access-log";
import {
  LOCAL_ACCOUNT_ID,
  MAX_DRAINED_REQUEST_BYTES,
  MAX_REQUEST_BODY_BYTES,
  MAX_REQUEST_HEADER_BYTES,
  STREAM_HIGH_WATER_MARK,
} from "../common/constants";
import type { FunctionConfig } from "../common/function-config";
import type { LogSink } from "../common/log-sink";
import { isAllowedHost } from "../common/loopback";
import { readBody } from "../common/read-body";
import { joinHeaders } from "../common/request-headers";
import { LAMBDA_RESPONSE_LIMITS, type ResponseLimits } from "../invocation/response-limiter";
import type { Invoke, RunningInvocation } from "../invocation/running-invocation";
import { newTraceId } from "../invocation/trace-id";
import { sendApiError, signatureError } from "./api-errors";
import { matchFunctionName } from "./function-name";
import { answerInvoke } from "./invoke-answer";
import { streamInvocation } from "./stream-answer";

export interface LambdaApiServerOptions {
  /** The function as it is now (watch mode may change it while serving). */
  readonly currentFunction: () => FunctionConfig;
  readonly invoke: Invoke;
  /** Signatures are checked against these (the API is always signed). */
  readonly credentials: VerifierCredentials;
  /** Asked again after a failed signature, when the credentials can rotate (an AWS profile). */
  readonly renewCredentials?: () => Promise<VerifierCredentials | undefined>;
  /** @default LAMBDA_RESPONSE_LIMITS */
  readonly limits?: ResponseLimits;
  /** As the Function URL's: for a server bound to loopback, the Host names it answers to. */
  readonly allowedHostNames?: readonly string[];
  readonly log: LogSink;
}

/** The two operations, by path. */
const ROUTES = [
  { operation: "InvokeWithResponseStream", path: /^\/2021-11-15\/functions\/([^/]+)\/response-streaming-invocations$/ },
  { operation: "Invoke", path: /^\/2015-03-31\/functions\/([^/]+)\/invocations$/ },
] as const;

/** An asynchronous (Event) invocation's payload limit. @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html */
const MAX_ASYNC_PAYLOAD_BYTES = 1024 * 1024;

/** Creates (does not start) the local Lambda API server. */
export function createLambdaApiServer(options: LambdaApiServerOptions): http.Server {
  const keys = new KeyRing(options.credentials, options.renewCredentials);
  const server = http.createServer(
    { noDelay: true, maxHeaderSize: MAX_REQUEST_HEADER_BYTES, highWaterMark: STREAM_HIGH_WATER_MARK },
    (req, res) => {
      handleRequest(req, res, options, keys).catch((error: Error) => {
        options.log(`local Lambda API: internal error: ${error.stack ?? error.message}`);
        sendApiError(res, 500, "ServiceException", "Internal Server Error");
      });
    },
  );
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    else socket.destroy();
  });
  return server;
}

async function handleRequest(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  options: LambdaApiServerOptions,
  keys: KeyRing,
): Promise<void> {
  const { log } = options;
  const fn = options.currentFunction();
  const requestId = randomUUID();
  logWhenClosed(req, res, requestId, log);
  res.setHeader("x-amzn-RequestId", requestId);
  const refuse = (status: number, errorType: string, message: string, reason: string = message): void => {
    log(`Lambda API ${status} ${errorType} for RequestId: ${requestId}: ${reason}`);
    req.resume();
    sendApiError(res, status, errorType, message);
  };
  if (options.allowedHostNames && req.headers.host !== undefined && !isAllowedHost(req.headers.host, options.allowedHostNames)) {
    return refuse(403, "AccessDeniedException", "Forbidden", `Host ${JSON.stringify(req.headers.host)} is not a loopback name`);
  }
  const [rawPath, rawQuery = ""] = (req.url ?? "/").split("?", 2);
  const route = ROUTES.map((r) => ({ ...r, match: r.path.exec(rawPath) })).find((r) => r.match);
  if (!route?.match || req.method !== "POST") {
    return refuse(404, "UnknownOperationException", "Unknown operation", `no Lambda API operation at ${req.method} ${rawPath}`);
  }
  let name: string;
  try {
    name = decodeURIComponent(route.match[1]);
  } catch {
    name = route.match[1];
  }
  const qualifier = new URLSearchParams(rawQuery).get("Qualifier") ?? undefined;

  if (Number(req.headers["content-length"] ?? 0) > MAX_REQUEST_BODY_BYTES) {
    // Refused before it is read; the connection closes once the answer is out.
    res.setHeader("connection", "close");
    return refuse(
      413,
      "RequestTooLargeException",
      `Request must be smaller than ${MAX_REQUEST_BODY_BYTES} bytes for the InvokeFunction operation`,
    );
  }
  // A body that goes on far past the limit (chunked, no length declared) is not read to its end.
  let seen = 0;
  req.on("data", (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > MAX_DRAINED_REQUEST_BYTES) req.destroy();
  });
  const body = await readBody(req, MAX_REQUEST_BODY_BYTES).catch(() => null);
  if (body === null) return;
  const headers = joinHeaders(req.rawHeaders);
  const credentials = keys.credentials as VerifierCredentials;
  const signed = { method: req.method ?? "POST", url: req.url ?? "/", headers, body: body ?? Buffer.alloc(0) };
  let verification = await verifySigV4(signed, credentials, fn.region);
  if (!verification.ok) {
    const renewed = await keys.renew();
    if (renewed) verification = await verifySigV4(signed, renewed, fn.region);
  }
  if (!verification.ok) {
    const { errorType, message } = signatureError(verification.failure);
    return refuse(403, errorType, message, verification.reason);
  }
  const named = matchFunctionName({ functionName: fn.functionName, region: fn.region, accountId: LOCAL_ACCOUNT_ID }, name, qualifier);
  if (!named.ok) {
    return refuse(named.status, named.errorType, named.message);
  }
  if (body === undefined || body.length > MAX_REQUEST_BODY_BYTES) {
    return refuse(
      413,
      "RequestTooLargeException",
      `Request must be smaller than ${MAX_REQUEST_BODY_BYTES} bytes for the InvokeFunction operation`,
    );
  }
  const invocationType = headers["x-amz-invocation-type"] ?? "RequestResponse";
  const allowedTypes = route.operation === "Invoke" ? ["RequestResponse", "Event", "DryRun"] : ["RequestResponse", "DryRun"];
  if (!allowedTypes.includes(invocationType)) {
    return refuse(
      400,
      "ValidationException",
      `1 validation error detected: Value '${invocationType}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [${allowedTypes.join(", ")}]`,
    );
  }
  const logType = headers["x-amz-log-type"] ?? "None";
  if (logType !== "None" && logType !== "Tail") {
    return refuse(
      400,
      "ValidationException",
      `1 validation error detected: Value '${logType}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]`,
    );
  }
  const clientContext = decodeClientContext(headers["x-amz-client-context"]);
  if (clientContext === false) {
    return refuse(400, "InvalidRequestContentException", "Client context must be a valid Base64-encoded JSON object.");
  }
  const event = body.length === 0 ? Buffer.from("{}") : body;
  try {
    JSON.parse(event.toString("utf8"));
  } catch (error) {
    return refuse(400, "InvalidRequestContentException", `Could not parse request body into json: ${(error as Error).message}`);
  }
  if (invocationType === "DryRun") {
    // The caller may invoke; nothing runs.
    res.writeHead(204, { "x-amz-executed-version": "$LATEST" });
    res.end();
    return;
  }
  if (invocationType === "Event" && event.length > MAX_ASYNC_PAYLOAD_BYTES) {
    return refuse(
      413,
      "RequestTooLargeException",
      `Request must be smaller than ${MAX_ASYNC_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
    );
  }

  // An Event invocation runs on after the 202; a synchronous one stops waiting when its caller leaves.
  const clientGone = new AbortController();
  if (invocationType !== "Event") res.once("close", () => clientGone.abort());
  const invocation = options.invoke(event, {
    requestId,
    traceId: newTraceId(),
    ...(invocationType === "Event" ? {} : { signal: clientGone.signal }),
    ...(clientContext !== undefined ? { clientContext } : {}),
  });
  if (invocationType === "Event") {
    res.writeHead(202, { "content-length": "0" });
    res.end();
    void drainInBackground(invocation, log);
    return;
  }
  // Refused (throttled), or its caller left while it waited: answered before any stream begins.
  const response = await invocation.response;
  if (response.kind === "throttled") {
    return refuse(429, "TooManyRequestsException", "Rate Exceeded.", response.reason);
  }
  if (response.kind === "abandoned") {
    return;
  }
  const tail = logType === "Tail";
  if (route.operation === "Invoke") {
    await answerInvoke(res, invocation, tail);
  } else {
    await streamInvocation({ res, limits: options.limits ?? LAMBDA_RESPONSE_LIMITS, log, requestId, tail }, invocation);
  }
}

/**
 * An Event invocation's answer goes nowhere: its stream is read and dropped, so the function runs
 * to its end. One the pool refuses is dropped, and logged: AWS would queue it and retry.
 */
async function drainInBackground(invocation: RunningInvocation, log: LogSink): Promise<void> {
  const response = await invocation.response;
  if (response.kind === "streaming") response.body.resume();
  if (response.kind === "throttled") {
    log(
      `Lambda API Event for RequestId: ${invocation.requestId} dropped, not run: ${response.reason} (AWS queues an asynchronous invocation and retries it)`,
    );
  }
}

/** Client context may be up to 3,583 bytes of base64. @see https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#lambda-Invoke-request-ClientContext */
const MAX_CLIENT_CONTEXT_BYTES = 3583;

/** X-Amz-Client-Context: base64 of a JSON object, decoded; undefined when absent, false when not valid. */
function decodeClientContext(header: string | undefined): string | undefined | false {
  if (header === undefined) return undefined;
  if (header.length > MAX_CLIENT_CONTEXT_BYTES || !/^[A-Za-z0-9+/]*={0,2}$/.test(header)) return false;
  const text = Buffer.from(header, "base64").toString("utf8");
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? text : false;
  } catch {
    return false;
  }
}
