// The deployed stack's outputs (function_url, public_url, function_name, region, …), which
// `npm run invoke`, `npm run url` and --api read. With local state they are read from the state
// file itself, so they need neither `terraform init` nor a synthesized stack; with S3 state,
// `terraform output -json` in the stack folder reads them.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { readConfig } from "../../lib/config";
import { localAwsStatePath, localStatePath, s3StateKey } from "../../lib/state-location";
import { notFound, type OutputLookup, TargetError } from "./target-error";

export type Outputs = Record<string, { value?: unknown } | undefined>;

/** The stack's folder under the project: where cdktf writes it and terraform runs. */
function stackFolder(projectRoot: string, stackName: string): string {
  return path.join(projectRoot, "cdktf.out", "stacks", stackName);
}

/** The local state file: the backend's path, resolved against the stack folder as terraform does. */
export function localStateFile(projectRoot: string, stackName: string): string {
  return path.resolve(stackFolder(projectRoot, stackName), localStatePath(stackName));
}

/** The state of the stack deployed into the local AWS (`npm run deploy -- --local`), beside the real one. */
export function localAwsStateFile(projectRoot: string, stackName: string): string {
  return path.resolve(projectRoot, "cdktf.out.local-aws", "stacks", stackName, localAwsStatePath(stackName));
}

/**
 * The outputs in a Terraform state file (format version 4 keeps them under `outputs.<name>.value`).
 * @see https://developer.hashicorp.com/terraform/language/state
 */
export function readStateOutputs(stateFile: string, lookup: OutputLookup): Outputs {
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
