// Runs the terraform binary and collects what it prints.

import { spawn, spawnSync } from "node:child_process";

export interface TerraformRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The terraform binary's version, or undefined when `terraform` is not on PATH. */
export function terraformVersion(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const result = spawnSync("terraform", ["version", "-json"], { env: { ...env, CHECKPOINT_DISABLE: "1" }, encoding: "utf8" });
  if (result.error || result.status !== 0) {
    return undefined;
  }
  return (JSON.parse(result.stdout) as { terraform_version: string }).terraform_version;
}

/** Runs `terraform <args>` in `cwd`. */
export function runTerraform(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<TerraformRun> {
  return new Promise((resolve, reject) => {
    const child = spawn("terraform", [...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ code, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") }),
    );
  });
}
