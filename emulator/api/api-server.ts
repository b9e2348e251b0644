// The local Lambda API, the function's second door (the first is its Function URL): Invoke and
// InvokeWithResponseStream as the AWS SDK and the AWS CLI call them, always SigV4-signed for
// service `lambda`, as on AWS. It reads as route → auth → payload → invoke → answer; the answers
// are in invoke-answer.ts (Invoke) and stream-answer.ts (event-stream frames).
// @see https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
// @see https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStream.html

import type * as http from "node:http";
import { credentialScopeOf } from "../auth/credential-scope";
import { signatureError } from "../auth/signature-errors";
import type { VerifierCredentials } from "../auth/sigv4-signature";
import type { SigningAdvice } from "../auth/sigv4-verifier";
import { KeyRing } from "../auth/verifier-credentials";
import { LOCAL_ACCOUNT_ID } from "../common/constants";
import type { FunctionConfig } from "../common/function-config";
import type { LogSink } from "../common/log-sink";
import { type Door, refuse, requestTooLarge, withSigning } from "../door/door";
import { checkSignature, readRequestInput } from "../door/request-input";
import { createDoorServer } from "../door/server";
import { LAMBDA_RESPONSE_LIMITS, type ResponseLimits } from "../invocation/response-limiter";
import type { Invoke, RunningInvocation } from "../invocation/running-invocation";
import { newTraceId } from "../invocation/trace-id";
import { lambdaApiDoor } from "./api-errors";
import { matchFunctionName, type NameRefusal } from "./function-name";
import { answerInvoke } from "./invoke-answer";
import { streamInvocation } from "./stream-answer";

/** A function the API found, and how to run it. */
export interface FoundFunction {
  readonly ok: true;
  readonly fn: FunctionConfig;
  readonly invoke: Invoke;
}

/** What the API serves: one function (npm start), or every function deployed into the local AWS. */
export interface ApiFunctions {
  /** The Region a request's signature is checked for, given the one its credential scope names. */
  signingRegion(scopeRegion: string | undefined): string;
  /** The function `name` (a name, ARN or partial ARN) and `qualifier` name in `region`; or why none. */
  find(name: string, qualifier: string | undefined, region: string): FoundFunction | NameRefusal;
}

/** The API of `npm start`: the one function it serves (as it is now: watch mode may change it), in its Region. */
export function servedFunction(current: () => FunctionConfig, invoke: Invoke): ApiFunctions {
  return {
    signingRegion: () => current().region,
    find(name, qualifier) {
      const fn = current();
      const named = matchFunctionName({ functionName: fn.functionName, region: fn.region, accountId: LOCAL_ACCOUNT_ID }, name, qualifier);
      return named.ok ? { ok: true, fn, invoke } : named;
    },
  };
}

export interface LambdaApiServerOptions {
  readonly functions: ApiFunctions;
  /** Signatures are checked against these (the API is always signed). */
  readonly credentials: VerifierCredentials;
  /** Asked again after a failed signature, when the credentials can rotate (an AWS profile). */
  readonly renewCredentials?: () => Promise<VerifierCredentials | undefined>;
  /** @default LAMBDA_RESPONSE_LIMITS */
  readonly limits?: ResponseLimits;
  /** As the Function URL's: for a server bound to loopback, the Host names it answers to. */
  readonly allowedHostNames?: readonly string[];
  /** How its 403 log lines name the signing advice, where npm start's words are not true (the local AWS's endpoint). */
  readonly signing?: Partial<SigningAdvice>;
  readonly log: LogSink;
}

/** The two operations, by path. */
const ROUTES = [
  { operation: "InvokeWithResponseStream", path: /^\/2021-11-15\/functions\/([^/]+)\/response-streaming-invocations$/ },
  { operation: "Invoke", path: /^\/2015-03-31\/functions\/([^/]+)\/invocations$/ },
] as const;

/** An asynchronous (Event) invocation's payload limit. @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html */
const MAX_ASYNC_PAYLOAD_BYTES = 1024 * 1024;

/** Whether `path` is one of the API's operations (the local AWS hands these to the API). */
export function isInvokePath(path: string): boolean {
  return ROUTES.some((route) => route.path.test(path));
}

/** A request handler for the API's two operations, for a server of its own or one it shares. */
export function lambdaApiHandler(
  options: Omit<LambdaApiServerOptions, "allowedHostNames">,
): (req: http.IncomingMessage, res: http.ServerResponse, requestId: string) => Promise<void> {
  const keys = new KeyRing(options.credentials, options.renewCredentials);
  const door = withSigning(lambdaApiDoor(options.log), options.signing);
  return (req, res, requestId) => handleRequest(req, res, requestId, { options, door, keys });
}

/** Creates (does not start) the local Lambda API server. */
export function createLambdaApiServer(options: LambdaApiServerOptions): http.Server {
  return createDoorServer({
    door: lambdaApiDoor(options.log),
    ...(options.allowedHostNames ? { allowedHostNames: options.allowedHostNames } : {}),
    handle: lambdaApiHandler(options),
  });
}

async function handleRequest(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  requestId: string,
  { options, door, keys }: { readonly options: LambdaApiServerOptions; readonly door: Door; readonly keys: KeyRing },
): Promise<void> {
  const { log } = options;
  const refuseWith = (status: number, errorType: string, message: string, reason: string = message): void => {
    req.resume();
    refuse(door, res, requestId, { status, errorType, message, reason });
  };
  const [rawPath, rawQuery = ""] = (req.url ?? "/").split("?", 2);
  const route = ROUTES.map((r) => ({ ...r, match: r.path.exec(rawPath) })).find((r) => r.match);
  if (!route?.match || req.method !== "POST") {
    return refuseWith(404, "UnknownOperationException", "Unknown operation", `no Lambda API operation at ${req.method} ${rawPath}`);
  }
  let name: string;
  try {
    name = decodeURIComponent(route.match[1]);
  } catch {
    name = route.match[1];
  }
  const qualifier = new URLSearchParams(rawQuery).get("Qualifier") ?? undefined;
  // Over 6 MB is refused before the signature is checked, as on AWS: a body cut off at the limit
  // would otherwise be blamed on the key.
  const input = await readRequestInput(door, req, res, requestId);
  if (!input) {
    return;
  }
  const { headers, body } = input;
  const region = options.functions.signingRegion(credentialScopeOf(headers.authorization)?.region);
  const verification = await checkSignature(door, keys, { method: req.method ?? "POST", url: req.url ?? "/", input }, region);
  if (!verification.ok) {
    const { errorType, message } = signatureError(verification.failure);
    return refuseWith(403, errorType, message, verification.reason);
  }
  const found = options.functions.find(name, qualifier, region);
  if (!found.ok) {
    return refuseWith(found.status, found.errorType, found.message);
  }
  const invocationType = headers["x-amz-invocation-type"] ?? "RequestResponse";
  const allowedTypes = route.operation === "Invoke" ? ["RequestResponse", "Event", "DryRun"] : ["RequestResponse", "DryRun"];
  if (!allowedTypes.includes(invocationType)) {
    return refuseWith(
      400,
      "ValidationException",
      `1 validation error detected: Value '${invocationType}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [${allowedTypes.join(", ")}]`,
    );
  }
  const logType = headers["x-amz-log-type"] ?? "None";
  if (logType !== "None" && logType !== "Tail") {
    return refuseWith(
      400,
      "ValidationException",
      `1 validation error detected: Value '${logType}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]`,
    );
  }
  const clientContext = decodeClientContext(headers["x-amz-client-context"]);
  if (clientContext === false) {
    return refuseWith(400, "InvalidRequestContentException", "Client context must be a valid Base64-encoded JSON object.");
  }
  const event = body.length === 0 ? Buffer.from("{}") : body;
  try {
    JSON.parse(event.toString("utf8"));
  } catch (error) {
    return refuseWith(400, "InvalidRequestContentException", `Could not parse request body into json: ${(error as Error).message}`);
  }
  if (invocationType === "DryRun") {
    // The caller may invoke; nothing runs.
    res.writeHead(204, { "x-amz-executed-version": "$LATEST" });
    res.end();
    return;
  }
  if (invocationType === "Event" && event.length > MAX_ASYNC_PAYLOAD_BYTES) {
    const tooLarge = requestTooLarge(MAX_ASYNC_PAYLOAD_BYTES);
    return refuseWith(tooLarge.status, tooLarge.errorType, tooLarge.message);
  }

  // An Event invocation runs on after the 202; a synchronous one stops waiting when its caller leaves.
  const clientGone = new AbortController();
  if (invocationType !== "Event") res.once("close", () => clientGone.abort());
  const invocation = found.invoke(event, {
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
    return refuseWith(429, "TooManyRequestsException", "Rate Exceeded.", response.reason);
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
