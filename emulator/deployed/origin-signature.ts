// The signature the local edge puts on a request to an AWS_IAM Function URL, as CloudFront's
// origin access control does: SigV4 for the service `lambda` in the URL's Region, over the origin's
// Host, the payload hash and the time, made with Smithy's signer and the local AWS's own key pair.
// @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-lambda.html

import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { parseSigningQuery, SIGV4_SERVICE, type VerifierCredentials } from "../auth/sigv4-signature";

/** The headers a signed request to the origin replaces: the viewer's own signature never reaches it. */
export const SIGNING_HEADERS = ["authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"] as const;

export interface OriginRequest {
  readonly method: string;
  /** `http://127.0.0.1:PORT/path?query`: the origin's address and the path and query forwarded. */
  readonly url: URL;
  /** x-amz-content-sha256: the hex SHA-256 of the body, as the viewer declared it or as read. */
  readonly payloadHash: string;
}

/** The signing headers (authorization, x-amz-date, x-amz-content-sha256, and the session token if any) for `request`. */
export async function signForOrigin(
  request: OriginRequest,
  credentials: VerifierCredentials,
  region: string,
  at: Date = new Date(),
): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials, region, service: SIGV4_SERVICE, sha256: Hash.bind(null, "sha256") });
  // Read as the Function URL's verifier reads it (URLSearchParams would take `+` for a space).
  const query = parseSigningQuery(request.url.search.slice(1));
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: request.url.protocol,
      hostname: request.url.hostname,
      ...(request.url.port ? { port: Number(request.url.port) } : {}),
      path: request.url.pathname,
      query,
      headers: { host: request.url.host, "x-amz-content-sha256": request.payloadHash },
    },
    { signingDate: at },
  );
  const headers: Record<string, string> = {};
  for (const name of SIGNING_HEADERS) {
    const value = signed.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  return headers;
}
