// Prepares a stack synthesized as HCL (`cdktf synth --hcl`, a cdk.tf) as a module of the offline
// check's root: its provider blocks moved to the root as cdktf wrote them, with the same offline
// settings as for JSON in an override file that Terraform merges into them; its backend block
// taken out (a module has none); and the same archive stand-in, applied to the HCL text.
// @see https://developer.hashicorp.com/terraform/language/files/override

import * as fs from "node:fs";
import * as path from "node:path";
import { buildStandInZip, replaceArchiveReferences, type StandInArchive } from "./archive-stand-in";
import type { PreparedModule } from "./check-stack";
import { OFFLINE_PROVIDER_SETTINGS } from "./offline-config";
import type { PluginMirror } from "./plugin-mirror";
import type { Block, TerraformJson } from "./terraform-json";

/** The file `cdktf synth --hcl` writes in each stack folder. */
export const HCL_STACK_FILE = "cdk.tf";

/** Terraform merges a file named `*_override.tf.json` into the blocks the other files declare. */
export const OFFLINE_OVERRIDE_FILE = "offline_override.tf.json";

/** The root's file for the provider blocks taken out of HCL stacks, as cdktf wrote them. */
export const HCL_PROVIDERS_FILE = "providers.tf";

/**
 * The root's override: the aws provider's skip flags and loopback endpoints, merged into the
 * stack's own provider block, whose region and default tags stay.
 */
export function offlineOverride(): TerraformJson {
  return { provider: { aws: [structuredClone(OFFLINE_PROVIDER_SETTINGS) as unknown as Record<string, unknown>] } };
}

/** A top-level block as cdktf renders it: its header line, its body, and `}` alone on a line. */
const ARCHIVE_DATA_BLOCK = /^data "archive_file" "([^"]+)" \{\n([\s\S]*?)^\}\n?/gm;
const ARCHIVE_PROVIDER_BLOCK = /^provider "archive" \{\n[\s\S]*?^\}\n?/m;
const ARCHIVE_REQUIREMENT = /^([ \t]+)archive = \{\n[\s\S]*?\n\1\}\n/m;
/** A top-level provider block as cdktf renders it. */
const PROVIDER_BLOCK = /^provider "[^"]+" \{\n[\s\S]*?^\}\n?/gm;
/** A `backend "<type>" { … }` block inside the terraform block, its `}` indented as its header. */
const BACKEND_BLOCK = /^([ \t]+)backend "[^"]+" \{\n[\s\S]*?\n\1\}\n/m;
/** `name = "value"`, one per line, as cdktf renders a data source's string arguments. */
const STRING_ARGUMENT = /^[ \t]+([a-z_]+)[ \t]*=[ \t]*("(?:[^"\\]|\\.)*")[ \t]*$/gm;

/**
 * Returns `hcl` with every `data "archive_file"` replaced by a zip built here (written into
 * `stackDir`), and without the archive provider block or requirement.
 * @throws Error when an archive reference or block is left in a form this check does not know.
 */
export function standInForArchiveFilesInHcl(hcl: string, stackDir: string): { hcl: string; archives: StandInArchive[] } {
  const made: StandInArchive[] = [];
  let text = hcl;
  for (const [block, name, body] of hcl.matchAll(ARCHIVE_DATA_BLOCK)) {
    const config = Object.fromEntries([...body.matchAll(STRING_ARGUMENT)].map(([, key, value]) => [key, JSON.parse(value) as string]));
    const standIn = buildStandInZip(name, config, stackDir);
    text = replaceArchiveReferences(text.replace(block, ""), standIn);
    made.push(standIn.archive);
  }
  text = text.replace(ARCHIVE_PROVIDER_BLOCK, "").replace(ARCHIVE_REQUIREMENT, "");
  for (const left of ["archive_file", 'provider "archive"', "hashicorp/archive"]) {
    if (text.includes(left)) {
      throw new Error(
        `${left} is left in the HCL after the archive stand-in replaced it; cdktf rendered it in a form this check does not know.`,
      );
    }
  }
  return { hcl: text, archives: made };
}

/**
 * `hcl` without its backend block: the stack's own backend is not the check's business, and in a
 * child module terraform ignores it with a warning ("Backend configuration ignored").
 * @throws Error when a backend is left in a form this check does not know.
 */
export function removeBackendFromHcl(hcl: string): string {
  const text = hcl.replace(BACKEND_BLOCK, "");
  if (/^[ \t]*backend[ \t]+"/m.test(text)) {
    throw new Error("a backend block is left in the HCL after the check removed it; cdktf rendered it in a form this check does not know.");
  }
  return text;
}

/**
 * `hcl` without its provider blocks, and those blocks, to go in the root (see
 * PreparedModule.rootFiles in check-stack.ts for why).
 * @throws Error when a provider block is left in a form this check does not know.
 */
export function takeOutProvidersFromHcl(hcl: string): { hcl: string; providers: string } {
  const blocks = [...hcl.matchAll(PROVIDER_BLOCK)].map(([block]) => (block.endsWith("\n") ? block : `${block}\n`));
  const text = hcl.replace(PROVIDER_BLOCK, "");
  if (/^provider[ \t]+"/m.test(text)) {
    throw new Error(
      "a provider block is left in the HCL after the check moved them; cdktf rendered it in a form this check does not know.",
    );
  }
  return { hcl: text, providers: blocks.join("\n") };
}

/**
 * For the real archive provider: each archive_file's relative `source_dir`, prefixed with
 * `${path.module}/`, to go into the module's override. Terraform resolves a relative path in an
 * argument from its working folder, which is the check's root, not the stack.
 * https://developer.hashicorp.com/terraform/language/expressions/references#filesystem-and-workspace-info
 */
export function anchorArchiveSourcesInHcl(hcl: string): Record<string, Block> {
  const anchored: Record<string, Block> = {};
  for (const [, name, body] of hcl.matchAll(ARCHIVE_DATA_BLOCK)) {
    const sourceDir = [...body.matchAll(STRING_ARGUMENT)].find(([, key]) => key === "source_dir")?.[2];
    const value = sourceDir === undefined ? undefined : (JSON.parse(sourceDir) as string);
    if (value !== undefined && !value.startsWith("${") && !path.isAbsolute(value)) {
      anchored[name] = { source_dir: `\${path.module}/${value}` };
    }
  }
  return anchored;
}

/**
 * Copies `stackDir` (a stack synthesized with `cdktf synth --hcl`) to `moduleDir` and makes the
 * copy plan offline as a module of the check's root; without the archive provider in the mirror,
 * data.archive_file is replaced by a zip built here. The HCL itself is otherwise left as cdktf
 * wrote it, but for its backend block and its provider blocks (moved to the root).
 */
export function prepareHclModule(stackDir: string, moduleDir: string, mirror: PluginMirror): PreparedModule {
  if (!fs.existsSync(path.join(stackDir, HCL_STACK_FILE))) {
    throw new Error(`${stackDir} holds no ${HCL_STACK_FILE}; synthesize it with \`cdktf synth --hcl\` first.`);
  }
  fs.rmSync(moduleDir, { recursive: true, force: true });
  fs.cpSync(stackDir, moduleDir, { recursive: true });
  const file = path.join(moduleDir, HCL_STACK_FILE);
  const written = removeBackendFromHcl(fs.readFileSync(file, "utf8"));
  const standIn = mirror.hasArchive ? { hcl: written, archives: [] } : standInForArchiveFilesInHcl(written, moduleDir);
  const { hcl, providers } = takeOutProvidersFromHcl(standIn.hcl);
  fs.writeFileSync(file, hcl);
  const anchored = mirror.hasArchive ? anchorArchiveSourcesInHcl(hcl) : {};
  if (Object.keys(anchored).length > 0) {
    const override: TerraformJson = { data: { archive_file: anchored } };
    fs.writeFileSync(path.join(moduleDir, OFFLINE_OVERRIDE_FILE), JSON.stringify(override, null, 2));
  }
  return {
    dir: moduleDir,
    standIns: standIn.archives,
    rootFiles: { [HCL_PROVIDERS_FILE]: providers, [OFFLINE_OVERRIDE_FILE]: JSON.stringify(offlineOverride(), null, 2) },
  };
}
