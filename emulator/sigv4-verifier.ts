// Checks the SigV4 signature of a request to an AWS_IAM Function URL. The signature is
// recomputed with Smithy's SignatureV4 (the signer inside the AWS SDK for JavaScript), over the
// headers the caller says it signed, and compared in constant time: no hand-written signing. A
// failure is logged with its most likely cause, found by checking each one.
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
 * recomputing it under each hypothesis: signed as typed (curl before 8.x), signed with an empty
 * secret; otherwise another secret, or a request changed after signing.
 */
async function diagnoseMismatch(signing: Signing, signature: string): Promise<string> {
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
 * Smithy's signer, which can also sign the path and query exactly as sent instead of in their
 * canonical form: how curl before 8.x signs (it neither sorts nor re-encodes them).
 * @see https://github.com/curl/curl/issues/9717
 */
class AsSentSigner extends SignatureV4 {
  /** Which canonical lines the request's own differed from, in the last signing. */
  differs = { path: false, query: false };

  constructor(
    init: ConstructorParameters<typeof SignatureV4>[0],
    private readonly asSent: { readonly path: string; readonly query: string } | undefined,
  ) {
    super(init);
  }

  protected override createCanonicalRequest(...args: Parameters<SignatureV4["createCanonicalRequest"]>): string {
    const canonical = super.createCanonicalRequest(...args);
    if (!this.asSent) {
      return canonical;
    }
    // The canonical request is method, path, query, headers…, one per line.
    const lines = canonical.split("\n");
    this.differs = { path: lines[1] !== this.asSent.path, query: lines[2] !== this.asSent.query };
    lines[1] = this.asSent.path;
    lines[2] = this.asSent.query;
    return lines.join("\n");
  }
}

/** The signature Smithy computes for `signing`; `asSent` signs path and query as sent. */
async function signatureOf(signing: Signing, asSent = false): Promise<{ signature: string; differs: AsSentSigner["differs"] }> {
  const { request, credentials, region, signingDate, signedHeaders } = signing;
  const queryAt = request.url.indexOf("?");
  const path = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
  const signer = new AsSentSigner(
    { credentials, region, service: SIGV4_SERVICE, sha256: Hash.bind(null, "sha256"), uriEscapePath: true, applyChecksum: false },
    asSent ? { path, query: rawQueryOf(request.url) } : undefined,
  );
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: "https:",
      hostname: request.headers.host,
      path,
      query: parseSigningQuery(rawQueryOf(request.url)),
      headers: Object.fromEntries(signedHeaders.map((name) => [name, request.headers[name]])),
      body: request.body.length > 0 ? request.body : undefined,
    },
    { signingDate, signableHeaders: new Set(signedHeaders) },
  );
  const signature = /Signature=([0-9a-f]{64})$/.exec(String(signed.headers.authorization))?.[1] ?? "";
  return { signature, differs: signer.differs };
}

/** Constant-time comparison of two hex signatures. */
function sameSignature(expected: string, actual: string): boolean {
  return expected.length === actual.length && timingSafeEqual(Buffer.from(expected), Buffer.from(actual));
}

function rawQueryOf(url: string): string {
  const queryAt = url.indexOf("?");
  return queryAt === -1 ? "" : url.slice(queryAt + 1);
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
