// Where to send the request: a given URL, the local Function URL (as `npm start` records it), or
// the deployed stack's URL (its `public_url` output when it has one, else `function_url`); and the
// deployed stack's outputs, which --api reads too. With local state the outputs are read from the
// state file itself, so they need neither `terraform init` nor a synthesized stack; with S3
// state, `terraform output -json` in the stack folder reads them.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { readConfig } from "../../lib/config";
import { localStatePath, s3StateKey } from "../../lib/state-location";
import { type LocalUrlRecord, readLocalUrlRecord, removeStaleLocalUrlRecords } from "../../support/local-url-record";

export class TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TargetError";
  }
}

/** A Function URL's host names its Region: `<url-id>.lambda-url.<region>.on.aws`. */
export function regionOfUrl(url: URL): string | undefined {
  return /^[^.]+\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(url.hostname)?.[1];
}

/** The local Function URL `npm start` serves by default. */
export function localUrl(env: NodeJS.ProcessEnv): string {
  return `http://127.0.0.1:${env.PORT || 3000}/`;
}

/**
 * A local Function URL to call: the one a running `npm start` recorded, or the default address;
 * with the entries of servers that are gone, which were removed on the way.
 */
export type LocalTarget = (
  | { readonly recorded: LocalUrlRecord; readonly url: string }
  | { readonly recorded?: undefined; readonly url: string }
) & { readonly stale: readonly LocalUrlRecord[] };

/**
 * The URL `npm start` recorded at the project root while it runs (any port, its auth type and
 * Region). Entries of servers killed without cleaning up are removed first (and returned, to be
 * named). Without a record, the default address ($PORT, else 3000): a server started by other
 * means (an older checkout, a test) records nothing, and trying costs one refused connection.
 */
export function localTarget(projectRoot: string, env: NodeJS.ProcessEnv): LocalTarget {
  const stale = removeStaleLocalUrlRecords(projectRoot);
  const recorded = readLocalUrlRecord(projectRoot);
  return recorded ? { recorded, url: recorded.url, stale } : { url: localUrl(env), stale };
}

export type Outputs = Record<string, { value?: unknown } | undefined>;

/** What `npm run invoke` suggests when it finds no deployed URL; other commands say their own (or nothing). */
export const INVOKE_OTHERWISE = "Pass --url URL, or use --local.";

/**
 * What a caller looks for in the outputs, for its error lines: "No URL found: …", "No function
 * found: …", each ending with what else to do (`otherwise`; empty for nothing).
 */
export interface OutputLookup {
  readonly what: string;
  readonly otherwise: string;
}

const URL_LOOKUP: OutputLookup = { what: "URL", otherwise: INVOKE_OTHERWISE };

/** `No <what> found: sentence`, then what else to do, if anything. */
export function notFound(lookup: OutputLookup, sentence: string): string {
  const line = `No ${lookup.what} found: ${sentence}`;
  return lookup.otherwise === "" ? line : `${line} ${lookup.otherwise}`;
}

/** The stack's folder under the project: where cdktf writes it and terraform runs. */
function stackFolder(projectRoot: string, stackName: string): string {
  return path.join(projectRoot, "cdktf.out", "stacks", stackName);
}

/** The local state file: the backend's path, resolved against the stack folder as terraform does. */
export function localStateFile(projectRoot: string, stackName: string): string {
  return path.resolve(stackFolder(projectRoot, stackName), localStatePath(stackName));
}

/**
 * The outputs in a Terraform state file (format version 4 keeps them under `outputs.<name>.value`).
 * @see https://developer.hashicorp.com/terraform/language/state
 */
export function readStateOutputs(stateFile: string, lookup: OutputLookup = URL_LOOKUP): Outputs {
  let text: string;
  try {
    text = fs.readFileSync(stateFile, "utf8");
  } catch {
    return {};
  }
  try {
    const state = JSON.parse(text) as { outputs?: Outputs };
    return state.outputs ?? {};
  } catch {
    throw new TargetError(notFound(lookup, `${stateFile} is not a Terraform state file (not JSON).`));
  }
}

/** `terraform output -json` in the stack folder, for remote (S3) state. */
function terraformOutputs(projectRoot: string, stackName: string, env: NodeJS.ProcessEnv, lookup: OutputLookup): Outputs {
  const stackDir = stackFolder(projectRoot, stackName);
  const relative = path.relative(projectRoot, stackDir);
  if (!fs.existsSync(path.join(stackDir, "cdk.tf.json"))) {
    throw new TargetError(
      notFound(
        lookup,
        `${relative} is not synthesized, and its state is in S3. Run \`npm run synth\` (or deploy with \`npm run deploy\`).`,
      ),
    );
  }
  const result = spawnSync("terraform", [`-chdir=${stackDir}`, "output", "-json"], {
    encoding: "utf8",
    env: { ...env, CHECKPOINT_DISABLE: "1" },
  });
  if (result.error) {
    throw new TargetError(notFound(lookup, `terraform could not run (${result.error.message}). Install terraform.`));
  }
  if (result.status !== 0 && /terraform init/.test(result.stderr ?? "")) {
    throw new TargetError(
      notFound(lookup, `the S3 backend of ${relative} is not initialized. Run \`terraform -chdir=${relative} init\` once.`),
    );
  }
  try {
    return result.status === 0 ? JSON.parse(result.stdout || "{}") : {};
  } catch {
    return {};
  }
}

/** The deployed stack's outputs, and where they were read (the state file, or the S3 object), for error lines. */
export interface DeployedOutputs {
  readonly outputs: Outputs;
  readonly stackName: string;
  /** `terraform.<stack>.tfstate` (relative to the project), or `s3://bucket/key`. */
  readonly where: string;
}

/**
 * The deployed stack's outputs: from the local state file at the project root or, when the stack
 * keeps its state in S3, from `terraform output -json` in its folder.
 */
export function readDeployedOutputs(projectRoot: string, env: NodeJS.ProcessEnv, lookup: OutputLookup): DeployedOutputs {
  const { stackName, stateBucket } = readConfig(env);
  const outputs = stateBucket
    ? terraformOutputs(projectRoot, stackName, env, lookup)
    : readStateOutputs(localStateFile(projectRoot, stackName), lookup);
  const where = stateBucket
    ? `s3://${stateBucket}/${s3StateKey(stackName)}`
    : path.relative(projectRoot, localStateFile(projectRoot, stackName));
  return { outputs, stackName, where };
}

/** A deployed URL, and how it is called. */
export interface DeployedUrl {
  readonly url: string;
  /** `NONE`: call it unsigned. Absent when the state does not say (an older stack). */
  readonly authType?: string;
}

/**
 * The deployed stack's URL and how to call it (see {@link readDeployedOutputs}). A stack published
 * through CloudFront has a `public_url` output: that is the address callers use, unsigned
 * (CloudFront signs each request to the `AWS_IAM` function URL with its origin access control),
 * so it wins over `function_url`, which only the distribution may call.
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-lambda.html
 * @param otherwise what else to do when there is no URL: {@link INVOKE_OTHERWISE} for `npm run invoke`
 */
export function deployedUrl(projectRoot: string, env: NodeJS.ProcessEnv, otherwise: string = INVOKE_OTHERWISE): DeployedUrl {
  const lookup = { what: "URL", otherwise };
  const { outputs, stackName, where } = readDeployedOutputs(projectRoot, env, lookup);
  const publicUrl = outputs.public_url?.value;
  if (typeof publicUrl === "string" && publicUrl !== "") {
    return { url: publicUrl, authType: "NONE" };
  }
  const url = outputs.function_url?.value;
  if (typeof url !== "string" || url === "") {
    throw new TargetError(
      notFound(lookup, `the stack ${stackName} has no function_url output in ${where} (is it deployed? \`npm run deploy\`).`),
    );
  }
  const authType = outputs.auth_type?.value;
  return { url, ...(typeof authType === "string" ? { authType } : {}) };
}
