// What `npm run deploy` and `destroy` need besides a good configuration, checked before cdktf
// runs: AWS credentials, a Region your AWS settings agree with, terraform new enough, and a place
// terraform init can get the providers from (the Terraform registry, or a mirror it reads). Left
// to cdktf, a missing one surfaces seconds later inside `terraform init` or `apply`, in words that
// never name it (and, for the registry, printed twice). Each problem is one line that says what to do.

import { spawnSync } from "node:child_process";
import { readConfig } from "../lib/config";
import { withDeadline } from "../support/deadline";
import { unreachableCode } from "./reachable";
import { readCliConfig } from "./terraform-check/cli-config-mirrors";
import { ARCHIVE_PROVIDER, AWS_PROVIDER, impliedMirrorDirs, mirrorHolds } from "./terraform-check/plugin-mirror";

/**
 * The oldest terraform the stack works with: the S3 backend's `use_lockfile` (S3-native state
 * locking) arrived in 1.10. The README says the same.
 * @see https://developer.hashicorp.com/terraform/language/backend/s3
 */
export const MIN_TERRAFORM_VERSION = "1.10";

/** How long the credential chain may take: long enough for SSO and profiles, short enough not to look hung. */
const CREDENTIALS_DEADLINE_MS = 5_000;

/** What the checks look at; tests pass their own. */
export interface PreflightProbes {
  /** Resolves when the AWS SDK's credential chain finds credentials; rejects with its reason. */
  findCredentials(): Promise<unknown>;
  /** The Region your AWS profile (shared config file) names, if it names one. */
  profileRegion(): Promise<string | undefined>;
  /** `terraform version -json`'s version, or why terraform could not run. */
  terraformVersion(): { readonly version: string } | { readonly error: string };
  /** The providers ("hashicorp/aws 5.100.0") no mirror terraform reads holds: none, and init needs no network. */
  providersNotMirrored(): readonly string[];
  /** Why the Terraform registry does not answer (`ENOTFOUND`, `ETIMEDOUT`, …); undefined when it does. */
  registryUnreachable(): Promise<string | undefined>;
}

/** Where terraform init gets providers by default. @see https://developer.hashicorp.com/terraform/cli/config/config-file#provider-installation */
const TERRAFORM_REGISTRY = "https://registry.terraform.io";

/** The variables terraform (Go's HTTP client) takes a proxy from: with one set, a direct connection says nothing. */
const PROXY_VARIABLES = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"];

/** The problems with deploying now, one line each; empty when nothing stands in the way. */
export async function deployProblems(
  env: NodeJS.ProcessEnv,
  probes: PreflightProbes = sdkProbes(env),
  deadlineMs: number = CREDENTIALS_DEADLINE_MS,
): Promise<string[]> {
  const terraform = terraformProblem(probes.terraformVersion(), env);
  const [credentials, region, providers] = await Promise.all([
    credentialsProblem(probes, deadlineMs),
    regionProblem(env, probes),
    providersProblem(env, probes),
  ]);
  return [credentials, region, terraform, providers].filter((problem): problem is string => problem !== undefined);
}

/**
 * The problems with deploying into the local AWS (`npm run deploy -- --local`): terraform and the
 * providers only. No credentials are looked for (the local AWS's own pair is used, or yours as it
 * checks them), and the Region is the stack's, set for the run.
 */
export async function localDeployProblems(env: NodeJS.ProcessEnv, probes: PreflightProbes = sdkProbes(env)): Promise<string[]> {
  const terraform = terraformProblem(probes.terraformVersion(), env);
  const providers = await providersProblem(env, probes, "cdktf.out.local-aws");
  return [terraform, providers].filter((problem): problem is string => problem !== undefined);
}

/**
 * terraform init downloads hashicorp/aws and hashicorp/archive from the Terraform registry unless
 * a mirror it reads holds them (a filesystem_mirror of its CLI configuration, or an implied mirror
 * folder). Neither: one line, instead of init's error printed twice by cdktf. The mirror is looked
 * at first, so a machine with one never touches the network here.
 */
async function providersProblem(env: NodeJS.ProcessEnv, probes: PreflightProbes, output = "cdktf.out"): Promise<string | undefined> {
  const missing = probes.providersNotMirrored();
  // Through a proxy terraform may reach the registry when this machine cannot connect directly.
  if (missing.length === 0 || PROXY_VARIABLES.some((name) => env[name])) {
    return undefined;
  }
  const code = await probes.registryUnreachable();
  if (code === undefined) {
    return undefined;
  }
  const wanted = PROVIDERS.map(providerName).join(", ");
  return (
    `terraform init cannot get the providers (${wanted}): ${new URL(TERRAFORM_REGISTRY).host} does not answer (${code}), and no mirror terraform reads holds ${missing.join(" or ")}. ` +
    'Connect to the internet, or name a filled mirror in terraform\'s CLI configuration: provider_installation { filesystem_mirror { path = "DIR" } } ' +
    `(https://developer.hashicorp.com/terraform/cli/config/config-file#provider-installation; \`terraform providers mirror DIR\` in ${output}/stacks/<name> fills one).`
  );
}

/**
 * The SDK's standard chain (environment, shared config and profiles, SSO, process, web identity,
 * then the container and instance metadata endpoints), as terraform's aws provider resolves
 * credentials. On a laptop the chain ends at the instance metadata service, which the SDK skips
 * when AWS_EC2_METADATA_DISABLED is true; otherwise the deadline bounds the wait.
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html
 */
async function credentialsProblem(probes: PreflightProbes, deadlineMs: number): Promise<string | undefined> {
  const outcome = await withDeadline(
    probes.findCredentials().then(
      () => ({ found: true as const }),
      (error: unknown) => ({ found: false as const, reason: firstLine(error) }),
    ),
    deadlineMs,
  );
  if (outcome?.found) {
    return undefined;
  }
  const why = outcome === undefined ? `the credential chain did not answer within ${deadlineMs / 1000} s` : outcome.reason;
  return `No AWS credentials found (${why}): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run aws sso login.`;
}

/**
 * The stack deploys to AWS_REGION, else us-east-1. With AWS_REGION unset while your AWS settings
 * (AWS_DEFAULT_REGION, or the profile's `region`) name another Region, a deploy would land where
 * you did not expect, and a destroy would look for the stack in the wrong place: say which to set.
 */
async function regionProblem(env: NodeJS.ProcessEnv, probes: PreflightProbes): Promise<string | undefined> {
  if (env.AWS_REGION) {
    return undefined;
  }
  const { region } = readConfig(env);
  const yours = env.AWS_DEFAULT_REGION ? { region: env.AWS_DEFAULT_REGION, from: "AWS_DEFAULT_REGION" } : undefined;
  const other = yours ?? (await probes.profileRegion().then((r) => (r ? { region: r, from: "your AWS profile's region" } : undefined)));
  if (other === undefined || other.region === region) {
    return undefined;
  }
  return `AWS_REGION is unset, so the stack goes to ${region}, but ${other.from} is ${other.region}: set AWS_REGION=${other.region} (or AWS_REGION=${region} to use ${region}).`;
}

/** terraform missing, or older than the stack needs. cdktf runs `$TERRAFORM_BINARY_NAME`, else `terraform`. */
function terraformProblem(found: ReturnType<PreflightProbes["terraformVersion"]>, env: NodeJS.ProcessEnv): string | undefined {
  const binary = env.TERRAFORM_BINARY_NAME || "terraform";
  const install = `install terraform ${MIN_TERRAFORM_VERSION} or newer (https://developer.hashicorp.com/terraform/install)`;
  if ("error" in found) {
    return `${binary} cannot run (${found.error}): ${install}, and put it on your PATH.`;
  }
  if (compareVersions(found.version, MIN_TERRAFORM_VERSION) < 0) {
    return `${binary} is ${found.version}, older than the ${MIN_TERRAFORM_VERSION} this stack needs (S3 state locking): ${install}.`;
  }
  return undefined;
}

/** Negative, zero or positive as `a` is older than, the same as or newer than `b` (dotted numbers). */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string): number[] => v.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The providers the mirrors terraform init reads do not hold: the filesystem_mirror paths of
 * its CLI configuration when that declares provider_installation, else its implied mirror
 * folders. (TF_PLUGIN_DIR is the terraform check's own variable: init does not read it. A mirror's
 * include and exclude patterns are not read.)
 * @see https://developer.hashicorp.com/terraform/cli/config/config-file#implied-local-mirror-directories
 */
export function providersNotMirrored(env: NodeJS.ProcessEnv): string[] {
  const { files } = readCliConfig(env);
  const dirs = files.some((file) => file.declaresInstallation) ? files.flatMap((file) => file.mirrors) : impliedMirrorDirs(env);
  return PROVIDERS.filter((provider) => !dirs.some((dir) => mirrorHolds(dir, provider))).map(providerName);
}

const PROVIDERS = [AWS_PROVIDER, ARCHIVE_PROVIDER];

/** `hashicorp/aws 5.100.0`. */
function providerName(provider: { address: string; version: string }): string {
  return `${provider.address.replace("registry.terraform.io/", "")} ${provider.version}`;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0].trim();
}

/**
 * The real probes: the AWS SDK (loaded only here, it is large) and the terraform binary cdktf
 * will run. The SDK reads the process's own environment, which is `env` when run as a script.
 */
function sdkProbes(env: NodeJS.ProcessEnv): PreflightProbes {
  return {
    async findCredentials() {
      const { defaultProvider } = await import("@aws-sdk/credential-provider-node");
      return defaultProvider()();
    },
    async profileRegion() {
      const { getProfileName, loadSharedConfigFiles } = await import("@smithy/core/config");
      try {
        const { configFile } = await loadSharedConfigFiles();
        return configFile[getProfileName({})]?.region;
      } catch {
        return undefined;
      }
    },
    providersNotMirrored: () => providersNotMirrored(env),
    registryUnreachable: () => unreachableCode(TERRAFORM_REGISTRY),
    terraformVersion() {
      const binary = env.TERRAFORM_BINARY_NAME || "terraform";
      // CHECKPOINT_DISABLE: `terraform version` would otherwise ask HashiCorp for a newer release.
      const result = spawnSync(binary, ["version", "-json"], {
        encoding: "utf8",
        env: { ...env, CHECKPOINT_DISABLE: "1" },
        timeout: 15_000,
      });
      if (result.error) {
        return { error: (result.error as NodeJS.ErrnoException).code ?? result.error.message };
      }
      try {
        const version = (JSON.parse(result.stdout) as { terraform_version?: unknown }).terraform_version;
        if (typeof version === "string") return { version };
      } catch {
        // Older than 0.13 (no -json), or not terraform: the version line says which.
      }
      const line = /Terraform v(\d+\.\d+\.\d+)/.exec(result.stdout)?.[1];
      return line ? { version: line } : { error: `exit ${result.status}, no version in its output` };
    },
  };
}
