// Checks the SigV4 signature of a request to an AWS_IAM Function URL. The signature is
// recomputed with Smithy's SignatureV4 (the signer inside the AWS SDK for JavaScript), over the
// headers the caller says it signed, and compared in constant time: no hand-written signing.
// @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html

import { createHash, timingSafeEqual } from "node:crypto";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";

/** The credentials a signature must have been made with. */
export interface VerifierCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface SignedRequest {
  readonly method: string;
  /** Path and query exactly as sent. */
  readonly url: string;
  /** Lower-cased names, comma-joined values. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export type Verification = { readonly ok: true; readonly accessKey: string } | { readonly ok: false; readonly reason: string };

/** Function URLs sign for the service `lambda`. */
export const SIGV4_SERVICE = "lambda";
/** AWS rejects a request whose time is more than 5 minutes away from its own. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * Verifies `request` against `credentials` for `region`. Every failure says why, for the
 * server's log; the caller only ever sees AWS's 403.
 */
export async function verifySigV4(
  request: SignedRequest,
  credentials: VerifierCredentials,
  region: string,
  now: Date = new Date(),
): Promise<Verification> {
  const authorization = request.headers.authorization;
  if (!authorization) {
    return { ok: false, reason: "the request is not signed (no Authorization header)" };
  }
  const match = AUTHORIZATION.exec(authorization);
  if (!match) {
    return { ok: false, reason: "the Authorization header is not an AWS4-HMAC-SHA256 signature" };
  }
  const [, accessKey, scopeDate, scopeRegion, scopeService, signedHeaderList, signature] = match;
  if (accessKey !== credentials.accessKeyId) {
    return { ok: false, reason: `the request was signed with access key ${accessKey}, not the server's ${credentials.accessKeyId}` };
  }
  if (scopeService !== SIGV4_SERVICE) {
    return { ok: false, reason: `the request was signed for service "${scopeService}", not "${SIGV4_SERVICE}"` };
  }
  if (scopeRegion !== region) {
    return { ok: false, reason: `the request was signed for region "${scopeRegion}", not "${region}"` };
  }
  const amzDate = request.headers["x-amz-date"];
  const dateParts = amzDate ? AMZ_DATE.exec(amzDate) : null;
  if (!dateParts) {
    return { ok: false, reason: "the request has no valid X-Amz-Date header" };
  }
  const signingDate = new Date(Date.UTC(+dateParts[1], +dateParts[2] - 1, +dateParts[3], +dateParts[4], +dateParts[5], +dateParts[6]));
  if (dateParts[0].slice(0, 8) !== scopeDate) {
    return { ok: false, reason: `the credential scope date ${scopeDate} does not match X-Amz-Date ${amzDate}` };
  }
  if (Math.abs(now.getTime() - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) {
    return { ok: false, reason: `the signature's time ${amzDate} is more than 5 minutes from the server's` };
  }
  const signedHeaders = signedHeaderList.split(";");
  for (const required of ["host", "x-amz-date"]) {
    if (!signedHeaders.includes(required)) {
      return { ok: false, reason: `the signature does not cover the ${required} header` };
    }
  }
  const missing = signedHeaders.find((name) => request.headers[name] === undefined);
  if (missing) {
    return { ok: false, reason: `the signed header ${missing} is not in the request` };
  }
  if (credentials.sessionToken && request.headers["x-amz-security-token"] !== credentials.sessionToken) {
    return { ok: false, reason: "the request does not carry the server's session token (X-Amz-Security-Token)" };
  }
  // A declared payload hash is what the signature covers, so it must be the body's real hash.
  const declaredHash = request.headers["x-amz-content-sha256"];
  if (declaredHash !== undefined && declaredHash !== createHash("sha256").update(request.body).digest("hex")) {
    return { ok: false, reason: "X-Amz-Content-Sha256 does not match the body" };
  }

  const queryAt = request.url.indexOf("?");
  const signer = new SignatureV4({
    credentials,
    region,
    service: SIGV4_SERVICE,
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: true,
    applyChecksum: false,
  });
  const expected = await signer.sign(
    {
      method: request.method,
      protocol: "https:",
      hostname: request.headers.host,
      path: queryAt === -1 ? request.url : request.url.slice(0, queryAt),
      query: parseSigningQuery(queryAt === -1 ? "" : request.url.slice(queryAt + 1)),
      headers: Object.fromEntries(signedHeaders.map((name) => [name, request.headers[name]])),
      body: request.body.length > 0 ? request.body : undefined,
    },
    { signingDate, signableHeaders: new Set(signedHeaders) },
  );
  const expectedSignature = /Signature=([0-9a-f]{64})$/.exec(String(expected.headers.authorization))?.[1] ?? "";
  if (expectedSignature.length !== signature.length || !timingSafeEqual(Buffer.from(expectedSignature), Buffer.from(signature))) {
    return { ok: false, reason: "the signature does not match the request (wrong secret key, or the request was changed after signing)" };
  }
  return { ok: true, accessKey };
}

/**
 * The query as the signer wants it: decoded names and values (repeats as arrays). `+` stays a
 * plus: SigV4 canonicalizes the raw encoding, in which a space is `%20`.
 */
function parseSigningQuery(raw: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const pair of raw.split("&")) {
    if (pair === "") {
      continue;
    }
    const eq = pair.indexOf("=");
    const name = safeDecode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? "" : safeDecode(pair.slice(eq + 1));
    const existing = query[name];
    query[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return query;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
