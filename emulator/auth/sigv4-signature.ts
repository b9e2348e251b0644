// A SigV4 signature recomputed on the server: the canonical request built from the caller's own
// SignedHeaders with Smithy's parts (path, query and header canonicalization, payload hash, string
// to sign, signing key), compared in constant time. No hand-written hashing or signing.
// @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html

import { timingSafeEqual } from "node:crypto";
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

/** Function URLs sign for the service `lambda`. */
export const SIGV4_SERVICE = "lambda";

/** What a signature is recomputed from. */
export interface Signing {
  readonly request: SignedRequest;
  readonly credentials: VerifierCredentials;
  readonly region: string;
  readonly signingDate: Date;
  readonly signedHeaders: readonly string[];
  /** The service in the credential scope. @default SIGV4_SERVICE */
  readonly service?: string;
}

/**
 * The canonical request of SigV4 with Smithy's parts: its method, path and query lines (the path
 * normalized and encoded twice, the query sorted and encoded, as every service but S3 wants) and
 * its header value normalization. The header lines are the caller's own SignedHeaders, one per
 * name in the order listed: Smithy's client-side signer decides for itself what to sign (it drops
 * a signed `date` and adds the server's session token), which a server must not.
 */
export class CanonicalRequest extends SignatureV4Base {
  constructor(signing: Signing) {
    super({
      credentials: signing.credentials,
      region: signing.region,
      service: signing.service ?? SIGV4_SERVICE,
      sha256: SHA256,
      uriEscapePath: true,
    });
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
    const scope = createScope(shortDate, signing.region, signing.service ?? SIGV4_SERVICE);
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
export async function signatureOf(
  signing: Signing,
  asSent = false,
): Promise<{ signature: string; differs: { path: boolean; query: boolean } }> {
  const { request, credentials, region, service = SIGV4_SERVICE } = signing;
  const canonicalRequest = new CanonicalRequest(signing);
  // The declared X-Amz-Content-Sha256 if any (checked against the body above), else the body's hash.
  const payloadHash = await getPayloadHash(smithyRequest(request, { ...request.headers }), SHA256);
  const { canonical, differs } = canonicalRequest.build(signing, payloadHash, asSent);
  const { stringToSign, shortDate } = await canonicalRequest.stringToSign(signing, canonical);
  const hmac = new Hash("sha256", await getSigningKey(SHA256, credentials, shortDate, region, service));
  hmac.update(stringToSign);
  return { signature: Buffer.from(await hmac.digest()).toString("hex"), differs };
}

/** Constant-time comparison of two hex signatures. */
export function sameSignature(expected: string, actual: string): boolean {
  return expected.length === actual.length && timingSafeEqual(Buffer.from(expected), Buffer.from(actual));
}

export function rawQueryOf(url: string): string {
  return splitUrl(url).rawQuery;
}

/**
 * The query as the signer wants it: decoded names and values (repeats as arrays). `+` stays a
 * plus: SigV4 canonicalizes the raw encoding, in which a space is `%20`.
 */
/** A raw query (`a=1&b=x+y`) as SigV4 signs it: each part percent-decoded, `+` a plus, not a space. */
export function parseSigningQuery(raw: string): Record<string, string | string[]> {
  // Null-prototype: a parameter named `constructor` or `__proto__` is a parameter like any other.
  const query: Record<string, string | string[]> = Object.create(null);
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
