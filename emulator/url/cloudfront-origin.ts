// Plays the CloudFront distribution that PUBLIC_ACCESS=cloudfront puts in front of the AWS_IAM URL:
// CloudFront's origin access control signs every request for the caller, so unsigned requests are
// served; but a POST or PUT must carry x-amz-content-sha256 (the body's SHA-256), or Lambda refuses it.
// @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-lambda.html

import { createHash } from "node:crypto";
import type * as http from "node:http";
import { LOCAL_ACCOUNT_ID } from "../common/constants";
import { type Door, sendErrorBody } from "../door/door";
import type { IamCaller } from "./event";

/** AWS's page for the rule, named in the log line. */
const OAC_LAMBDA_DOCS =
  "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-lambda.html";

/**
 * The methods whose body the caller must hash: "If you use PUT or POST methods with your Lambda
 * function URL, your users must compute the SHA256 of the body and include the payload hash value
 * of the request body in the x-amz-content-sha256 header ... Lambda doesn't support unsigned
 * payloads." (OAC_LAMBDA_DOCS)
 */
const METHODS_NEEDING_PAYLOAD_HASH: readonly string[] = ["POST", "PUT"];

/**
 * Who the function sees as the signer. On AWS it is CloudFront's signing identity, which AWS does
 * not document; locally, an identity that says what it stands for (README, Local vs AWS).
 */
export const LOCAL_CLOUDFRONT_CALLER: IamCaller = {
  accessKey: "LOCALCLOUDFRONTOAC",
  accountId: LOCAL_ACCOUNT_ID,
  userArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:user/local-cloudfront-oac`,
  userId: "LOCALCLOUDFRONTOAC",
};

/**
 * What a caller sees when Lambda refuses CloudFront's signature: Lambda's 403 for a signature that
 * does not match, passed through by CloudFront. AWS documents the rule, not this answer; the body
 * is the one reported for a Function URL given an unsigned payload
 * (https://repost.aws/questions/QUPuq7VvHJRwWxVA3XJIgNKQ), and the error type the one reported for
 * an OAC POST without the header (https://isseikuzuki.co.uk/writing/sse-streaming-from-lambda/).
 */
export const SIGNATURE_MISMATCH = {
  status: 403,
  errorType: "InvalidSignatureException",
  body: {
    message:
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
  },
} as const;

/** The parts of a viewer's request the distribution's signature depends on; header names lower-cased. */
export interface ViewerRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export type DistributionVerdict = { readonly ok: true; readonly caller: IamCaller } | { readonly ok: false; readonly reason: string };

/** The hex SHA-256 of `body`: what x-amz-content-sha256 must say. */
export function payloadHash(body: Buffer | string): string {
  return createHash("sha256").update(body).digest("hex");
}

/**
 * What CloudFront and Lambda make of a viewer's request: signed on the viewer's behalf (whatever
 * Authorization it sent, as `signing_behavior = always` does), or refused, with the reason and the fix.
 */
export function passThroughDistribution(request: ViewerRequest): DistributionVerdict {
  const method = request.method.toUpperCase();
  const declared = request.headers["x-amz-content-sha256"];
  if (declared === undefined) {
    if (METHODS_NEEDING_PAYLOAD_HASH.includes(method)) {
      return {
        ok: false,
        reason:
          `a ${method} through CloudFront (PUBLIC_ACCESS=cloudfront) must carry x-amz-content-sha256, the hex SHA-256 of its body: ` +
          "CloudFront signs the request for the AWS_IAM URL with that value, and Lambda accepts no unsigned payload. " +
          `Add -H "x-amz-content-sha256: ${payloadHash(request.body)}" for this body (sha256sum, or shasum -a 256, of the exact bytes sent); see ${OAC_LAMBDA_DOCS}`,
      };
    }
    return { ok: true, caller: LOCAL_CLOUDFRONT_CALLER };
  }
  const actual = payloadHash(request.body);
  if (declared !== actual) {
    return {
      ok: false,
      reason:
        `x-amz-content-sha256 is ${JSON.stringify(declared)}, but the body's SHA-256 is ${actual}: CloudFront signs with the header's value, ` +
        "so Lambda's check of the signature fails; hash exactly the bytes sent (no trailing newline), in lower-case hex",
    };
  }
  return { ok: true, caller: LOCAL_CLOUDFRONT_CALLER };
}

/**
 * The local URL's authorization in this mode: the caller of an accepted request, or false once
 * the 403 has been sent and the reason logged.
 */
export function authorizeAsDistribution(
  request: ViewerRequest,
  res: http.ServerResponse,
  door: Door,
  requestId: string,
): IamCaller | false {
  const verdict = passThroughDistribution(request);
  if (verdict.ok) {
    return verdict.caller;
  }
  // The door's own log line; the body is CloudFront's shape (`message`), not the URL's (`Message`).
  door.log(door.refusalLine(SIGNATURE_MISMATCH.status, SIGNATURE_MISMATCH.errorType, requestId, verdict.reason));
  sendErrorBody(res, SIGNATURE_MISMATCH.status, SIGNATURE_MISMATCH.errorType, JSON.stringify(SIGNATURE_MISMATCH.body));
  return false;
}

/** A POST the local URL (and the distribution) accepts: a small body and its hash, for the start line and the README. */
export function hashedPostCommand(url: string): string {
  const body = "{}";
  return `curl -N --data '${body}' -H "x-amz-content-sha256: ${payloadHash(body)}" ${url}`;
}
