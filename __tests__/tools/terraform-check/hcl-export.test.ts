// The first exit from cdktf works: `cdktf synth --hcl` (the real CLI, as a user would run it)
// writes plain Terraform that the real terraform binary and hashicorp/aws 5.100.0 validate and
// plan offline, with the same mirror as the JSON check. Needs terraform and the mirror; without
// them this suite is reported as skipped, with the reason; with CI=true it fails.

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { initWorkdir, planWorkdir, reuseInit, STACK_FILE } from "../../../tools/terraform-check/check-stack";
import { HCL_STACK_FILE, prepareHclWorkdir } from "../../../tools/terraform-check/hcl-stand-in";
import { offlineEnvironment } from "../../../tools/terraform-check/offline-config";
import { findPluginMirror, type PluginMirror } from "../../../tools/terraform-check/plugin-mirror";
import { MODE_VARIABLES } from "../../../tools/terraform-check/synth-modes";
import { runTerraform, terraformVersion } from "../../../tools/terraform-check/terraform";
import { describeWhenAvailable, missingReason } from "../../helpers/requirements";

const ROOT = path.join(__dirname, "..", "..", "..");
const CDKTF = path.join(ROOT, "node_modules", ".bin", "cdktf");
const TIMEOUT = 240_000;
/** Public direct and public through CloudFront: together, every resource type the stack has. */
const MODES = ["NONE", "cloudfront"] as const;

interface Diagnostic {
  readonly severity: "error" | "warning";
  readonly summary: string;
}

const missing = terraformVersion() === undefined ? "terraform is not on PATH" : missingReason(() => findPluginMirror());

describeWhenAvailable("cdktf synth --hcl, checked offline by terraform", missing, () => {
  let scratch: string;
  let mirror: PluginMirror;
  const stackDirs: Record<string, string> = {};
  const validations: Record<string, { valid: boolean; diagnostics: Diagnostic[] }> = {};
  const plans: Record<string, Awaited<ReturnType<typeof planWorkdir>>> = {};

  beforeAll(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ls-hcl-export-"));
    mirror = findPluginMirror();
    // The command a user runs to leave cdktf, once per mode, side by side.
    await Promise.all(
      MODES.map(async (mode) => {
        // Its parent must exist: cdktf creates only the output folder itself.
        const outdir = path.join(scratch, `synth-${mode}`);
        await promisify(execFile)(CDKTF, ["synth", "--hcl", "--output", outdir], {
          cwd: ROOT,
          env: { ...process.env, ...MODE_VARIABLES[mode], CHECKPOINT_DISABLE: "1" },
          timeout: TIMEOUT / 2,
        }).catch((error: { code?: number; stdout?: string; stderr?: string }) => {
          // Without terraform's complaint that no ~/.terraformrc exists, which cdktf repeats as an error.
          const said = `${error.stdout ?? ""}${error.stderr ?? ""}`
            .split("\n")
            .filter((line) => !/terraformrc|CLI configuration|^[│╷╵]|^\s*$/.test(line));
          throw new Error(`cdktf synth --hcl (${mode}) failed with exit code ${error.code}:\n${said.join("\n")}`);
        });
        stackDirs[mode] = path.join(outdir, "stacks", "lambda-streaming");
      }),
    );
    const workdirs = Object.fromEntries(
      MODES.map((mode) => [mode, prepareHclWorkdir(stackDirs[mode], path.join(scratch, "work", mode), mirror).dir]),
    );
    await initWorkdir(workdirs.NONE, mirror);
    reuseInit(workdirs.NONE, workdirs.cloudfront);
    await Promise.all(
      MODES.map(async (mode) => {
        // -json: every diagnostic, warnings included, so a new one is noticed here.
        const run = await runTerraform(["validate", "-json", "-no-color"], workdirs[mode], offlineEnvironment(workdirs[mode]));
        validations[mode] = JSON.parse(run.stdout);
        plans[mode] = await planWorkdir(workdirs[mode]);
      }),
    );
  }, TIMEOUT);

  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  test("writes HCL, cdk.tf, and no JSON", () => {
    for (const mode of MODES) {
      expect(fs.existsSync(path.join(stackDirs[mode], HCL_STACK_FILE))).toBe(true);
      expect(fs.existsSync(path.join(stackDirs[mode], STACK_FILE))).toBe(false);
    }
    expect(fs.readFileSync(path.join(stackDirs.cloudfront, HCL_STACK_FILE), "utf8")).toMatch(
      /^resource "aws_cloudfront_origin_access_control" "[^"]+" \{$/m,
    );
  });

  test("the policies that hold a reference come out as jsonencode, which HCL can carry", () => {
    const hcl = fs.readFileSync(path.join(stackDirs.cloudfront, HCL_STACK_FILE), "utf8");
    const policies = [...hcl.matchAll(/^ {2}policy += (.*)$/gm)].map((m) => m[1]);
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy).toMatch(/^"\$\{jsonencode\(\{ "Version" = "2012-10-17", "Statement" = \[.*\] \}\)\}"$/);
    }
  });

  test.each(MODES)("%s: valid, its only warnings the quoted depends_on references cdktf writes", (mode) => {
    expect(validations[mode].valid).toBe(true);
    expect(validations[mode].diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(new Set(validations[mode].diagnostics.map((d) => d.summary))).toEqual(new Set(["Quoted references are deprecated"]));
  });

  test("they plan exactly what the JSON plans", () => {
    expect(plans.NONE.summary).toBe("Plan: 7 to add, 0 to change, 0 to destroy.");
    expect(plans.cloudfront.summary).toBe("Plan: 10 to add, 0 to change, 0 to destroy.");
    expect(plans.cloudfront.creates).toEqual({
      aws_cloudfront_distribution: 1,
      aws_cloudfront_origin_access_control: 1,
      aws_cloudwatch_log_group: 1,
      aws_iam_policy: 1,
      aws_iam_role: 1,
      aws_iam_role_policy: 1,
      aws_lambda_function: 1,
      aws_lambda_function_url: 1,
      aws_lambda_permission: 2,
    });
  });
});
