// Where to send the request: a given URL, the local Function URL, or the deployed stack's
// `function_url` output, read with `terraform output -json`.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { readConfig } from "../../lib/config";

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

/** The deployed stack's function_url and auth_type, from `terraform output -json` in its stack folder. */
export function deployedUrl(projectRoot: string, env: NodeJS.ProcessEnv): { url: string; authType?: string } {
  const { stackName } = readConfig(env);
  const stackDir = path.join(projectRoot, "cdktf.out", "stacks", stackName);
  if (!fs.existsSync(path.join(stackDir, "cdk.tf.json"))) {
    throw new TargetError(
      `No URL found: ${path.relative(projectRoot, stackDir)} is not synthesized. Deploy with \`npm run deploy\`, pass --url URL, or use --local.`,
    );
  }
  const result = spawnSync("terraform", [`-chdir=${stackDir}`, "output", "-json"], {
    encoding: "utf8",
    env: { ...env, CHECKPOINT_DISABLE: "1" },
  });
  if (result.error) {
    throw new TargetError(
      `No URL found: terraform could not run (${result.error.message}). Install terraform, pass --url URL, or use --local.`,
    );
  }
  let outputs: Record<string, { value?: unknown }> = {};
  try {
    outputs = JSON.parse(result.stdout || "{}");
  } catch {
    outputs = {};
  }
  const url = outputs.function_url?.value;
  if (result.status !== 0 || typeof url !== "string") {
    throw new TargetError(
      `No URL found: the stack ${stackName} has no function_url output (is it deployed? \`npm run deploy\`). Pass --url URL, or use --local.`,
    );
  }
  const authType = outputs.auth_type?.value;
  return { url, ...(typeof authType === "string" ? { authType } : {}) };
}
