// `npm run validate`'s own output and exit codes, with stand-ins for terraform (check-stack.test.ts
// runs the real terraform and provider on the same stacks).

import * as path from "node:path";
import { TerraformCheckError } from "../../../tools/terraform-check/check-stack";
import { runValidate, type ValidateTools } from "../../../tools/terraform-check/cli";
import { PluginMirrorError } from "../../../tools/terraform-check/plugin-mirror";

const mirror = { dir: "/mirror", foundBy: "filesystem_mirror in /home/u/.terraformrc", hasArchive: false };
/** A stand-in for checkStacks: each stack planned as `creates` says, terraform's total as `total`. */
const planned =
  (creates: Record<string, number>, total = "Plan: 18 to add, 0 to change, 0 to destroy.") =>
  async (stacks: Readonly<Record<string, string>>) => {
    const count = Object.values(creates).reduce((sum, n) => sum + n, 0);
    const plan = { dir: "/w", standIns: [], rootFiles: {}, summary: `Plan: ${count} to add, 0 to change, 0 to destroy.`, creates };
    return { summary: total, warnings: [], stacks: Object.fromEntries(Object.keys(stacks).map((name) => [name, plan])) };
  };

async function run(tools: Partial<ValidateTools>): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runValidate(
    (line) => out.push(line),
    (line) => err.push(line),
    {
      terraformVersion: () => "1.11.4",
      findPluginMirror: () => mirror,
      checkStacks: planned({ aws_iam_role: 6 }),
      ...tools,
    },
  );
  return { code, out, err };
}

describe("npm run validate", () => {
  test("says where the providers came from, then one line per mode with its share of the plan, then terraform's summary", async () => {
    const checked: string[][] = [];
    const result = await run({
      checkStacks: async (stacks, rootDir, given) => {
        checked.push(Object.keys(stacks), [path.basename(rootDir)], [given.dir]);
        return planned({ aws_iam_role: 1, aws_lambda_permission: 2 }, "Plan: 9 to add, 0 to change, 0 to destroy.")(stacks);
      },
    });
    expect(result.code).toBe(0);
    expect(result.out).toEqual([
      "terraform 1.11.4; providers from /mirror (filesystem_mirror in /home/u/.terraformrc)",
      "archive_file: zipped by the check's stand-in (hashicorp/archive is not in the mirror)",
      "AWS_IAM    valid. Plan: 3 to add, 0 to change, 0 to destroy. (aws_iam_role, aws_lambda_permission ×2)",
      "NONE       valid. Plan: 3 to add, 0 to change, 0 to destroy. (aws_iam_role, aws_lambda_permission ×2)",
      "cloudfront valid. Plan: 3 to add, 0 to change, 0 to destroy. (aws_iam_role, aws_lambda_permission ×2)",
      "terraform's summary of the one plan of all 3 modes: Plan: 9 to add, 0 to change, 0 to destroy.",
    ]);
    // Every mode in one call: one root, one init, one plan.
    expect(checked).toEqual([["AWS_IAM", "NONE", "cloudfront"], ["work"], ["/mirror"]]);
  });

  test("names the real archive provider when the mirror has it", async () => {
    const result = await run({ findPluginMirror: () => ({ ...mirror, foundBy: "TF_PLUGIN_DIR", hasArchive: true }) });
    expect(result.out.slice(0, 2)).toEqual([
      "terraform 1.11.4; providers from /mirror (TF_PLUGIN_DIR)",
      "archive_file: the real hashicorp/archive provider",
    ]);
  });

  test("without terraform: one line on how to install it, exit 1", async () => {
    const result = await run({ terraformVersion: () => undefined });
    expect(result).toMatchObject({ code: 1, out: [] });
    expect(result.err[0]).toMatch(/^terraform is not on PATH; install Terraform 1\.10 or newer/);
  });

  test.each([
    [
      "no provider mirror",
      {
        findPluginMirror: () => {
          throw new PluginMirrorError("No mirror of hashicorp/aws 5.100.0 where terraform looks: set TF_PLUGIN_DIR to one.", [
            "Looked at:",
            "  TF_PLUGIN_DIR: unset",
          ]);
        },
      },
      /^No mirror of hashicorp\/aws 5\.100\.0 where terraform looks: set TF_PLUGIN_DIR to one\.\nLooked at:\n {2}TF_PLUGIN_DIR: unset$/,
    ],
    [
      "terraform refusing the stack",
      {
        checkStacks: async () => {
          throw new TerraformCheckError("plan", "/w", { code: 1, stdout: "", stderr: "Error: expected runtime" }, ["NONE"]);
        },
      },
      /^terraform plan failed for NONE \(exit code 1\) in \/w:\nError: expected runtime$/,
    ],
  ])("%s: its message, exit 1", async (_what, tools, message) => {
    const result = await run(tools as Partial<ValidateTools>);
    expect(result.code).toBe(1);
    expect(result.err.join("\n")).toMatch(message);
  });

  test("an unexpected failure is not swallowed", async () => {
    await expect(
      run({
        checkStacks: async () => {
          throw new TypeError("a bug");
        },
      }),
    ).rejects.toThrow("a bug");
  });
});
