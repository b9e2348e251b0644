// Signs a request to a Function URL with SigV4, as the AWS SDK signs it (Smithy's signer): the one
// place the project signs, for `npm run invoke` and for the tests that play a client.

import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity } from "@smithy/types";

export interface SignOptions {
  readonly region: string;
  /** @default "lambda" */
  readonly service?: string;
  /** @default "GET", or "POST" with a body */
  readonly method?: string;
  readonly body?: string;
  /** Headers to sign besides `host`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The signing time. @default now */
  readonly at?: Date;
  /** Send and sign X-Amz-Content-Sha256, as the SDK does by default (curl does not). @default true */
  readonly bodyHashHeader?: boolean;
}

/**
 * The headers that sign a request to `url`. The signer canonicalizes the query (sorted, encoded),
 * so the parameters can be in any order in the URL; a repeated parameter keeps all its values.
 */
export async function signRequest(url: URL, credentials: AwsCredentialIdentity, options: SignOptions): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    credentials,
    region: options.region,
    service: options.service ?? "lambda",
    sha256: Hash.bind(null, "sha256"),
    applyChecksum: options.bodyHashHeader ?? true,
  });
  // Null-prototype: a parameter named `constructor` or `__proto__` is a parameter like any other.
  const query: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of url.searchParams) {
    const existing = query[name];
    query[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  const signed = await signer.sign(
    {
      method: options.method ?? (options.body === undefined ? "GET" : "POST"),
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers: { host: url.host, ...(options.headers ?? {}) },
      ...(options.body === undefined ? {} : { body: options.body }),
    },
    { signingDate: options.at ?? new Date() },
  );
  return signed.headers as Record<string, string>;
}
