// Reads the stack's configuration from environment variables, once, and validates every value.
// A bad value becomes one line that names the variable, the value received and what is allowed.

import { AUTH_TYPES, type AuthType } from "../protocol/function-url-modes";
import { parseWholeNumber } from "../support/whole-number";

/** Who may call the Function URL. */
export type FunctionUrlAuth = AuthType;

/**
 * A way to publish the URL besides its auth type: `cloudfront` puts a CloudFront distribution with
 * origin access control in front of the AWS_IAM URL.
 */
export type PublicAccess = "cloudfront";

/**
 * Which edge locations a distribution uses; PriceClass_100 is the cheapest.
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/PriceClass.html
 */
const PRICE_CLASSES = ["PriceClass_100", "PriceClass_200", "PriceClass_All"] as const;
export type PriceClass = (typeof PRICE_CLASSES)[number];

/** The instruction set the function runs on. */
export type Architecture = "arm64" | "x86_64";

/** Everything the stack needs, typed and validated. */
export interface StackConfig {
  /** Name of the cdktf stack, and of its folder under `cdktf.out/stacks/`. */
  readonly stackName: string;
  readonly region: string;
  readonly functionName: string;
  readonly functionUrlAuth: FunctionUrlAuth;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly architecture: Architecture;
  readonly logRetentionDays: number;
  /** Reserved concurrency; undefined leaves the function on the account's unreserved pool. */
  readonly reservedConcurrency?: number;
  /** Origins allowed by CORS; empty means no CORS configuration. */
  readonly corsAllowOrigins: readonly string[];
  /** S3 bucket for remote state; undefined keeps state in a local file. */
  readonly stateBucket?: string;
  /**
   * Deployed into the local AWS (`npm run deploy -- --local` sets {@link LOCAL_AWS_VARIABLE} to
   * its endpoint): state in its own file, never in S3, whatever TF_STATE_BUCKET says, and every
   * service the stack uses pinned to that endpoint in the provider's configuration, which no
   * environment variable or profile setting overrides.
   */
  readonly localAws?: { readonly endpoint: string };
  /**
   * PUBLIC_ACCESS=cloudfront: the public reaches the AWS_IAM URL through a CloudFront distribution
   * that signs each request; undefined: no distribution.
   */
  readonly cloudFront?: { readonly priceClass: PriceClass };
}

/**
 * Every retention CloudWatch Logs accepts; 0 means "never expire".
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 */
const LOG_RETENTION_DAYS = [
  0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Defaults for a variable that is unset or empty. */
export const DEFAULTS = {
  stackName: "lambda-streaming",
  region: "us-east-1",
  functionUrlAuth: "AWS_IAM",
  memoryMb: 256,
  // The 3 s Lambda default would cut a 🚗 stream off; 60 s is ample for the default body.
  timeoutSeconds: 60,
  architecture: "arm64",
  logRetentionDays: 14,
  // A public URL can be called by anyone; a cap bounds what they can spend.
  publicReservedConcurrency: 10,
  priceClass: "PriceClass_100",
} as const;

/** The variable `npm run deploy -- --local` sets for the stack: `1` deploys into the local AWS. */
export const LOCAL_AWS_VARIABLE = "LAMBDA_STREAMING_LOCAL_AWS";

/** One or more environment variables hold values the stack cannot use. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "ConfigError";
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Builds a StackConfig from `env` (normally `process.env`).
 * @throws ConfigError listing every bad variable, one per line.
 */
export function readConfig(env: Env): StackConfig {
  const problems: string[] = [];
  const read = <T>(name: string, parse: Parser<T>, fallback: T): T => {
    const value = env[name]?.trim();
    if (value === undefined || value === "") {
      return fallback;
    }
    const result = parse(value);
    if (!result.ok) {
      problems.push(`${name} must be ${result.allowed} (got ${JSON.stringify(env[name])})`);
      return fallback;
    }
    return result.value;
  };

  const stackName = read(
    "STACK_NAME",
    matching(/^[A-Za-z][A-Za-z0-9_-]{0,62}$/, "1 to 63 letters, digits, - or _, starting with a letter"),
    DEFAULTS.stackName,
  );
  const functionUrlAuth = read<FunctionUrlAuth>("FUNCTION_URL_AUTH", oneOf(AUTH_TYPES), DEFAULTS.functionUrlAuth);
  const publicAccess = read<PublicAccess | undefined>(
    "PUBLIC_ACCESS",
    matching(/^cloudfront$/, '"cloudfront" (CloudFront in front of the AWS_IAM URL), or unset') as Parser<PublicAccess>,
    undefined,
  );
  if (publicAccess === "cloudfront" && functionUrlAuth === "NONE") {
    // CloudFront's origin access control signs its requests, which only an AWS_IAM URL checks.
    problems.push(
      'PUBLIC_ACCESS=cloudfront needs FUNCTION_URL_AUTH=AWS_IAM (got "NONE"): CloudFront signs its requests to the URL; unset FUNCTION_URL_AUTH, or unset PUBLIC_ACCESS for a public URL without CloudFront',
    );
  }
  const priceClass = read<PriceClass>("CLOUDFRONT_PRICE_CLASS", oneOf(PRICE_CLASSES), DEFAULTS.priceClass);
  const reservedConcurrency = read<number | undefined>(
    "RESERVED_CONCURRENCY",
    integerIn(1, 10_000, "a whole number from 1 to 10000 (leave it unset for no reservation on a private URL)"),
    functionUrlAuth === "NONE" || publicAccess !== undefined ? DEFAULTS.publicReservedConcurrency : undefined,
  );
  const localAws = read(
    LOCAL_AWS_VARIABLE,
    // Plain http: AWS's own endpoints take only https, so a value here never names one.
    matching(
      /^http:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$/,
      "the local AWS's endpoint, http://HOST:PORT such as http://127.0.0.1:4566, or unset (npm run deploy -- --local sets it; unset it to deploy to AWS)",
    ),
    undefined,
  );
  const config: StackConfig = {
    stackName,
    region: read("AWS_REGION", matching(/^[a-z]{2}(-[a-z]+)+-[0-9]+$/, "an AWS Region code such as us-east-1"), DEFAULTS.region),
    functionName: read("FUNCTION_NAME", matching(/^[A-Za-z0-9_-]{1,64}$/, "1 to 64 letters, digits, - or _"), stackName),
    functionUrlAuth,
    memoryMb: read("MEMORY_MB", integerIn(128, 10_240, "a whole number of MB from 128 to 10240"), DEFAULTS.memoryMb),
    timeoutSeconds: read("TIMEOUT_S", integerIn(1, 900, "a whole number of seconds from 1 to 900"), DEFAULTS.timeoutSeconds),
    architecture: read<Architecture>("ARCHITECTURE", oneOf(["arm64", "x86_64"]), DEFAULTS.architecture),
    logRetentionDays: read("LOG_RETENTION_DAYS", oneOfNumbers(LOG_RETENTION_DAYS, "0 means never expire"), DEFAULTS.logRetentionDays),
    reservedConcurrency,
    corsAllowOrigins: read("FUNCTION_URL_CORS_ORIGINS", parseOrigins, [] as readonly string[]),
    stateBucket: read<string | undefined>(
      "TF_STATE_BUCKET",
      matching(/^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name: 3 to 63 lower-case letters, digits, . or -"),
      undefined,
    ),
    ...(publicAccess === "cloudfront" ? { cloudFront: { priceClass } } : {}),
    ...(localAws !== undefined ? { localAws: { endpoint: localAws } } : {}),
  };
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return config;
}

/** A parser returns the parsed value, or a description of what is allowed. */
type Parser<T> = (value: string) => { ok: true; value: T } | { ok: false; allowed: string };

function matching(pattern: RegExp, allowed: string): Parser<string> {
  return (value) => (pattern.test(value) ? { ok: true, value } : { ok: false, allowed });
}

function oneOf<T extends string>(choices: readonly T[]): Parser<T> {
  return (value) =>
    (choices as readonly string[]).includes(value)
      ? { ok: true, value: value as T }
      : { ok: false, allowed: choices.length === 2 ? `${choices[0]} or ${choices[1]}` : `one of ${choices.join(", ")}` };
}

function oneOfNumbers(choices: readonly number[], note: string): Parser<number> {
  return (value) => {
    const n = parseWholeNumber(value);
    return n !== undefined && choices.includes(n)
      ? { ok: true, value: n }
      : { ok: false, allowed: `one of ${choices.join(", ")}; ${note}` };
  };
}

function integerIn(min: number, max: number, allowed: string): Parser<number> {
  return (value) => {
    const n = parseWholeNumber(value, min, max);
    return n !== undefined ? { ok: true, value: n } : { ok: false, allowed };
  };
}

function parseOrigins(value: string): { ok: true; value: readonly string[] } | { ok: false; allowed: string } {
  const invalid = {
    ok: false as const,
    allowed: 'a comma-separated list of origins such as "https://example.com,http://localhost:5173", or "*"',
  };
  const origins = value.split(",").map((o) => o.trim());
  for (const origin of origins) {
    if (origin === "*") {
      continue;
    }
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      return invalid;
    }
    // An origin is scheme://host[:port] and nothing else: no path, query or trailing slash.
    if (!["http:", "https:"].includes(parsed.protocol) || parsed.origin !== origin) {
      return invalid;
    }
  }
  return { ok: true, value: origins };
}
