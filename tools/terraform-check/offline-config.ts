// Rewrites a copy of a synthesized stack so that terraform can plan it with no network and no
// AWS account: placeholder credentials, the provider's skip flags, every AWS endpoint the stack
// uses pointed at a closed loopback port (so a call that slipped through fails at once instead
// of reaching AWS), and no backend: the copy is a module of the check's own root, whose state is
// terraform's default local file in that root.

import * as fs from "node:fs";
import * as path from "node:path";
import type { TerraformJson } from "./terraform-json";

/** AWS's documented example keys: well-formed, and valid nowhere. */
export const PLACEHOLDER_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
  AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
} as const;

/** Port 9 ("discard") on loopback: nothing listens there, so a connection is refused at once. */
const NOWHERE = "http://127.0.0.1:9";

/**
 * Provider settings that keep the aws provider from calling AWS while it plans.
 * @see https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs#skip_credentials_validation
 */
export const OFFLINE_PROVIDER_SETTINGS = {
  skip_credentials_validation: true,
  skip_requesting_account_id: true,
  skip_metadata_api_check: true,
  skip_region_validation: true,
  endpoints: [{ sts: NOWHERE, iam: NOWHERE, lambda: NOWHERE, cloudwatchlogs: NOWHERE, cloudfront: NOWHERE }],
} as const;

/** `json` with offline provider settings and without a backend, ready to be a child module. */
export function makeOffline(json: TerraformJson): TerraformJson {
  const copy = structuredClone(json);
  for (const aws of copy.provider?.aws ?? []) {
    Object.assign(aws, structuredClone(OFFLINE_PROVIDER_SETTINGS));
  }
  // The stack's own backend (a file at the project root, or S3) is not the check's business, and
  // in a child module terraform ignores it with a warning ("Backend configuration ignored").
  delete copy.terraform?.backend;
  return copy;
}

/** Files in the working folder that stand in for the user's terraform and AWS configuration. */
export const CONFIG_FILES = {
  terraform: { name: ".terraformrc", contents: "disable_checkpoint = true\n" },
  aws: { name: ".aws-config", contents: "" },
} as const;

/** Writes the CONFIG_FILES into `workdir`. */
export function writeConfigFiles(workdir: string): void {
  for (const file of Object.values(CONFIG_FILES)) {
    fs.writeFileSync(path.join(workdir, file.name), file.contents);
  }
}

/**
 * The environment terraform runs in for `workdir`: nothing from the user's AWS or terraform
 * setup, placeholder credentials, no checkpoint calls.
 */
export function offlineEnvironment(workdir: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const keep = ["PATH", "HOME", "TMPDIR", "SYSTEMROOT", "USERPROFILE", "APPDATA"];
  const env: NodeJS.ProcessEnv = {};
  for (const name of keep) {
    if (base[name] !== undefined) {
      env[name] = base[name];
    }
  }
  return {
    ...env,
    ...PLACEHOLDER_CREDENTIALS,
    AWS_CONFIG_FILE: path.join(workdir, CONFIG_FILES.aws.name),
    AWS_SHARED_CREDENTIALS_FILE: path.join(workdir, CONFIG_FILES.aws.name),
    AWS_EC2_METADATA_DISABLED: "true",
    CHECKPOINT_DISABLE: "1",
    TF_CLI_CONFIG_FILE: path.join(workdir, CONFIG_FILES.terraform.name),
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
  };
}
