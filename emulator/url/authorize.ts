// Who may call the Function URL: for AWS_IAM, a SigV4 signature by the key pair the server checks
// against (asked again once when it fails, for credentials that rotate), or the CloudFront
// distribution it plays; for NONE, anyone. A refusal is AWS's 403, its cause in the log only.

import type * as http from "node:http";
import { verifySigV4 } from "../auth/sigv4-verifier";
import type { KeyRing } from "../auth/verifier-credentials";
import { LOCAL_ACCOUNT_ID, URL_AUTH_DOCS } from "../common/constants";
import type { FunctionConfig } from "../common/function-config";
import type { LogSink } from "../common/log-sink";
import { authorizeAsDistribution } from "./cloudfront-origin";
import type { IamCaller } from "./event";
import { sendJson } from "./send";

/**
 * The caller of an AWS_IAM URL whose signature checks out, undefined for a NONE URL, or false
 * once a 403 has been sent.
 */
export async function authorize(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  headers: Record<string, string>,
  body: Buffer,
  fn: FunctionConfig,
  log: LogSink,
  keys: KeyRing,
  requestId: string,
): Promise<IamCaller | undefined | false> {
  if (fn.authType === "NONE") {
    return undefined;
  }
  if (fn.publicAccess === "cloudfront") {
    // The local URL plays the CloudFront distribution that signs for every caller.
    return authorizeAsDistribution({ method: req.method ?? "GET", headers, body }, res, log, requestId);
  }
  const credentials = keys.credentials;
  if (!credentials) {
    // Fail closed: an AWS_IAM URL with nothing to check signatures against serves no one.
    return refuse(
      res,
      log,
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
      log(`The AWS profile's credentials changed (now ${renewed.accessKeyId}); signatures are checked against them.`);
      verification = await verifySigV4(request, renewed, fn.region);
    }
  }
  if (!verification.ok) {
    return refuse(res, log, requestId, verification.reason);
  }
  return {
    accessKey: verification.accessKey,
    accountId: LOCAL_ACCOUNT_ID,
    userArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:user/local`,
    userId: verification.accessKey,
  };
}

/** AWS's 403 for a request that fails authorization, with the reason in the log only; false. */
export function refuse(res: http.ServerResponse, log: LogSink, requestId: string, reason: string): false {
  log(`403 for RequestId: ${requestId}: ${reason}`);
  sendJson(
    res,
    403,
    { Message: `Forbidden. For troubleshooting Function URL authorization issues, see: ${URL_AUTH_DOCS}` },
    "AccessDeniedException",
  );
  return false;
}
