// What `npm run deploy` / `destroy` hand cdktf: its arguments and environment. For the real
// deployment, the shell's environment as it is; with --local, one that can only reach the local
// AWS: its endpoint and key pair, the stack marked (its own state file, never S3), and a separate
// output folder, so that terraform's working folder (.terraform, the backend it initialized) is
// never the real deployment's, and init never offers to migrate the real state.

import { DEFAULTS, LOCAL_AWS_VARIABLE } from "../../lib/config";
import type { LocalAwsRecord } from "../../support/local-aws-record";
import type { DeployOptions } from "./deploy-options";

/** cdktf's output folder for a deploy into the local AWS; the real one is cdktf.json's `cdktf.out`. */
export const LOCAL_AWS_OUTPUT = "cdktf.out.local-aws";

export interface CdktfInvocation {
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

/**
 * The cdktf command line and environment.
 * @param isTerminal whether stdout is a terminal: off one, `--no-color` (a log or CI gets
 *   terraform's text without escape codes)
 * @param localAws the running local AWS's record, for --local
 */
export function cdktfInvocation(
  options: DeployOptions,
  env: NodeJS.ProcessEnv,
  isTerminal: boolean,
  localAws?: LocalAwsRecord,
): CdktfInvocation {
  const color = isTerminal ? [] : ["--no-color"];
  // cdktf would otherwise ask HashiCorp for a newer terraform on every run.
  const quiet = { CHECKPOINT_DISABLE: "1" };
  if (!options.local) {
    return { args: [options.command, ...(options.autoApprove ? ["--auto-approve"] : []), ...color], env: { ...env, ...quiet } };
  }
  if (localAws === undefined) {
    throw new Error("cdktfInvocation: --local needs the local AWS's record");
  }
  // --skip-provider-lock: cdktf otherwise runs `terraform providers lock` for every platform, which
  // asks the registry even when a mirror holds the providers; a local deploy needs no lock for
  // other machines (init still writes this one's).
  return {
    args: [options.command, "--output", LOCAL_AWS_OUTPUT, "--auto-approve", "--skip-provider-lock", ...color],
    env: { ...localAwsEnvironment(env, localAws), ...quiet },
  };
}

/**
 * The shell's environment, pointed at the local AWS and nowhere else: every AWS endpoint is its
 * one (a service-specific AWS_ENDPOINT_URL_* would win over it, so none is kept); its pair when it
 * made one (your session token and profile dropped, so nothing of yours mixes in), else your own
 * credentials, which it checks signatures against; the stack's Region; no instance metadata; no
 * S3 state, whatever TF_STATE_BUCKET says.
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export function localAwsEnvironment(env: NodeJS.ProcessEnv, localAws: LocalAwsRecord): NodeJS.ProcessEnv {
  const kept = Object.fromEntries(
    Object.entries(env).filter(
      ([name]) =>
        !name.startsWith("AWS_ENDPOINT_URL_") &&
        // Would make terraform (and the SDKs) skip AWS_ENDPOINT_URL and call AWS itself.
        name !== "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS" &&
        name !== "TF_STATE_BUCKET" &&
        !(localAws.localCredentials && ["AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"].includes(name)),
    ),
  );
  const pair = localAws.localCredentials;
  return {
    ...kept,
    AWS_ENDPOINT_URL: localAws.endpoint,
    ...(pair ? { AWS_ACCESS_KEY_ID: pair.accessKeyId, AWS_SECRET_ACCESS_KEY: pair.secretAccessKey } : {}),
    AWS_REGION: env.AWS_REGION?.trim() || DEFAULTS.region,
    AWS_EC2_METADATA_DISABLED: "true",
    // The stack pins every service to this endpoint in the provider's own configuration.
    [LOCAL_AWS_VARIABLE]: localAws.endpoint,
  };
}
