// The synthesized stack, checked by the real terraform binary and hashicorp/aws 5.100.0, offline.
// Needs `terraform` on PATH and a provider mirror (TF_PLUGIN_DIR or an implied mirror folder).
// Without them this suite is reported as skipped, with the reason; with CI=true it fails.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  initWorkdir,
  planWorkdir,
  prepareWorkdir,
  reuseInit,
  STACK_FILE,
  TerraformCheckError,
  validateWorkdir,
} from "../../../tools/terraform-check/check-stack";
import { findPluginMirror, type PluginMirror } from "../../../tools/terraform-check/plugin-mirror";
import { MODES, synthesizeMode } from "../../../tools/terraform-check/synth-modes";
import { terraformVersion } from "../../../tools/terraform-check/terraform";
import { describeWhenAvailable, missingReason } from "../../helpers/requirements";

const missing = terraformVersion() === undefined ? "terraform is not on PATH" : missingReason(() => findPluginMirror());
const TERRAFORM_TIMEOUT = 120_000;
/** 64 characters, Lambda's maximum function name. */
const LONGEST_FUNCTION_NAME = `streaming-${"f".repeat(54)}`;

describeWhenAvailable("offline terraform check of the synthesized stack", missing, () => {
  let scratch: string;
  let mirror: PluginMirror;
  const workdirs: Record<string, string> = {};
  const plans: Record<string, Awaited<ReturnType<typeof planWorkdir>>> = {};

  beforeAll(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ls-tf-check-"));
    mirror = findPluginMirror();
    // One init, shared: the provider link and lock file are the same for every copy.
    for (const mode of MODES) {
      const { stackDir } = synthesizeMode(mode, path.join(scratch, "synth"), {});
      workdirs[mode] = prepareWorkdir(stackDir, path.join(scratch, "work", mode), mirror).dir;
    }
    // The longest function name Lambda accepts: every name derived from it must fit AWS's limits.
    const long = synthesizeMode("AWS_IAM", path.join(scratch, "synth-long"), { FUNCTION_NAME: LONGEST_FUNCTION_NAME });
    workdirs.LONG = prepareWorkdir(long.stackDir, path.join(scratch, "work", "LONG"), mirror).dir;
    await initWorkdir(workdirs.AWS_IAM, mirror);
    reuseInit(workdirs.AWS_IAM, workdirs.NONE);
    reuseInit(workdirs.AWS_IAM, workdirs.cloudfront);
    reuseInit(workdirs.AWS_IAM, workdirs.LONG);
    await Promise.all(
      Object.entries(workdirs).map(async ([mode, dir]) => {
        await validateWorkdir(dir);
        plans[mode] = await planWorkdir(dir);
      }),
    );
  }, TERRAFORM_TIMEOUT);

  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

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

  test(
    "fails on a broken copy of the stack, with terraform's own diagnostic",
    async () => {
      // GIVEN a copy of the checked stack with a runtime Lambda does not have
      const broken = path.join(scratch, "work", "broken");
      fs.cpSync(workdirs.AWS_IAM, broken, { recursive: true, verbatimSymlinks: true });
      const file = path.join(broken, STACK_FILE);
      fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('"runtime": "nodejs22.x"', '"runtime": "nodejs99.x"'));
      // WHEN
      const validating = validateWorkdir(broken);
      // THEN
      await expect(validating).rejects.toBeInstanceOf(TerraformCheckError);
      await expect(validating).rejects.toThrow(
        /terraform validate failed \(exit code 1\)[\s\S]*Error: expected runtime to be one of[\s\S]*got nodejs99\.x/,
      );
    },
    TERRAFORM_TIMEOUT,
  );
});
