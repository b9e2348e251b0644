// Checks the SigV4 signature of a request to an AWS_IAM Function URL or to the Lambda API. The signature is
// recomputed from the caller's own SignedHeaders with the parts of Smithy's signer (the one inside
// the AWS SDK for JavaScript): its canonical path and query, header normalization, payload hash,
// string to sign and signing key; then compared in constant time. A failure is logged with its
// most likely cause, found by checking each one.
// @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html

import { createHash } from "node:crypto";
import { diagnoseMismatch } from "./sigv4-diagnosis";
import { SIGV4_SERVICE, type SignedRequest, type Signing, sameSignature, signatureOf, type VerifierCredentials } from "./sigv4-signature";

/**
 * Why a signature was refused, as AWS's error types tell it apart: not signed at all, a malformed
 * Authorization header, a key id the server does not know, a signing time too far away, or a
 * signature that does not match.
 */
export type VerificationFailure = "unsigned" | "malformed" | "unknown-key" | "expired" | "mismatch";

export type Verification =
  | { readonly ok: true; readonly accessKey: string }
  | { readonly ok: false; readonly failure: VerificationFailure; readonly reason: string };

/** AWS rejects a request whose time is more than 5 minutes away from its own. */
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]*)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * How a door explains its refusals: why it wants a signature, and what signs as it expects. A
 * Function URL wants one because its auth type is AWS_IAM (curl, as npm start prints it); the
 * Lambda API always does (the AWS SDK or CLI, as npm start prints it).
 */
export interface SigningAdvice {
  /** What is called, as the log names it: "this URL", "the Lambda API". */
  readonly target: string;
  /** Why it must be signed: "the URL's auth type is AWS_IAM". */
  readonly required: string;
  /** A way to sign for `region` that works as printed: curl's --aws-sigv4, or the AWS CLI. */
  signWith(region: string): string;
  /** The project's command that signs as the server expects: "npm run invoke -- --local". */
  readonly invokeCommand: string;
  /** The service the signature's scope must name. @default SIGV4_SERVICE ("lambda") */
  readonly service?: string;
  /** Who named the pair it checks, and where it came from. @default npm start's words */
  readonly pairNamedBy?: string;
}

/** Where npm start's pair comes from, as a refusal names it. */
const NPM_START_PAIR = "the pair npm start named when it started (its shell's, its AWS profile's, or one made for the run)";

/**
 * Verifies `request` against `credentials` for `region`. Every failure says its most likely
 * cause and what to do, in `advice`'s words for the door it came through, for the server's log;
 * the caller only ever sees AWS's 403.
 */
export async function verifySigV4(
  request: SignedRequest,
  credentials: VerifierCredentials,
  region: string,
  advice: SigningAdvice,
  now: Date = new Date(),
): Promise<Verification> {
  const { invokeCommand } = advice;
  const service = advice.service ?? SIGV4_SERVICE;
  const authorization = request.headers.authorization;
  if (!authorization) {
    return {
      ok: false,
      failure: "unsigned",
      reason:
        `the request is not signed (no Authorization header), and ${advice.required}: sign it with SigV4 for "aws:amz:${region}:${service}" ` +
        `(${advice.signWith(region)}), or use ${invokeCommand}`,
    };
  }
  const scheme = authorization.split(" ", 1)[0];
  if (scheme !== "AWS4-HMAC-SHA256") {
    const basic = scheme.toLowerCase() === "basic" ? " (curl --user without --aws-sigv4 sends Basic)" : "";
    return {
      ok: false,
      failure: "malformed",
      reason: `the Authorization header is ${JSON.stringify(scheme)}, not an AWS4-HMAC-SHA256 signature${basic}: sign with SigV4 (${advice.signWith(region)}), or use ${invokeCommand}`,
    };
  }
  const match = AUTHORIZATION.exec(authorization);
  if (!match) {
    return {
      ok: false,
      failure: "malformed",
      reason:
        "the AWS4-HMAC-SHA256 Authorization header is malformed: it needs Credential=<key>/<date>/<region>/<service>/aws4_request, SignedHeaders= and Signature=",
    };
  }
  const [, accessKey, scopeDate, scopeRegion, scopeService, signedHeaderList, signature] = match;
  if (accessKey === "") {
    return {
      ok: false,
      failure: "unknown-key",
      reason: `the request was signed with an empty access key id: the shell that signed has no AWS_ACCESS_KEY_ID (curl --user "$AWS_ACCESS_KEY_ID:…" then sends none); export the server's pair there (${credentials.accessKeyId}), or use ${invokeCommand}`,
    };
  }
  if (accessKey !== credentials.accessKeyId) {
    return {
      ok: false,
      failure: "unknown-key",
      reason: `the request was signed with another key pair (${accessKey}); the server checks against ${credentials.accessKeyId}, ${advice.pairNamedBy ?? NPM_START_PAIR}: sign with that pair, or use ${invokeCommand}`,
    };
  }
  if (scopeService !== service || scopeRegion !== region) {
    return {
      ok: false,
      failure: "mismatch",
      reason: `the request was signed for Region "${scopeRegion}" and service "${scopeService}"; ${advice.target} wants Region "${region}" and service "${service}" (${advice.signWith(region)})`,
    };
  }
  const amzDate = request.headers["x-amz-date"];
  const dateParts = amzDate ? AMZ_DATE.exec(amzDate) : null;
  if (!dateParts) {
    return { ok: false, failure: "malformed", reason: "the request has no valid X-Amz-Date header" };
  }
  const signingDate = new Date(Date.UTC(+dateParts[1], +dateParts[2] - 1, +dateParts[3], +dateParts[4], +dateParts[5], +dateParts[6]));
  if (dateParts[0].slice(0, 8) !== scopeDate) {
    return { ok: false, failure: "malformed", reason: `the credential scope date ${scopeDate} does not match X-Amz-Date ${amzDate}` };
  }
  const skewMs = now.getTime() - signingDate.getTime();
  if (Math.abs(skewMs) > MAX_CLOCK_SKEW_MS) {
    return {
      ok: false,
      failure: "expired",
      reason: `the signature's time ${amzDate} is ${describeSkew(skewMs)} (AWS allows 5 minutes either way): sign again, and check the clock of the machine that signed`,
    };
  }
  const signedHeaders = signedHeaderList.split(";");
  for (const required of ["host", "x-amz-date"]) {
    if (!signedHeaders.includes(required)) {
      return { ok: false, failure: "malformed", reason: `the signature does not cover the ${required} header` };
    }
  }
  const missing = signedHeaders.find((name) => request.headers[name] === undefined);
  if (missing) {
    return { ok: false, failure: "mismatch", reason: `the signed header ${missing} is not in the request` };
  }
  if (credentials.sessionToken && request.headers["x-amz-security-token"] !== credentials.sessionToken) {
    return { ok: false, failure: "unknown-key", reason: "the request does not carry the server's session token (X-Amz-Security-Token)" };
  }
  // A declared payload hash is what the signature covers, so it must be the body's real hash.
  const declaredHash = request.headers["x-amz-content-sha256"];
  if (declaredHash !== undefined && declaredHash !== createHash("sha256").update(request.body).digest("hex")) {
    return { ok: false, failure: "mismatch", reason: "X-Amz-Content-Sha256 does not match the body" };
  }

  const signing: Signing = { request, credentials, region, signingDate, signedHeaders, service };
  if (!sameSignature((await signatureOf(signing)).signature, signature)) {
    return { ok: false, failure: "mismatch", reason: await diagnoseMismatch(signing, signature, invokeCommand) };
  }
  return { ok: true, accessKey };
}

/** How far the signature's time is from the server's clock, e.g. `6 min 0 s behind the server's clock`. */
function describeSkew(skewMs: number): string {
  const seconds = Math.round(Math.abs(skewMs) / 1000);
  const amount =
    seconds >= 86_400
      ? `${Math.floor(seconds / 86_400)} d ${Math.floor((seconds % 86_400) / 3600)} h`
      : seconds >= 3600
        ? `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`
        : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${amount} ${skewMs > 0 ? "behind" : "ahead of"} the server's clock`;
}
