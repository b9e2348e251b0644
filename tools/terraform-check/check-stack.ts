// Checks a synthesized stack with the real terraform binary and the real aws provider, offline:
// copy the stack folder to a working folder, make the copy offline, then init, validate, plan.

import * as fs from "node:fs";
import * as path from "node:path";
import { type StandInArchive, standInForArchiveFiles } from "./archive-stand-in";
import { makeOffline, offlineEnvironment, writeConfigFiles } from "./offline-config";
import type { PluginMirror } from "./plugin-mirror";
import { runTerraform, type TerraformRun } from "./terraform";
import type { TerraformJson } from "./terraform-json";

/** The file cdktf writes in each stack folder. */
export const STACK_FILE = "cdk.tf.json";

/** A terraform step failed; the message carries terraform's own output, verbatim. */
export class TerraformCheckError extends Error {
  constructor(
    readonly step: string,
    readonly workdir: string,
    readonly run: TerraformRun,
  ) {
    super(`terraform ${step} failed (exit code ${run.code}) in ${workdir}:\n${run.stdout}${run.stderr}`);
    this.name = "TerraformCheckError";
  }
}

export interface PreparedWorkdir {
  readonly dir: string;
  /** The zips built in place of data.archive_file, or empty when the real provider zips. */
  readonly standIns: readonly StandInArchive[];
}

export interface PlanResult {
  /** Terraform's own summary line, e.g. "Plan: 5 to add, 0 to change, 0 to destroy." */
  readonly summary: string;
  /** How many resources of each type the plan creates. */
  readonly creates: Readonly<Record<string, number>>;
}

/**
 * Copies `stackDir` to `workdir` and rewrites the copy to plan offline. Without the archive
 * provider in the mirror, data.archive_file is replaced by a zip built here.
 */
export function prepareWorkdir(stackDir: string, workdir: string, mirror: PluginMirror): PreparedWorkdir {
  if (!fs.existsSync(path.join(stackDir, STACK_FILE))) {
    throw new Error(`${stackDir} holds no ${STACK_FILE}; run \`npm run synth\` first or pass a synthesized stack folder.`);
  }
  fs.rmSync(workdir, { recursive: true, force: true });
  fs.cpSync(stackDir, workdir, { recursive: true });
  const original = JSON.parse(fs.readFileSync(path.join(workdir, STACK_FILE), "utf8")) as TerraformJson;
  const offline = makeOffline(original);
  const { json, archives } = mirror.hasArchive ? { json: offline, archives: [] } : standInForArchiveFiles(offline, workdir);
  fs.writeFileSync(path.join(workdir, STACK_FILE), JSON.stringify(json, null, 2));
  writeConfigFiles(workdir);
  return { dir: workdir, standIns: archives };
}

/** What `terraform init` leaves in a working folder: the provider links and the lock file. */
const INIT_STATE = [".terraform", ".terraform.lock.hcl"];

/**
 * Gives `workdir` the init of `initializedWorkdir`, so it need not init again. Both must need the
 * same providers and backend, as every mode of this stack does once it is made offline.
 */
export function reuseInit(initializedWorkdir: string, workdir: string): void {
  for (const name of INIT_STATE) {
    fs.cpSync(path.join(initializedWorkdir, name), path.join(workdir, name), { recursive: true, verbatimSymlinks: true });
  }
}

/** `terraform init` against the local mirror only: the provider is linked, not downloaded. */
export async function initWorkdir(workdir: string, mirror: PluginMirror): Promise<void> {
  await step("init", workdir, ["init", "-input=false", "-no-color", `-plugin-dir=${mirror.dir}`]);
}

/** `terraform validate`: schema, types, references and the provider's own value checks. */
export async function validateWorkdir(workdir: string): Promise<void> {
  await step("validate", workdir, ["validate", "-no-color"]);
}

/**
 * `terraform plan -refresh=false`: its summary line, and what it creates, read from the
 * "# <address> will be created" lines of terraform's own output.
 */
export async function planWorkdir(workdir: string): Promise<PlanResult> {
  const plan = await step("plan", workdir, ["plan", "-refresh=false", "-input=false", "-lock=false", "-no-color"]);
  const summary = plan.stdout.match(/^(Plan: .*|No changes\..*)$/m)?.[1];
  if (summary === undefined) {
    throw new TerraformCheckError("plan (no summary line found)", workdir, plan);
  }
  const creates: Record<string, number> = {};
  for (const [, address] of plan.stdout.matchAll(/^ {2}# (\S+) will be created$/gm)) {
    const type = address.split(".")[0];
    creates[type] = (creates[type] ?? 0) + 1;
  }
  return { summary, creates };
}

/** Prepare, init, validate and plan one stack folder. */
export async function checkStack(stackDir: string, workdir: string, mirror: PluginMirror): Promise<PreparedWorkdir & PlanResult> {
  const prepared = prepareWorkdir(stackDir, workdir, mirror);
  await initWorkdir(workdir, mirror);
  await validateWorkdir(workdir);
  return { ...prepared, ...(await planWorkdir(workdir)) };
}

async function step(name: string, workdir: string, args: string[]): Promise<TerraformRun> {
  const run = await runTerraform(args, workdir, offlineEnvironment(workdir));
  if (run.code !== 0) {
    throw new TerraformCheckError(name, workdir, run);
  }
  return run;
}
