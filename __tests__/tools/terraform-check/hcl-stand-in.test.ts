// The offline preparation of a stack synthesized as HCL as a module of the check's root, on HCL
// shaped as cdktf renders it (no terraform needed; hcl-export.test.ts runs the real
// `cdktf synth --hcl` and terraform on it).

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  anchorArchiveSourcesInHcl,
  HCL_PROVIDERS_FILE,
  HCL_STACK_FILE,
  OFFLINE_OVERRIDE_FILE,
  offlineOverride,
  prepareHclModule,
  removeBackendFromHcl,
  standInForArchiveFilesInHcl,
  takeOutProvidersFromHcl,
} from "../../../tools/terraform-check/hcl-stand-in";
import { OFFLINE_PROVIDER_SETTINGS } from "../../../tools/terraform-check/offline-config";

/** The aws provider block as cdktf renders this stack's. */
const AWS_PROVIDER = [
  'provider "aws" {',
  "  default_tags {",
  "    tags = {",
  '      project = "lambda-streaming"',
  "    }",
  "  }",
  '  region = "us-east-1"',
  "}",
  "",
].join("\n");

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
    AWS_PROVIDER,
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
    expect(hcl).toContain(AWS_PROVIDER);
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

  test("the root's override file adds the offline provider settings", () => {
    expect(offlineOverride()).toEqual({ provider: { aws: [OFFLINE_PROVIDER_SETTINGS] } });
  });

  test("takes the backend block out: a module has none", () => {
    const hcl = removeBackendFromHcl(stackHcl());
    expect(hcl).not.toMatch(/backend|terraform\.demo\.tfstate/);
    expect(hcl).toContain(
      ["    archive = {", '      version = "2.7.1"', '      source  = "hashicorp/archive"', "    }", "  }", "}"].join("\n"),
    );
    expect(() => removeBackendFromHcl(stackHcl().replace('  backend "local" {', '  backend "local"   {'))).toThrow(
      "a backend block is left in the HCL after the check removed it; cdktf rendered it in a form this check does not know.",
    );
  });

  test("moves the provider blocks out, as cdktf wrote them, for the root", () => {
    const { hcl, providers } = takeOutProvidersFromHcl(stackHcl());
    expect(providers).toBe(`${AWS_PROVIDER}\n${'provider "archive" {\n}\n'}`);
    expect(hcl).not.toMatch(/^provider /m);
    expect(hcl).toContain('data "archive_file" "zip" {');
    expect(() => takeOutProvidersFromHcl(stackHcl().replace('provider "aws" {', 'provider "aws"  {'))).toThrow(
      "a provider block is left in the HCL after the check moved them; cdktf rendered it in a form this check does not know.",
    );
  });

  test("for the real archive provider, anchors a relative source_dir to the module's folder", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not a JavaScript template
    expect(anchorArchiveSourcesInHcl(stackHcl())).toEqual({ zip: { source_dir: "${path.module}/assets/bundle/ABC" } });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not a JavaScript template
    for (const kept of ['"/abs/ABC"', '"${path.root}/ABC"']) {
      expect(anchorArchiveSourcesInHcl(stackHcl().replace('"assets/bundle/ABC"', kept))).toEqual({});
    }
    expect(anchorArchiveSourcesInHcl(stackHcl().replace('  source_dir       = "assets/bundle/ABC"\n', ""))).toEqual({});
  });

  test.each([
    [false, "zips in place of archive_file"],
    [true, "leaves archive_file to the real provider, its source_dir anchored"],
  ])("prepares a module (mirror has the archive provider: %s) and %s", (hasArchive) => {
    fs.writeFileSync(path.join(stackDir, HCL_STACK_FILE), stackHcl());
    const moduleDir = path.join(stackDir, "..", `${path.basename(stackDir)}-root`, "NONE");
    try {
      const prepared = prepareHclModule(stackDir, moduleDir, { dir: "/mirror", foundBy: "TF_PLUGIN_DIR", hasArchive });
      expect(prepared.dir).toBe(moduleDir);
      expect(prepared.standIns).toHaveLength(hasArchive ? 0 : 1);
      const hcl = fs.readFileSync(path.join(moduleDir, HCL_STACK_FILE), "utf8");
      expect(hcl.includes("archive_file")).toBe(hasArchive);
      expect(hcl).not.toMatch(/^provider |backend/m);
      // The providers go to the root, with the override that makes them offline.
      expect(prepared.rootFiles).toEqual({
        [HCL_PROVIDERS_FILE]: hasArchive ? `${AWS_PROVIDER}\nprovider "archive" {\n}\n` : AWS_PROVIDER,
        [OFFLINE_OVERRIDE_FILE]: JSON.stringify(offlineOverride(), null, 2),
      });
      const moduleOverride = path.join(moduleDir, OFFLINE_OVERRIDE_FILE);
      expect(fs.existsSync(moduleOverride)).toBe(hasArchive);
      if (hasArchive) {
        expect(JSON.parse(fs.readFileSync(moduleOverride, "utf8"))).toEqual({
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not a JavaScript template
          data: { archive_file: { zip: { source_dir: "${path.module}/assets/bundle/ABC" } } },
        });
      }
      // The stack folder itself is untouched.
      expect(fs.readFileSync(path.join(stackDir, HCL_STACK_FILE), "utf8")).toBe(stackHcl());
    } finally {
      fs.rmSync(path.dirname(moduleDir), { recursive: true, force: true });
    }
  });

  test("names a folder without a cdk.tf, and the fix", () => {
    expect(() => prepareHclModule(stackDir, `${stackDir}-work`, { dir: "/mirror", foundBy: "TF_PLUGIN_DIR", hasArchive: false })).toThrow(
      `${stackDir} holds no cdk.tf; synthesize it with \`cdktf synth --hcl\` first.`,
    );
  });
});
