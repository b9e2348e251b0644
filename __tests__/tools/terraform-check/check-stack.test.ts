// The synthesized stack, checked by the real terraform binary and hashicorp/aws 5.100.0, offline.
// Needs `terraform` on PATH and a provider mirror (TF_PLUGIN_DIR, a filesystem_mirror of
// terraform's CLI configuration, or an implied mirror folder). Without them this suite is reported
// as skipped, with the reason on one line; with CI=true it fails.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  type CheckedStacks,
  checkModules,
  checkStacks,
  PROVIDERS_FILE,
  type PreparedModule,
  STACK_FILE,
  TerraformCheckError,
} from "../../../tools/terraform-check/check-stack";
import { makeOffline } from "../../../tools/terraform-check/offline-config";
import { AWS_PROVIDER, findPluginMirror } from "../../../tools/terraform-check/plugin-mirror";
import { MODES, synthesizeMode } from "../../../tools/terraform-check/synth-modes";
import { describeWhenAvailable, missingReason, requireTerraformAndMirror } from "../../helpers/requirements";

const missing = missingReason(requireTerraformAndMirror);
const TERRAFORM_TIMEOUT = 120_000;
/** 64 characters, Lambda's maximum function name. */
const LONGEST_FUNCTION_NAME = `streaming-${"f".repeat(54)}`;

/**
 * A module of one function as the stack declares one (its role, and the function on that role),
 * with `runtime` as given, prepared in `<root>/<name>` with the stack's provider configuration.
 * Small and fixed rather than a copy of the synthesized stack: the broken run shows how the check
 * fails, which no edit to the stack changes.
 */
function functionModule(root: string, name: string, runtime: string): PreparedModule {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  const assumeRolePolicy = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
  };
  const module = {
    terraform: { required_providers: { aws: { source: "aws", version: AWS_PROVIDER.version } } },
    resource: {
      aws_iam_role: { fn: { name: `check-${name}`, assume_role_policy: JSON.stringify(assumeRolePolicy) } },
      aws_lambda_function: {
        fn: {
          function_name: `check-${name}`,
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not a JavaScript template
          role: "${aws_iam_role.fn.arn}",
          handler: "index.handler",
          runtime,
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not a JavaScript template
          filename: "${path.module}/function.zip",
        },
      },
    },
  };
  fs.writeFileSync(path.join(dir, STACK_FILE), JSON.stringify(module, null, 2));
  const { provider } = makeOffline({ provider: { aws: [{ region: "us-east-1" }] } });
  return { dir, standIns: [], rootFiles: { [PROVIDERS_FILE]: JSON.stringify({ provider }, null, 2) } };
}

describeWhenAvailable("offline terraform check of the synthesized stack", missing, () => {
  let scratch: string;
  let checked: CheckedStacks;
  let plans: CheckedStacks["stacks"];
  /** The run over a good module and a broken copy: how it failed. */
  let brokenRun: unknown;

  beforeAll(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ls-tf-check-"));
    const mirror = findPluginMirror();
    const stacks: Record<string, string> = {};
    for (const mode of MODES) {
      stacks[mode] = synthesizeMode(mode, path.join(scratch, "synth"), {}).stackDir;
    }
    // The longest function name Lambda accepts: every name derived from it must fit AWS's limits.
    stacks.LONG = synthesizeMode("AWS_IAM", path.join(scratch, "synth-long"), { FUNCTION_NAME: LONGEST_FUNCTION_NAME }).stackDir;
    // A second, small run beside it: a module of one function and a copy with a runtime Lambda
    // does not have. It cannot join the first run, whose plan would then stop at the error.
    const brokenRoot = path.join(scratch, "broken-root");
    const good = functionModule(brokenRoot, "good", "nodejs22.x");
    const broken = functionModule(brokenRoot, "broken", "nodejs99.x");
    [checked, brokenRun] = await Promise.all([
      // Every mode, and the long name, in one terraform init and one terraform plan.
      checkStacks(stacks, path.join(scratch, "root"), mirror),
      checkModules(brokenRoot, { good, broken }, mirror).then(
        (plan) => plan,
        (error: unknown) => error,
      ),
    ]);
    plans = checked.stacks;
  }, TERRAFORM_TIMEOUT);

  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  test("one plan for every mode: terraform's own summary is the sum of the modes', and it warns of nothing", () => {
    expect(checked.summary).toBe("Plan: 29 to add, 0 to change, 0 to destroy.");
    expect(Object.keys(plans)).toEqual(["AWS_IAM", "NONE", "cloudfront", "LONG"]);
    // A backend left in a module would be warned about: "Backend configuration ignored".
    expect(checked.warnings).toEqual([]);
  });

  test("AWS_IAM mode validates and plans exactly the six resources of the stack", () => {
    expect(plans.AWS_IAM.summary).toBe("Plan: 6 to add, 0 to change, 0 to destroy.");
    expect(plans.AWS_IAM.creates).toEqual({
      aws_cloudwatch_log_group: 1,
      aws_iam_policy: 1,
      aws_iam_role: 1,
      aws_iam_role_policy: 1,
      aws_lambda_function: 1,
      aws_lambda_function_url: 1,
    });
  });

  test("a 64-character function name validates and plans: the derived names fit AWS's limits", () => {
    expect(LONGEST_FUNCTION_NAME).toHaveLength(64);
    expect(plans.LONG.summary).toBe("Plan: 6 to add, 0 to change, 0 to destroy.");
  });

  test("public mode adds the two permissions, and has no invoker policy", () => {
    expect(plans.NONE.summary).toBe("Plan: 7 to add, 0 to change, 0 to destroy.");
    expect(plans.NONE.creates).toEqual({
      aws_cloudwatch_log_group: 1,
      aws_iam_role: 1,
      aws_iam_role_policy: 1,
      aws_lambda_function: 1,
      aws_lambda_function_url: 1,
      aws_lambda_permission: 2,
    });
  });

  test("PUBLIC_ACCESS=cloudfront adds the origin access control, the distribution and CloudFront's two permissions", () => {
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

  test("fails on a broken module with terraform's own diagnostic, and names the failing module only", () => {
    expect(brokenRun).toBeInstanceOf(TerraformCheckError);
    const error = brokenRun as TerraformCheckError;
    expect(error.failingModules).toEqual(["broken"]);
    expect(error.message).toMatch(
      /^terraform plan failed for broken \(exit code 1\)[\s\S]*Error: expected runtime to be one of[\s\S]*got nodejs99\.x[\s\S]*with module\.broken\.aws_lambda_function\./,
    );
  });
});
