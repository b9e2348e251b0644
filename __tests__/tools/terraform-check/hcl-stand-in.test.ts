// The offline preparation of a stack synthesized as HCL, on HCL shaped as cdktf renders it (no
// terraform needed; hcl-export.test.ts runs the real `cdktf synth --hcl` and terraform on it).

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  HCL_STACK_FILE,
  OFFLINE_OVERRIDE_FILE,
  offlineOverride,
  prepareHclWorkdir,
  standInForArchiveFilesInHcl,
} from "../../../tools/terraform-check/hcl-stand-in";
import { CONFIG_FILES, OFFLINE_PROVIDER_SETTINGS } from "../../../tools/terraform-check/offline-config";

/** A cdk.tf as `cdktf synth --hcl` renders this stack's archive parts (see cdktf's lib/hcl/render.js). */
function stackHcl(attribute = "output_base64sha256"): string {
  return [
    "terraform {",
    "  required_providers {",
    "    aws = {",
    '      version = "5.100.0"',
    '      source  = "aws"',
    "    }",
    "    archive = {",
    '      version = "2.7.1"',
    '      source  = "hashicorp/archive"',
    "    }",
    "  }",
    '  backend "local" {',
    '    path = "../../../terraform.demo.tfstate"',
    "  }",
    "}",
    "",
    'provider "aws" {',
    '  region = "us-east-1"',
    "}",
    "",
    'provider "archive" {',
    "}",
    'data "archive_file" "zip" {',
    '  output_file_mode = "0644"',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not a JavaScript template
    '  output_path      = "${path.module}/dist/fn.zip"',
    '  source_dir       = "assets/bundle/ABC"',
    '  type             = "zip"',
    "}",
    'resource "aws_lambda_function" "fn" {',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not a JavaScript template
    '  filename         = "${data.archive_file.zip.output_path}"',
    `  source_code_hash = "\${data.archive_file.zip.${attribute}}"`,
    "}",
    "",
  ].join("\n");
}

describe("HCL stand-in", () => {
  let stackDir: string;
  beforeEach(() => {
    stackDir = fs.mkdtempSync(path.join(os.tmpdir(), "ls-hcl-standin-"));
    fs.mkdirSync(path.join(stackDir, "assets", "bundle", "ABC"), { recursive: true });
    fs.writeFileSync(path.join(stackDir, "assets", "bundle", "ABC", "index.js"), "exports.handler = 1;\n");
  });
  afterEach(() => fs.rmSync(stackDir, { recursive: true, force: true }));

  test("writes the zip, puts its path and SHA-256 where the HCL referred to the data source, and drops the archive provider", () => {
    const { hcl, archives } = standInForArchiveFilesInHcl(stackHcl(), stackDir);
    const zip = fs.readFileSync(path.join(stackDir, "dist", "fn.zip"));
    const sha = createHash("sha256").update(zip).digest("base64");
    expect(archives).toEqual([{ name: "zip", outputPath: "./dist/fn.zip", base64sha256: sha, size: zip.length }]);
    expect(hcl).toContain(
      [
        'resource "aws_lambda_function" "fn" {',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not a JavaScript template
        '  filename         = "${path.module}/dist/fn.zip"',
        `  source_code_hash = "${sha}"`,
        "}",
      ].join("\n"),
    );
    expect(hcl).not.toMatch(/archive/);
    // Everything else as cdktf wrote it.
    expect(hcl).toContain(["    aws = {", '      version = "5.100.0"', '      source  = "aws"', "    }", "  }"].join("\n"));
    expect(hcl).toContain(['provider "aws" {', '  region = "us-east-1"', "}"].join("\n"));
  });

  test("refuses an attribute it cannot provide, naming it", () => {
    expect(() => standInForArchiveFilesInHcl(stackHcl("output_md5"), stackDir)).toThrow(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not a JavaScript template
      "${data.archive_file.zip.output_md5}: the archive stand-in provides only output_path",
    );
  });

  test("refuses HCL whose archive parts it does not recognise, rather than plan something else", () => {
    const reshaped = stackHcl().replace('data "archive_file" "zip" {', 'data "archive_file" "zip"   {');
    expect(() => standInForArchiveFilesInHcl(reshaped, stackDir)).toThrow(
      "archive_file is left in the HCL after the archive stand-in replaced it; cdktf rendered it in a form this check does not know.",
    );
  });

  test("the override file adds the offline provider settings and a local backend in the working folder", () => {
    expect(offlineOverride()).toEqual({
      provider: { aws: [OFFLINE_PROVIDER_SETTINGS] },
      terraform: { backend: { local: { path: "terraform.tfstate" } } },
    });
  });

  test.each([
    [false, "zips in place of archive_file"],
    [true, "leaves archive_file to the real provider"],
  ])("prepares a copy (mirror has the archive provider: %s) and %s", (hasArchive) => {
    fs.writeFileSync(path.join(stackDir, HCL_STACK_FILE), stackHcl());
    const workdir = path.join(stackDir, "..", `${path.basename(stackDir)}-work`);
    try {
      const prepared = prepareHclWorkdir(stackDir, workdir, { dir: "/mirror", foundBy: "TF_PLUGIN_DIR", hasArchive });
      expect(prepared.standIns).toHaveLength(hasArchive ? 0 : 1);
      expect(fs.readFileSync(path.join(workdir, HCL_STACK_FILE), "utf8").includes("archive_file")).toBe(hasArchive);
      expect(JSON.parse(fs.readFileSync(path.join(workdir, OFFLINE_OVERRIDE_FILE), "utf8"))).toEqual(offlineOverride());
      expect(fs.existsSync(path.join(workdir, CONFIG_FILES.terraform.name))).toBe(true);
      // The stack folder itself is untouched.
      expect(fs.readFileSync(path.join(stackDir, HCL_STACK_FILE), "utf8")).toBe(stackHcl());
    } finally {
      fs.rmSync(workdir, { recursive: true, force: true });
    }
  });

  test("names a folder without a cdk.tf, and the fix", () => {
    expect(() => prepareHclWorkdir(stackDir, `${stackDir}-work`, { dir: "/mirror", foundBy: "TF_PLUGIN_DIR", hasArchive: false })).toThrow(
      `${stackDir} holds no cdk.tf; synthesize it with \`cdktf synth --hcl\` first.`,
    );
  });
});
