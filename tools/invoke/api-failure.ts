// What a failed InvokeWithResponseStream call means, in one line that says what to do: the AWS
// SDK's exception (by its name, the error code Lambda answered with) or a network error.
// @see https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStream.html#API_InvokeWithResponseStream_Errors

import { LOCAL_URL_RECORD_FILE } from "../../support/local-url-record";
import type { ApiTarget } from "./lambda-api-target";

/** An SDK service exception's parts this reads. */
interface SdkError {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** Errors a connection gives before any answer: nothing listens, no such host, no route. */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH"]);

/** The 403s of a signature that does not check out. */
const SIGNATURE_ERRORS = new Set(["InvalidSignatureException", "UnrecognizedClientException", "IncompleteSignatureException"]);

/** One line for a failed call to `target`. */
export function explainApiFailure(error: unknown, target: ApiTarget): string {
  const { name = "Error", message = String(error), $metadata } = (error ?? {}) as SdkError;
  // The SDK's retry layer may wrap an error in a new one whose message alone keeps the code.
  const code = (error as SdkError | undefined)?.code ?? [...NETWORK_CODES].find((c) => new RegExp(`\\b${c}\\b`).test(message));
  const status = $metadata?.httpStatusCode;
  const what = `${name}${status ? ` (${status})` : ""}: ${message}`;
  const local = target.local;
  if (code !== undefined && NETWORK_CODES.has(code)) {
    return local
      ? unreachableLocalApi(target, code)
      : `Cannot reach the Lambda API in ${target.region} (${code}): check the network, and the stack's region output.`;
  }
  if (name === "ResourceNotFoundException") {
    return local
      ? `The local Lambda API at ${target.endpoint} serves no function ${target.functionName} (${what}). Pass --function-name with the name npm start's "Local Lambda API" line shows.`
      : `Lambda has no function ${target.functionName} in ${target.region} in these credentials' account (${what}). Deploy it with \`npm run deploy\`, or sign with the account it is deployed to (AWS_PROFILE).`;
  }
  if (name === "TooManyRequestsException") {
    return local
      ? `Throttled (${what}): every execution environment is busy and the queue is full, or the function's reserved concurrency is in use. Try again once calls in flight finish, or start npm start with more --max-environments.`
      : `Throttled (${what}): the function's reserved concurrency (or the account's) is in use. Try again, or raise RESERVED_CONCURRENCY.`;
  }
  if (SIGNATURE_ERRORS.has(name)) {
    return local
      ? `The local Lambda API refused the signature (${what}); its terminal logs why (Lambda API 403 … for RequestId: …). It checks against the pair npm start named when it started (its shell's, its AWS profile's, or one made for the run): sign with that one.`
      : `AWS refused the signature (${what}). Check that the credentials are current (sign in again, as \`aws sso login\` does) and this machine's clock.`;
  }
  if (name === "ExpiredTokenException") {
    return `The credentials have expired (${what}): sign in again (as \`aws sso login\` does), or refresh AWS_SESSION_TOKEN.`;
  }
  if (name === "AccessDeniedException" && !local) {
    return `AWS denied the call (${what}). Attach the stack's invoker_policy_arn output to these credentials (it allows lambda:InvokeFunction): see the README, "Who may call it".`;
  }
  if (name === "RequestTooLargeException") {
    return `The payload is over Lambda's 6 MB limit for a synchronous call (${what}): send a smaller --payload.`;
  }
  return local
    ? `The local Lambda API at ${target.endpoint} answered ${what}; its terminal logs why.`
    : `InvokeWithResponseStream failed for ${target.functionName} in ${target.region}: ${what}.`;
}

/** Why the local Lambda API cannot be reached, and what to do: start one. */
export function unreachableLocalApi(target: ApiTarget, code: string): string {
  const local = target.local;
  const what = local?.recorded
    ? `The local Lambda API that npm start (pid ${local.recorded.pid}) recorded in ${LOCAL_URL_RECORD_FILE}, ${target.endpoint}, does not answer (${code}).`
    : local && local.stale.length > 0
      ? `No local Lambda API is running: the npm start that ${LOCAL_URL_RECORD_FILE} named is gone (its stale entry is removed), and nothing answers at ${target.endpoint} (${code}).`
      : `No local Lambda API is running: none is recorded in ${LOCAL_URL_RECORD_FILE}, and nothing answers at ${target.endpoint} (${code}).`;
  return `${what} Start one with \`npm start\` (in another terminal).`;
}
