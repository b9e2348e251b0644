// Who may call the Function URL: for AWS_IAM, a SigV4 signature by the key pair the server checks
// against (asked again once when it fails, for credentials that rotate), or the CloudFront
// distribution it plays; for NONE, anyone its resource-based policy lets in (everyone, locally,
// unless the URL was deployed into the local AWS). A refusal is AWS's 403, its cause in the log only.

import type * as http from "node:http";
import type { KeyRing } from "../auth/verifier-credentials";
import { LOCAL_ACCOUNT_ID, URL_AUTH_DOCS } from "../common/constants";
import type { FunctionConfig } from "../common/function-config";
import { type Door, refuse } from "../door/door";
import { checkSignature, type RequestInput } from "../door/request-input";
import { authorizeAsDistribution } from "./cloudfront-origin";
import type { IamCaller } from "./event";

/**
 * The caller of an AWS_IAM URL whose signature checks out, undefined for a NONE URL its policy
 * opens to everyone, or false once a 403 has been sent. `publicAccessRefusal` says why a NONE
 * URL's policy does not (undefined: it does).
 */
export async function authorize(
  door: Door,
  keys: KeyRing,
  request: { readonly req: http.IncomingMessage; readonly res: http.ServerResponse; readonly requestId: string },
  input: RequestInput,
  fn: FunctionConfig,
  publicAccessRefusal?: () => string | undefined,
): Promise<IamCaller | undefined | false> {
  const { req, res, requestId } = request;
  if (fn.authType === "NONE") {
    const refusal = publicAccessRefusal?.();
    return refusal === undefined ? undefined : forbidden(door, res, requestId, refusal);
  }
  if (fn.publicAccess === "cloudfront") {
    // The local URL plays the CloudFront distribution that signs for every caller.
    return authorizeAsDistribution({ method: req.method ?? "GET", ...input }, res, door, requestId);
  }
  if (!keys.credentials) {
    // Fail closed: an AWS_IAM URL with nothing to check signatures against serves no one.
    return forbidden(
      door,
      res,
      requestId,
      `the URL's auth type is ${fn.authType}, and the server has no credentials to check signatures against`,
    );
  }
  const verification = await checkSignature(door, keys, { method: req.method ?? "GET", url: req.url ?? "/", input }, fn.region);
  if (!verification.ok) {
    return forbidden(door, res, requestId, verification.reason);
  }
  return {
    accessKey: verification.accessKey,
    accountId: LOCAL_ACCOUNT_ID,
    userArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:user/local`,
    userId: verification.accessKey,
  };
}

/** AWS's 403 for a request that fails authorization, with the reason in the log only; false. */
function forbidden(door: Door, res: http.ServerResponse, requestId: string, reason: string): false {
  refuse(door, res, requestId, {
    status: 403,
    errorType: "AccessDeniedException",
    message: `Forbidden. For troubleshooting Function URL authorization issues, see: ${URL_AUTH_DOCS}`,
    reason,
  });
  return false;
}
