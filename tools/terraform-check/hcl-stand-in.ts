// Prepares a stack synthesized as HCL (`cdktf synth --hcl`, a cdk.tf) for the offline check: the
// same offline settings as for JSON, given in an override file that Terraform merges into the
// configuration, and the same archive stand-in, applied to the HCL text cdktf renders.
// @see https://developer.hashicorp.com/terraform/language/files/override

import * as fs from "node:fs";
import * as path from "node:path";
import { buildStandInZip, replaceArchiveReferences, type StandInArchive } from "./archive-stand-in";
import type { PreparedWorkdir } from "./check-stack";
import { OFFLINE_PROVIDER_SETTINGS, writeConfigFiles } from "./offline-config";
import type { PluginMirror } from "./plugin-mirror";
import type { TerraformJson } from "./terraform-json";

/** The file `cdktf synth --hcl` writes in each stack folder. */
export const HCL_STACK_FILE = "cdk.tf";

/** Terraform merges a file named `*_override.tf.json` into the blocks the other files declare. */
export const OFFLINE_OVERRIDE_FILE = "offline_override.tf.json";

/**
 * The override: the aws provider's skip flags and loopback endpoints (merged into the stack's own
 * provider block, whose region and default tags stay), and a local backend in the working folder
 * (an override's backend replaces the stack's).
 */
export function offlineOverride(): TerraformJson {
  return {
    provider: { aws: [structuredClone(OFFLINE_PROVIDER_SETTINGS) as unknown as Record<string, unknown>] },
    terraform: { backend: { local: { path: "terraform.tfstate" } } },
  };
}

/** A top-level block as cdktf renders it: its header line, its body, and `}` alone on a line. */
const ARCHIVE_DATA_BLOCK = /^data "archive_file" "([^"]+)" \{\n([\s\S]*?)^\}\n?/gm;
const ARCHIVE_PROVIDER_BLOCK = /^provider "archive" \{\n[\s\S]*?^\}\n?/m;
const ARCHIVE_REQUIREMENT = /^([ \t]+)archive = \{\n[\s\S]*?\n\1\}\n/m;
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
 * Copies `stackDir` (a stack synthesized with `cdktf synth --hcl`) to `workdir` and makes the copy
 * plan offline; without the archive provider in the mirror, data.archive_file is replaced by a
 * zip built here. The HCL itself is otherwise left as cdktf wrote it.
 */
export function prepareHclWorkdir(stackDir: string, workdir: string, mirror: PluginMirror): PreparedWorkdir {
  if (!fs.existsSync(path.join(stackDir, HCL_STACK_FILE))) {
    throw new Error(`${stackDir} holds no ${HCL_STACK_FILE}; synthesize it with \`cdktf synth --hcl\` first.`);
  }
  fs.rmSync(workdir, { recursive: true, force: true });
  fs.cpSync(stackDir, workdir, { recursive: true });
  const file = path.join(workdir, HCL_STACK_FILE);
  const { hcl, archives } = mirror.hasArchive
    ? { hcl: fs.readFileSync(file, "utf8"), archives: [] }
    : standInForArchiveFilesInHcl(fs.readFileSync(file, "utf8"), workdir);
  fs.writeFileSync(file, hcl);
  fs.writeFileSync(path.join(workdir, OFFLINE_OVERRIDE_FILE), JSON.stringify(offlineOverride(), null, 2));
  writeConfigFiles(workdir);
  return { dir: workdir, standIns: archives };
}
