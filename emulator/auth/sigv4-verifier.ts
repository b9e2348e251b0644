// Checks the SigV4 signature of a request to an AWS_IAM Function URL. The signature is
// recomputed from the caller's own SignedHeaders with the parts of Smithy's signer (the one inside
// the AWS SDK for JavaScript): its canonical path and query, header normalization, payload hash,
// string to sign and signing key; then compared in constant time. A failure is logged with its
// most likely cause, found by checking each one.
// @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html

import { createHash, timingSafeEqual } from "node:crypto";
import { Hash } from "@smithy/hash-node";
import {
  ALGORITHM_IDENTIFIER,
  createScope,
  getCanonicalHeaders,
  getPayloadHash,
  getSigningKey,
  SignatureV4Base,
} from "@smithy/signature-v4";

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
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]*)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * Verifies `request` against `credentials` for `region`. Every failure says its most likely
 * cause and what to do, for the server's log; the caller only ever sees AWS's 403.
 */
export async function verifySigV4(
  request: SignedRequest,
  credentials: VerifierCredentials,
  region: string,
  now: Date = new Date(),
): Promise<Verification> {
  const authorization = request.headers.authorization;
  if (!authorization) {
    return {
      ok: false,
      reason:
        `the request is not signed (no Authorization header), and the URL's auth type is AWS_IAM: sign it with SigV4 for "aws:amz:${region}:${SIGV4_SERVICE}" ` +
        "(the curl line npm start prints), or use npm run invoke -- --local",
    };
  }
  const scheme = authorization.split(" ", 1)[0];
  if (scheme !== "AWS4-HMAC-SHA256") {
    const basic = scheme.toLowerCase() === "basic" ? " (curl --user without --aws-sigv4 sends Basic)" : "";
    return {
      ok: false,
      reason: `the Authorization header is ${JSON.stringify(scheme)}, not an AWS4-HMAC-SHA256 signature${basic}: sign with SigV4 (curl --aws-sigv4 "aws:amz:${region}:${SIGV4_SERVICE}"), or use npm run invoke -- --local`,
    };
  }
  const match = AUTHORIZATION.exec(authorization);
  if (!match) {
    return {
      ok: false,
      reason:
        "the AWS4-HMAC-SHA256 Authorization header is malformed: it needs Credential=<key>/<date>/<region>/<service>/aws4_request, SignedHeaders= and Signature=",
    };
  }
  const [, accessKey, scopeDate, scopeRegion, scopeService, signedHeaderList, signature] = match;
  if (accessKey === "") {
    return {
      ok: false,
      reason: `the request was signed with an empty access key id: the shell that signed has no AWS_ACCESS_KEY_ID (curl --user "$AWS_ACCESS_KEY_ID:…" then sends none); export the server's pair there (${credentials.accessKeyId}), or use npm run invoke -- --local`,
    };
  }
  if (accessKey !== credentials.accessKeyId) {
    return {
      ok: false,
      reason: `the request was signed with another key pair (${accessKey}); the server checks against ${credentials.accessKeyId}, the pair npm start named when it started (its shell's, its AWS profile's, or one made for the run): sign with that pair, or use npm run invoke -- --local`,
    };
  }
  if (scopeService !== SIGV4_SERVICE || scopeRegion !== region) {
    return {
      ok: false,
      reason: `the request was signed for Region "${scopeRegion}" and service "${scopeService}"; this URL wants Region "${region}" and service "${SIGV4_SERVICE}" (curl --aws-sigv4 "aws:amz:${region}:${SIGV4_SERVICE}")`,
    };
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
  const skewMs = now.getTime() - signingDate.getTime();
  if (Math.abs(skewMs) > MAX_CLOCK_SKEW_MS) {
    return {
      ok: false,
      reason: `the signature's time ${amzDate} is ${describeSkew(skewMs)} (AWS allows 5 minutes either way): sign again, and check the clock of the machine that signed`,
    };
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

  const signing: Signing = { request, credentials, region, signingDate, signedHeaders };
  if (!sameSignature((await signatureOf(signing)).signature, signature)) {
    return { ok: false, reason: await diagnoseMismatch(signing, signature) };
  }
  return { ok: true, accessKey };
}

/** What a signature is recomputed from. */
interface Signing {
  readonly request: SignedRequest;
  readonly credentials: VerifierCredentials;
  readonly region: string;
  readonly signingDate: Date;
  readonly signedHeaders: readonly string[];
}

/**
 * The most likely reason a well-formed signature by the right key id does not match, found by
 * recomputing it under each hypothesis: a repeated header signed once per line (curl before 8.13),
 * signed as typed (curl before 8.x), signed with an empty secret; otherwise another secret, or a
 * request changed after signing.
 */
async function diagnoseMismatch(signing: Signing, signature: string): Promise<string> {
  const repeated = signing.signedHeaders.find((name, i) => signing.signedHeaders.indexOf(name) !== i);
  if (repeated) {
    // https://github.com/curl/curl/pull/16743: AWS answers such a signature SignatureDoesNotMatch.
    return `SignedHeaders names ${repeated} more than once: the signer gave each ${repeated} header a line of its own (curl before 8.13 does this), and SigV4 wants one line with the values joined by commas, so AWS refuses it too: send the header once, or use curl 8.13 or newer, or npm run invoke`;
  }
  const asTyped = await signatureOf(signing, true);
  if (sameSignature(asTyped.signature, signature)) {
    if (asTyped.differs.query && !isSortedByName(rawQueryOf(signing.request.url))) {
      return "the query was signed in the order typed (curl 7.x does this), not sorted as SigV4 wants: list the parameters alphabetically, or use npm run invoke";
    }
    if (asTyped.differs.query) {
      return "the query was signed as typed (curl 7.x does this), not percent-encoded as SigV4 wants: encode every character but letters, digits and -_.~ (a comma as %2C), or use npm run invoke";
    }
    return "the path was signed as typed (curl 7.x does this), not encoded as SigV4 wants (its percent escapes encoded once more): use a path without percent escapes, or use npm run invoke";
  }
  const emptySecret = await signatureOf({ ...signing, credentials: { ...signing.credentials, secretAccessKey: "" } });
  if (sameSignature(emptySecret.signature, signature)) {
    return `the request was signed with an empty secret access key: the shell that signed has no AWS_SECRET_ACCESS_KEY; export the server's secret for ${signing.credentials.accessKeyId} there`;
  }
  return `the signature does not match: signed with another secret key for ${signing.credentials.accessKeyId} than the server's AWS_SECRET_ACCESS_KEY, or the request (method, path, query, signed headers, body) was changed after signing`;
}

/**
 * The canonical request of SigV4 with Smithy's parts: its method, path and query lines (the path
 * normalized and encoded twice, the query sorted and encoded, as every service but S3 wants) and
 * its header value normalization. The header lines are the caller's own SignedHeaders, one per
 * name in the order listed: Smithy's client-side signer decides for itself what to sign (it drops
 * a signed `date` and adds the server's session token), which a server must not.
 */
class CanonicalRequest extends SignatureV4Base {
  constructor(signing: Signing) {
    super({ credentials: signing.credentials, region: signing.region, service: SIGV4_SERVICE, sha256: SHA256, uriEscapePath: true });
  }

  /**
   * The canonical request; `asSent` puts the path and query exactly as sent in place of their
   * canonical form (how curl before 8.x signs them: https://github.com/curl/curl/issues/9717), and
   * says which of the two lines that changed.
   */
  build(signing: Signing, payloadHash: string, asSent: boolean): { canonical: string; differs: { path: boolean; query: boolean } } {
    const { request, signedHeaders } = signing;
    const { path, rawQuery } = splitUrl(request.url);
    // Smithy's method, path and query lines; its header lines are left empty here.
    const [method, canonicalPath, canonicalQuery] = this.createCanonicalRequest(smithyRequest(request, {}), {}, payloadHash).split("\n", 3);
    const signed = Object.fromEntries(signedHeaders.map((name) => [name, request.headers[name]]));
    // Given the list as signable, Smithy's normalization keeps every name (even those its client never signs).
    const values = getCanonicalHeaders(smithyRequest(request, signed), undefined, new Set(signedHeaders));
    const lines = [
      method,
      asSent ? path : canonicalPath,
      asSent ? rawQuery : canonicalQuery,
      ...signedHeaders.map((name) => `${name}:${values[name]}`),
      "",
      signedHeaders.join(";"),
      payloadHash,
    ];
    return { canonical: lines.join("\n"), differs: { path: canonicalPath !== path, query: canonicalQuery !== rawQuery } };
  }

  /** The string to sign for `canonical`, and the day it is signed for (`YYYYMMDD`). */
  async stringToSign(signing: Signing, canonical: string): Promise<{ stringToSign: string; shortDate: string }> {
    const { longDate, shortDate } = this.formatDate(signing.signingDate);
    const scope = createScope(shortDate, signing.region, SIGV4_SERVICE);
    return { stringToSign: await this.createStringToSign(longDate, scope, canonical, ALGORITHM_IDENTIFIER), shortDate };
  }
}

const SHA256 = Hash.bind(null, "sha256");

function splitUrl(url: string): { path: string; rawQuery: string } {
  const queryAt = url.indexOf("?");
  return { path: queryAt === -1 ? url : url.slice(0, queryAt), rawQuery: queryAt === -1 ? "" : url.slice(queryAt + 1) };
}

/** `request` in the shape Smithy's functions read, with `headers`. */
function smithyRequest(request: SignedRequest, headers: Record<string, string>) {
  const { path, rawQuery } = splitUrl(request.url);
  return {
    method: request.method,
    protocol: "https:",
    hostname: request.headers.host ?? "",
    path,
    query: parseSigningQuery(rawQuery),
    headers,
    body: request.body.length > 0 ? request.body : undefined,
  };
}

/** The signature of `signing` under SigV4; `asSent` signs path and query as sent. */
async function signatureOf(signing: Signing, asSent = false): Promise<{ signature: string; differs: { path: boolean; query: boolean } }> {
  const { request, credentials, region } = signing;
  const canonicalRequest = new CanonicalRequest(signing);
  // The declared X-Amz-Content-Sha256 if any (checked against the body above), else the body's hash.
  const payloadHash = await getPayloadHash(smithyRequest(request, { ...request.headers }), SHA256);
  const { canonical, differs } = canonicalRequest.build(signing, payloadHash, asSent);
  const { stringToSign, shortDate } = await canonicalRequest.stringToSign(signing, canonical);
  const hmac = new Hash("sha256", await getSigningKey(SHA256, credentials, shortDate, region, SIGV4_SERVICE));
  hmac.update(stringToSign);
  return { signature: Buffer.from(await hmac.digest()).toString("hex"), differs };
}

/** Constant-time comparison of two hex signatures. */
function sameSignature(expected: string, actual: string): boolean {
  return expected.length === actual.length && timingSafeEqual(Buffer.from(expected), Buffer.from(actual));
}

function rawQueryOf(url: string): string {
  return splitUrl(url).rawQuery;
}

/** Whether the raw query's parameter names are in SigV4's order (code point order). */
function isSortedByName(rawQuery: string): boolean {
  const names = rawQuery
    .split("&")
    .filter((pair) => pair !== "")
    .map((pair) => pair.split("=", 1)[0]);
  return names.every((name, i) => i === 0 || names[i - 1] <= name);
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
