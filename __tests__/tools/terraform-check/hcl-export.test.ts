// The first exit from cdktf works: `cdktf synth --hcl` (the real CLI, as a user would run it)
// writes plain Terraform that the real terraform binary and hashicorp/aws 5.100.0 validate and
// plan offline (both modes in one plan), with the same mirror as the JSON check. Needs terraform
// and the mirror; without them this suite is reported as skipped, with the reason; with CI=true it fails.

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { type CombinedPlan, checkModules, STACK_FILE } from "../../../tools/terraform-check/check-stack";
import { HCL_STACK_FILE, prepareHclModule } from "../../../tools/terraform-check/hcl-stand-in";
import { findPluginMirror, type PluginMirror } from "../../../tools/terraform-check/plugin-mirror";
import { MODE_VARIABLES } from "../../../tools/terraform-check/synth-modes";
import { describeWhenAvailable, missingReason, requireTerraformAndMirror } from "../../helpers/requirements";

const ROOT = path.join(__dirname, "..", "..", "..");
const CDKTF = path.join(ROOT, "node_modules", ".bin", "cdktf");
const TIMEOUT = 240_000;
/** Public direct and public through CloudFront: together, every resource type the stack has. */
const MODES = ["NONE", "cloudfront"] as const;

const missing = missingReason(requireTerraformAndMirror);

describeWhenAvailable("cdktf synth --hcl, checked offline by terraform", missing, () => {
  let scratch: string;
  let mirror: PluginMirror;
  const stackDirs: Record<string, string> = {};
  let plan: CombinedPlan;

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
    // Both modes, modules of one root: one terraform init and one plan, which validates them too.
    const root = path.join(scratch, "root");
    const modules = Object.fromEntries(MODES.map((mode) => [mode, prepareHclModule(stackDirs[mode], path.join(root, mode), mirror)]));
    plan = await checkModules(root, modules, mirror);
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

  test("both valid in one plan, its only warnings the quoted depends_on references cdktf writes", () => {
    // Terraform folds repeats of one warning into "(and N more similar warnings elsewhere)", but
    // prints every other warning in full: a new one, in either mode, shows up here.
    expect(new Set(plan.warnings)).toEqual(new Set(["Quoted references are deprecated"]));
  });

  test("they plan exactly what the JSON plans", () => {
    expect(plan.summary).toBe("Plan: 17 to add, 0 to change, 0 to destroy.");
    expect(plan.modules.NONE.summary).toBe("Plan: 7 to add, 0 to change, 0 to destroy.");
    expect(plan.modules.cloudfront.summary).toBe("Plan: 10 to add, 0 to change, 0 to destroy.");
    expect(plan.modules.cloudfront.creates).toEqual({
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
