// Which credentials the local URL checks signatures against, so that `npm start` never refuses to
// start for lack of keys: the shell's AWS_ACCESS_KEY_ID pair, else what the AWS SDK's default
// chain resolves (shared files, SSO, profiles: what `npm run invoke` signs with), else a key pair
// made for this run, which works only against this server.

import { randomBytes } from "node:crypto";
import { withDeadline } from "../../support/deadline";
import type { VerifierCredentials } from "./sigv4-signature";

export type CredentialSource =
  /** AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY of the server's shell. */
  | "environment"
  /** The SDK's chain: a profile, SSO, shared credentials files. */
  | "aws-profile"
  /** A pair made for this run: local only, worthless anywhere else. */
  | "local-pair";

export interface ResolvedCredentials {
  readonly credentials: VerifierCredentials;
  readonly source: CredentialSource;
}

/** The SDK's default chain, loaded only when needed (it is large). */
export type ChainProvider = () => Promise<VerifierCredentials>;

/** How long the chain may take (SSO and profiles read files; nothing here calls AWS); after it, a local pair. */
const CHAIN_DEADLINE_MS = 5_000;

export async function resolveVerifierCredentials(
  env: NodeJS.ProcessEnv,
  chain: ChainProvider = sdkChain(),
  deadlineMs: number = CHAIN_DEADLINE_MS,
): Promise<ResolvedCredentials> {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return {
      source: "environment",
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
        ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
      },
    };
  }
  const fromChain = await withDeadline(
    chain().catch(() => undefined),
    deadlineMs,
  );
  if (fromChain?.accessKeyId && fromChain.secretAccessKey) {
    return { source: "aws-profile", credentials: fromChain };
  }
  return { source: "local-pair", credentials: localKeyPair() };
}

/**
 * How to ask for a newer pair when a signature fails: an AWS profile's (SSO, assumed role) rotates,
 * so its chain is asked again; a pair from the environment or made for the run never changes.
 */
export function renewalOf(
  resolved: ResolvedCredentials | undefined,
  env: NodeJS.ProcessEnv,
): (() => Promise<VerifierCredentials | undefined>) | undefined {
  if (resolved?.source !== "aws-profile") {
    return undefined;
  }
  return async () => {
    const again = await resolveVerifierCredentials(env);
    return again.source === "aws-profile" ? again.credentials : undefined;
  };
}

/** A key pair shaped like AWS's (AKIA + 16, and 40 characters), from this machine's random source. */
export function localKeyPair(): VerifierCredentials {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const id = [...randomBytes(11)].map((b) => alphabet[b % alphabet.length]).join("");
  // Letters and digits only, 40 of them, as an AWS secret key's length: no `-` that a shell or a
  // flag parser could take for an option.
  const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const secret = [...randomBytes(40)].map((b) => letters[b % letters.length]).join("");
  return { accessKeyId: `AKIALOCAL${id}`, secretAccessKey: secret };
}

/**
 * The SDK's default chain without the EC2 instance metadata step, which on a laptop only waits
 * for a timeout; an instance role's keys would not be what a developer signs curl with anyway.
 */
function sdkChain(): ChainProvider {
  return async () => {
    const { defaultProvider } = await import("@aws-sdk/credential-provider-node");
    // The SDK reads the process's own environment.
    const saved = process.env.AWS_EC2_METADATA_DISABLED;
    process.env.AWS_EC2_METADATA_DISABLED = "true";
    try {
      return await defaultProvider()();
    } finally {
      if (saved === undefined) delete process.env.AWS_EC2_METADATA_DISABLED;
      else process.env.AWS_EC2_METADATA_DISABLED = saved;
    }
  };
}

/**
 * The pair signatures are checked against now. A pair from an AWS profile or SSO is temporary and
 * rotates: when a signature fails, the source is asked again (at most once per `minIntervalMs`),
 * and a new pair replaces the old one.
 */
export class KeyRing {
  private lastRenewal = Number.NEGATIVE_INFINITY;

  constructor(
    private current: VerifierCredentials | undefined,
    private readonly source?: () => Promise<VerifierCredentials | undefined>,
    private readonly minIntervalMs: number = 60_000,
  ) {}

  get credentials(): VerifierCredentials | undefined {
    return this.current;
  }

  /** A newer pair, if the source has one and was not asked within the interval; otherwise undefined. */
  async renew(): Promise<VerifierCredentials | undefined> {
    if (!this.source || performance.now() - this.lastRenewal < this.minIntervalMs) {
      return undefined;
    }
    this.lastRenewal = performance.now();
    const next = await this.source().catch(() => undefined);
    const same =
      next?.accessKeyId === this.current?.accessKeyId &&
      next?.secretAccessKey === this.current?.secretAccessKey &&
      next?.sessionToken === this.current?.sessionToken;
    if (!next || same) {
      return undefined;
    }
    this.current = next;
    return next;
  }
}
