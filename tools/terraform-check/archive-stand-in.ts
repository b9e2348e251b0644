// Stands in for `data "archive_file"` when the hashicorp/archive provider is not available
// offline: zips each `source_dir` in Node (deterministically) and writes the zip's path and
// SHA-256 into the JSON (or, through hcl-stand-in.ts, the HCL) wherever the data source's
// attributes are referenced. Used only on the check's private copy of a stack; the stack itself
// always uses the real provider.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { zipFolder } from "../zip-folder";
import type { TerraformJson } from "./terraform-json";

/** The attributes of archive_file this stand-in can provide. */
const PROVIDED = ["output_path", "output_base64sha256", "output_sha256", "output_size"] as const;

export interface StandInArchive {
  readonly name: string;
  /** The zip, relative to the stack folder. */
  readonly outputPath: string;
  readonly base64sha256: string;
  readonly size: number;
}

/** A stand-in zip and the values of the data source's attributes that refer to it. */
export interface StandInZip {
  readonly archive: StandInArchive;
  readonly values: Readonly<Record<(typeof PROVIDED)[number], string>>;
}

/**
 * Zips one archive_file's `source_dir` (relative to `stackDir`, the folder the configuration's
 * relative paths start from) and writes the zip where its `output_path` says.
 * @throws Error when the data source is not a zip of a source_dir.
 */
export function buildStandInZip(name: string, config: Readonly<Record<string, unknown>>, stackDir: string): StandInZip {
  const sourceDir = String(config.source_dir);
  if (config.type !== "zip" || config.source_dir === undefined) {
    throw new Error(`data.archive_file.${name}: the stand-in zips a source_dir only (got type ${JSON.stringify(config.type)}).`);
  }
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not a JavaScript template
  const outputPath = String(config.output_path).replace("${path.module}", ".");
  const zip = zipFolder(path.resolve(stackDir, sourceDir), parseInt(String(config.output_file_mode ?? "0644"), 8));
  fs.mkdirSync(path.dirname(path.resolve(stackDir, outputPath)), { recursive: true });
  fs.writeFileSync(path.resolve(stackDir, outputPath), zip);
  const values = {
    // Relative to the module, whichever folder terraform runs in (the check's copy is a child
    // module: a plain relative path would be read from the root).
    output_path: path.isAbsolute(outputPath) ? outputPath : `\${path.module}/${path.posix.normalize(outputPath)}`,
    output_base64sha256: createHash("sha256").update(zip).digest("base64"),
    output_sha256: createHash("sha256").update(zip).digest("hex"),
    output_size: String(zip.length),
  };
  return { archive: { name, outputPath, base64sha256: values.output_base64sha256, size: zip.length }, values };
}

/**
 * `text` with every `${data.archive_file.<name>.<attribute>}` replaced by the stand-in's value.
 * @throws Error naming the attribute, when the text uses one this stand-in cannot provide.
 */
export function replaceArchiveReferences(text: string, standIn: StandInZip): string {
  const reference = new RegExp(`\\$\\{data\\.archive_file\\.${escapeRegExp(standIn.archive.name)}\\.([a-z0-9_]+)\\}`, "g");
  return text.replace(reference, (whole, attribute: string) => {
    if (!(attribute in standIn.values)) {
      throw new Error(
        `${whole}: the archive stand-in provides only ${PROVIDED.join(", ")}; use the real hashicorp/archive provider for ${attribute}.`,
      );
    }
    return standIn.values[attribute as keyof StandInZip["values"]];
  });
}

/**
 * Returns `json` with every `data.archive_file` replaced by a zip built here (written into
 * `stackDir`, the folder the JSON's relative paths start from), and without the archive
 * provider, which then has nothing left to do.
 * @throws Error naming the attribute, when the JSON uses one this stand-in cannot provide.
 */
export function standInForArchiveFiles(json: TerraformJson, stackDir: string): { json: TerraformJson; archives: StandInArchive[] } {
  const archives = json.data?.archive_file ?? {};
  const made: StandInArchive[] = [];
  let text = JSON.stringify(json);
  for (const [name, config] of Object.entries(archives)) {
    const standIn = buildStandInZip(name, config, stackDir);
    text = replaceArchiveReferences(text, standIn);
    made.push(standIn.archive);
  }
  const replaced = JSON.parse(text) as TerraformJson;
  if (replaced.data) {
    delete replaced.data.archive_file;
    if (Object.keys(replaced.data).length === 0) {
      delete replaced.data;
    }
  }
  delete replaced.provider?.archive;
  delete replaced.terraform?.required_providers?.archive;
  if (JSON.stringify(replaced).includes("data.archive_file.")) {
    throw new Error(
      "a reference to data.archive_file is left after the stand-in replaced them; the JSON uses a form this check does not know.",
    );
  }
  return { json: replaced, archives: made };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
