// Checks synthesized stacks with the real terraform binary and the real aws provider, offline:
// each stack copied and made offline as a child module of one generated root, which holds the
// one provider configuration they share; then one init and one plan for them all.

import * as fs from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { type StandInArchive, standInForArchiveFiles } from "./archive-stand-in";
import { makeOffline, offlineEnvironment, writeConfigFiles } from "./offline-config";
import type { PluginMirror } from "./plugin-mirror";
import { runTerraform, type TerraformRun } from "./terraform";
import type { TerraformJson } from "./terraform-json";

/** The file cdktf writes in each stack folder. */
export const STACK_FILE = "cdk.tf.json";

/** The generated root's configuration: one module block per stack copy. */
export const ROOT_FILE = "main.tf.json";

/** The root's file for the provider configuration taken out of JSON stacks. */
export const PROVIDERS_FILE = "providers.tf.json";

/** A module's name is its folder's name and the `module.<name>` in terraform's addresses. */
const MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** A terraform step failed; the message names the failing modules and carries terraform's own output, verbatim. */
export class TerraformCheckError extends Error {
  constructor(
    readonly step: string,
    readonly workdir: string,
    readonly run: TerraformRun,
    /** The modules terraform's diagnostics name (`module.<name>.…` or `on <name>/…`). */
    readonly failingModules: readonly string[] = [],
  ) {
    const which = failingModules.length > 0 ? ` for ${failingModules.join(", ")}` : "";
    super(`terraform ${step} failed${which} (exit code ${run.code}) in ${workdir}:\n${run.stdout}${run.stderr}`);
    this.name = "TerraformCheckError";
  }
}

export interface PreparedModule {
  /** The module's folder: `<root>/<module name>`. */
  readonly dir: string;
  /** The zips built in place of data.archive_file, or empty when the real provider zips. */
  readonly standIns: readonly StandInArchive[];
  /**
   * The stack's provider configuration, taken out of the module to go in the root (file name →
   * contents); every module of a root must have the same. Child modules inherit the root's
   * providers, so one provider process serves them all. With a provider block in each module,
   * terraform starts one more provider process per module to validate and one more to plan, and
   * the aws provider builds its schema (seconds of CPU) in each.
   * https://developer.hashicorp.com/terraform/language/modules/develop/providers#implicit-provider-inheritance
   */
  readonly rootFiles: Readonly<Record<string, string>>;
}

export interface ModulePlan {
  /** This module's share of the plan, e.g. "Plan: 6 to add, 0 to change, 0 to destroy." */
  readonly summary: string;
  /** How many resources of each type the plan creates in this module. */
  readonly creates: Readonly<Record<string, number>>;
}

export interface CombinedPlan {
  /** Terraform's own summary line for the whole run, e.g. "Plan: 23 to add, 0 to change, 0 to destroy." */
  readonly summary: string;
  /** Each module's plan, by module name. */
  readonly modules: Readonly<Record<string, ModulePlan>>;
  /**
   * The summary of each warning terraform printed ("Warning: <summary>"), in order. Terraform
   * prints the first of several alike in full and folds the rest into "(and N more similar
   * warnings elsewhere)", so each kind is here, not each occurrence.
   */
  readonly warnings: readonly string[];
}

/**
 * Copies `stackDir` to `moduleDir` and rewrites the copy to plan offline as a module of the
 * generated root. Without the archive provider in the mirror, data.archive_file is replaced by a
 * zip built here; with it, the archive's relative `source_dir` is anchored to the module's folder.
 */
export function prepareModule(stackDir: string, moduleDir: string, mirror: PluginMirror): PreparedModule {
  if (!fs.existsSync(path.join(stackDir, STACK_FILE))) {
    throw new Error(`${stackDir} holds no ${STACK_FILE}; run \`npm run synth\` first or pass a synthesized stack folder.`);
  }
  fs.rmSync(moduleDir, { recursive: true, force: true });
  fs.cpSync(stackDir, moduleDir, { recursive: true });
  const original = JSON.parse(fs.readFileSync(path.join(moduleDir, STACK_FILE), "utf8")) as TerraformJson;
  const offline = makeOffline(original);
  const { json, archives } = mirror.hasArchive
    ? { json: anchorArchiveSources(offline), archives: [] }
    : standInForArchiveFiles(offline, moduleDir);
  const { provider, ...module } = json;
  fs.writeFileSync(path.join(moduleDir, STACK_FILE), JSON.stringify(module, null, 2));
  const rootFiles: Record<string, string> = provider === undefined ? {} : { [PROVIDERS_FILE]: JSON.stringify({ provider }, null, 2) };
  return { dir: moduleDir, standIns: archives, rootFiles };
}

/**
 * `json` with each archive_file's relative `source_dir` prefixed with `${path.module}/`: terraform
 * resolves a relative path in an argument from its working folder, which is now the root, not
 * the stack. https://developer.hashicorp.com/terraform/language/expressions/references#filesystem-and-workspace-info
 */
export function anchorArchiveSources(json: TerraformJson): TerraformJson {
  const copy = structuredClone(json);
  for (const config of Object.values(copy.data?.archive_file ?? {})) {
    if (typeof config.source_dir === "string" && !config.source_dir.startsWith("${") && !path.isAbsolute(config.source_dir)) {
      config.source_dir = `\${path.module}/${config.source_dir}`;
    }
  }
  return copy;
}

/**
 * Writes the root configuration in `rootDir`: one module block per prepared module (each in the
 * child folder of its name), the provider configuration they share, and the files that stand in
 * for the user's configuration.
 * @throws Error when a module is not in its folder, or when the modules' providers differ.
 */
export function writeRoot(rootDir: string, modules: Readonly<Record<string, PreparedModule>>): void {
  const names = Object.keys(modules);
  assertModuleNames(names);
  for (const name of names) {
    if (path.resolve(modules[name].dir) !== path.resolve(rootDir, name)) {
      throw new Error(`module ${name} is prepared in ${modules[name].dir}; the root ${rootDir} needs it in ${path.join(rootDir, name)}.`);
    }
  }
  const rootFiles = names.length > 0 ? modules[names[0]].rootFiles : {};
  const differing = names.filter((name) => !isDeepStrictEqual(modules[name].rootFiles, rootFiles));
  if (differing.length > 0) {
    throw new Error(
      `the provider configuration of ${differing.join(", ")} differs from ${names[0]}'s; the modules of one root share one, so check them in separate roots.`,
    );
  }
  const module = Object.fromEntries(names.map((name) => [name, { source: `./${name}` }]));
  fs.mkdirSync(rootDir, { recursive: true });
  fs.writeFileSync(path.join(rootDir, ROOT_FILE), JSON.stringify({ module }, null, 2));
  for (const [file, contents] of Object.entries(rootFiles)) {
    fs.writeFileSync(path.join(rootDir, file), contents);
  }
  writeConfigFiles(rootDir);
}

/** @throws Error naming a module name terraform would not accept (it is also a folder name). */
function assertModuleNames(names: readonly string[]): void {
  for (const name of names) {
    if (!MODULE_NAME.test(name)) {
      throw new Error(`${JSON.stringify(name)} cannot name a module: use letters, digits, "_" and "-", starting with a letter or "_".`);
    }
  }
}

/** `terraform init` against the local mirror only: the provider is linked, not downloaded. */
function initArgs(mirror: PluginMirror): string[] {
  return ["init", "-input=false", "-no-color", `-plugin-dir=${mirror.dir}`];
}

/**
 * `terraform plan -refresh=false`. No separate `terraform validate`: plan "includes an implied
 * validation check" (https://developer.hashicorp.com/terraform/cli/commands/validate), so a broken
 * module fails here with the same diagnostics, and the provider's schema is built once fewer.
 */
const PLAN_ARGS = ["plan", "-refresh=false", "-input=false", "-lock=false", "-no-color"];

/** Init, then plan, in `rootDir`: the step that ended it and its run, passed or failed. */
async function initAndPlan(rootDir: string, mirror: PluginMirror): Promise<{ step: "init" | "plan"; run: TerraformRun }> {
  const env = offlineEnvironment(rootDir);
  const init = await runTerraform(initArgs(mirror), rootDir, env);
  if (init.code !== 0) {
    return { step: "init", run: init };
  }
  return { step: "plan", run: await runTerraform(PLAN_ARGS, rootDir, env) };
}

/**
 * What a successful `terraform plan` of the root in `rootDir` says: terraform's summary, each
 * module's share, the warnings.
 * @throws TerraformCheckError when the output has no summary, or one the modules' lines do not add up to.
 */
export function readCombinedPlan(plan: TerraformRun, rootDir: string, modules: readonly string[]): CombinedPlan {
  const summary = plan.stdout.match(/^(Plan: .*|No changes\..*)$/m)?.[1];
  if (summary === undefined) {
    throw new TerraformCheckError("plan (no summary line found)", rootDir, plan);
  }
  // Terraform prints one summary line for the whole run. Each module's count comes from the
  // "# module.<name>.<type>.<name> will be created" lines terraform prints for that module.
  const creates: Record<string, Record<string, number>> = Object.fromEntries(modules.map((name) => [name, {}]));
  let created = 0;
  for (const [, name, type] of plan.stdout.matchAll(
    /^ {2}# module\.([^.\s]+)\.(?:module\.[^.\s]+\.)*([a-z0-9_]+)\..+ will be created$/gm,
  )) {
    if (creates[name] !== undefined) {
      creates[name][type] = (creates[name][type] ?? 0) + 1;
      created += 1;
    }
  }
  // With no prior state a plan can only create. Anything else, or a creation outside the modules,
  // would make terraform's total differ from the modules' sum, and a module's line untrue.
  if (summary !== `Plan: ${created} to add, 0 to change, 0 to destroy.`) {
    throw new TerraformCheckError(
      `plan (its summary "${summary}" is not the ${created} creations found in modules ${modules.join(", ")})`,
      rootDir,
      plan,
    );
  }
  const perModule = Object.fromEntries(
    modules.map((name) => {
      const count = Object.values(creates[name]).reduce((sum, n) => sum + n, 0);
      return [name, { summary: `Plan: ${count} to add, 0 to change, 0 to destroy.`, creates: creates[name] }];
    }),
  );
  const warnings = [...`${plan.stdout}${plan.stderr}`.matchAll(/^Warning: (.*)$/gm)].map(([, warning]) => warning);
  return { summary, modules: perModule, warnings };
}

/**
 * Writes the root for `modules` (prepared in its child folders), inits it and plans it: one
 * terraform run.
 * @throws TerraformCheckError naming the failing modules when init or plan fails.
 */
export async function checkModules(
  rootDir: string,
  modules: Readonly<Record<string, PreparedModule>>,
  mirror: PluginMirror,
): Promise<CombinedPlan> {
  writeRoot(rootDir, modules);
  const names = Object.keys(modules);
  const { step, run } = await initAndPlan(rootDir, mirror);
  if (run.code !== 0) {
    throw new TerraformCheckError(step, rootDir, run, modulesNamedIn(`${run.stdout}${run.stderr}`, names));
  }
  return readCombinedPlan(run, rootDir, names);
}

export interface CheckedStacks extends Omit<CombinedPlan, "modules"> {
  /** Each stack's share of the plan and its stand-in zips, by the name it was given. */
  readonly stacks: Readonly<Record<string, PreparedModule & ModulePlan>>;
}

/** Prepares each stack folder of `stacks` (name → folder) as a module of one root in `rootDir`, then one init and one plan. */
export async function checkStacks(stacks: Readonly<Record<string, string>>, rootDir: string, mirror: PluginMirror): Promise<CheckedStacks> {
  const names = Object.keys(stacks);
  assertModuleNames(names);
  const prepared = Object.fromEntries(names.map((name) => [name, prepareModule(stacks[name], path.join(rootDir, name), mirror)]));
  const { modules, ...plan } = await checkModules(rootDir, prepared, mirror);
  return { ...plan, stacks: Object.fromEntries(names.map((name) => [name, { ...prepared[name], ...modules[name] }])) };
}

/** The modules of `modules` terraform's diagnostics name: in an address (`module.<name>.`) or a file (`on <name>/`). */
export function modulesNamedIn(output: string, modules: readonly string[]): string[] {
  return modules.filter((name) => output.includes(`module.${name}.`) || output.includes(` on ${name}/`));
}
