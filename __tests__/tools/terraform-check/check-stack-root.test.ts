// The check's generated root and the reading of its one plan, with no terraform
// (check-stack.test.ts runs the real terraform and provider on the same shapes).

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  anchorArchiveSources,
  modulesNamedIn,
  PROVIDERS_FILE,
  type PreparedModule,
  prepareModule,
  ROOT_FILE,
  readCombinedPlan,
  STACK_FILE,
  TerraformCheckError,
  writeRoot,
} from "../../../tools/terraform-check/check-stack";
import { CONFIG_FILES, OFFLINE_PROVIDER_SETTINGS } from "../../../tools/terraform-check/offline-config";
import type { TerraformJson } from "../../../tools/terraform-check/terraform-json";

const NO_ARCHIVE = { dir: "/mirror", foundBy: "TF_PLUGIN_DIR" as const, hasArchive: false };

/** A stack as cdktf writes it, with what the check rewrites: provider, backend, archive_file. */
function stackJson(): TerraformJson {
  return {
    terraform: {
      required_providers: { aws: { source: "aws", version: "5.100.0" }, archive: { source: "hashicorp/archive", version: "2.7.1" } },
      backend: { local: { path: "../../../terraform.demo.tfstate" } },
    },
    provider: { aws: [{ region: "us-east-1" }], archive: [{}] },
    data: {
      archive_file: {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not a JavaScript template
        zip: { type: "zip", source_dir: "assets/bundle/ABC", output_path: "${path.module}/dist/fn.zip", output_file_mode: "0644" },
      },
    },
    resource: {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not a JavaScript template
      aws_lambda_function: { fn: { filename: "${data.archive_file.zip.output_path}", runtime: "nodejs22.x" } },
    },
  };
}

/** terraform plan's output for `lines`, as it prints them with -no-color. */
function planOutput(lines: string[], summary: string): { code: number; stdout: string; stderr: string } {
  const body = lines.map((address) => `  # ${address} will be created\n  + resource "x" "y" {\n    }\n`).join("\n");
  return { code: 0, stdout: `Terraform will perform the following actions:\n\n${body}\n${summary}\n`, stderr: "" };
}

describe("the check's root", () => {
  let scratch: string;
  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ls-root-"));
  });
  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

  function stackFolder(json: TerraformJson = stackJson()): string {
    const stack = path.join(scratch, "stack");
    fs.mkdirSync(path.join(stack, "assets", "bundle", "ABC"), { recursive: true });
    fs.writeFileSync(path.join(stack, "assets", "bundle", "ABC", "index.js"), "exports.handler = 1;\n");
    fs.writeFileSync(path.join(stack, STACK_FILE), JSON.stringify(json));
    return stack;
  }

  test("a module copy has no provider and no backend; its offline provider goes to the root", () => {
    const prepared = prepareModule(stackFolder(), path.join(scratch, "root", "AWS_IAM"), NO_ARCHIVE);
    const module = JSON.parse(fs.readFileSync(path.join(prepared.dir, STACK_FILE), "utf8")) as TerraformJson;
    expect(module.provider).toBeUndefined();
    expect(module.terraform).toEqual({ required_providers: { aws: { source: "aws", version: "5.100.0" } } });
    expect(prepared.standIns).toHaveLength(1);
    expect(Object.keys(prepared.rootFiles)).toEqual([PROVIDERS_FILE]);
    expect(JSON.parse(prepared.rootFiles[PROVIDERS_FILE])).toEqual({
      provider: { aws: [{ region: "us-east-1", ...OFFLINE_PROVIDER_SETTINGS }] },
    });
  });

  test("with the real archive provider, the module keeps archive_file, its source_dir anchored to the module", () => {
    const prepared = prepareModule(stackFolder(), path.join(scratch, "root", "NONE"), { ...NO_ARCHIVE, hasArchive: true });
    const module = JSON.parse(fs.readFileSync(path.join(prepared.dir, STACK_FILE), "utf8")) as TerraformJson;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not a JavaScript template
    expect(module.data?.archive_file?.zip.source_dir).toBe("${path.module}/assets/bundle/ABC");
    expect(JSON.parse(prepared.rootFiles[PROVIDERS_FILE]).provider.archive).toEqual([{}]);
  });

  test("anchors only relative source_dirs", () => {
    const json = stackJson();
    const zip = json.data?.archive_file?.zip as Record<string, unknown>;
    zip.source_dir = "/abs/ABC";
    expect(anchorArchiveSources(json).data?.archive_file?.zip.source_dir).toBe("/abs/ABC");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not a JavaScript template
    zip.source_dir = "${path.root}/ABC";
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not a JavaScript template
    expect(anchorArchiveSources(json).data?.archive_file?.zip.source_dir).toBe("${path.root}/ABC");
    expect(anchorArchiveSources({ resource: {} })).toEqual({ resource: {} });
  });

  test("writes one module block per module, the shared providers and the stand-in configuration files", () => {
    const root = path.join(scratch, "root");
    const modules = Object.fromEntries(
      ["AWS_IAM", "NONE"].map((name) => [name, prepareModule(stackFolder(), path.join(root, name), NO_ARCHIVE)]),
    );
    writeRoot(root, modules);
    expect(JSON.parse(fs.readFileSync(path.join(root, ROOT_FILE), "utf8"))).toEqual({
      module: { AWS_IAM: { source: "./AWS_IAM" }, NONE: { source: "./NONE" } },
    });
    expect(fs.readFileSync(path.join(root, PROVIDERS_FILE), "utf8")).toBe(modules.AWS_IAM.rootFiles[PROVIDERS_FILE]);
    expect(fs.existsSync(path.join(root, CONFIG_FILES.terraform.name))).toBe(true);
  });

  test("refuses modules whose providers differ, a module outside its folder, and a name terraform would not take", () => {
    const root = path.join(scratch, "root");
    const module = (name: string, region = "us-east-1"): PreparedModule => ({
      dir: path.join(root, name),
      standIns: [],
      rootFiles: { [PROVIDERS_FILE]: JSON.stringify({ provider: { aws: [{ region }] } }) },
    });
    expect(() => writeRoot(root, { AWS_IAM: module("AWS_IAM"), NONE: module("NONE", "eu-west-1") })).toThrow(
      "the provider configuration of NONE differs from AWS_IAM's; the modules of one root share one, so check them in separate roots.",
    );
    expect(() => writeRoot(root, { NONE: module("elsewhere") })).toThrow(
      `module NONE is prepared in ${path.join(root, "elsewhere")}; the root ${root} needs it in ${path.join(root, "NONE")}.`,
    );
    expect(() => writeRoot(root, { "../up": module("../up") })).toThrow(
      '"../up" cannot name a module: use letters, digits, "_" and "-", starting with a letter or "_".',
    );
  });
});

describe("reading the one plan of several modules", () => {
  test("each module's count comes from its own 'will be created' lines, and they add up to terraform's summary", () => {
    const run = planOutput(
      [
        "module.AWS_IAM.aws_iam_role.role",
        "module.AWS_IAM.aws_lambda_permission.a",
        "module.AWS_IAM.aws_lambda_permission.b",
        "module.NONE.aws_lambda_permission.a[0]",
        'module.NONE.module.inner.aws_iam_role.r["x y"]',
      ],
      "Plan: 5 to add, 0 to change, 0 to destroy.",
    );
    run.stdout += "\nWarning: Quoted references are deprecated\n\n  on NONE/cdk.tf line 3:\n\n(and 3 more similar warnings elsewhere)\n";
    expect(readCombinedPlan(run, "/root", ["AWS_IAM", "NONE", "cloudfront"])).toEqual({
      summary: "Plan: 5 to add, 0 to change, 0 to destroy.",
      modules: {
        AWS_IAM: { summary: "Plan: 3 to add, 0 to change, 0 to destroy.", creates: { aws_iam_role: 1, aws_lambda_permission: 2 } },
        NONE: { summary: "Plan: 2 to add, 0 to change, 0 to destroy.", creates: { aws_lambda_permission: 1, aws_iam_role: 1 } },
        cloudfront: { summary: "Plan: 0 to add, 0 to change, 0 to destroy.", creates: {} },
      },
      warnings: ["Quoted references are deprecated"],
    });
  });

  test.each([
    ["a change terraform counts but no module line shows", ["module.NONE.aws_iam_role.role"], "Plan: 1 to add, 1 to change, 0 to destroy."],
    [
      "a creation outside the modules",
      ["module.NONE.aws_iam_role.role", "aws_iam_role.root"],
      "Plan: 2 to add, 0 to change, 0 to destroy.",
    ],
  ])("refuses a plan whose modules do not add up to terraform's summary: %s", (_what, lines, summary) => {
    expect(() => readCombinedPlan(planOutput(lines, summary), "/root", ["NONE"])).toThrow(
      new RegExp(
        `^terraform plan \\(its summary "${summary.replace(/\./g, "\\.")}" is not the 1 creations found in modules NONE\\) failed`,
      ),
    );
  });

  test("refuses output without a summary line", () => {
    expect(() => readCombinedPlan({ code: 0, stdout: "nothing\n", stderr: "" }, "/root", ["NONE"])).toThrow(
      /^terraform plan \(no summary line found\) failed \(exit code 0\) in \/root:\nnothing/,
    );
  });

  test("a failure names the modules its diagnostics name, by address or by file", () => {
    const modules = ["AWS_IAM", "NONE", "cloudfront", "cloud"];
    expect(modulesNamedIn("Error: x\n\n  with module.cloudfront.aws_iam_role.r,\n  on cloudfront/cdk.tf.json line 9:\n", modules)).toEqual([
      "cloudfront",
    ]);
    // A file that does not parse has no address, only its file.
    expect(modulesNamedIn("Error: Syntax error\n\n  on NONE/cdk.tf.json line 1:\n", modules)).toEqual(["NONE"]);
    expect(modulesNamedIn("Error: Failed to query available provider packages\n", modules)).toEqual([]);
    const error = new TerraformCheckError("plan", "/root", { code: 1, stdout: "", stderr: "Error: x\n\n  on NONE/cdk.tf.json line 1:\n" }, [
      "NONE",
    ]);
    expect(error.message).toBe("terraform plan failed for NONE (exit code 1) in /root:\nError: x\n\n  on NONE/cdk.tf.json line 1:\n");
    expect(error.name).toBe("TerraformCheckError");
  });
});
