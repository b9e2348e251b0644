// The stack deployed into the local AWS by the real terraform and aws provider (5.100.0, from the
// offline mirror; the archive data source stood in for, as the offline check does): the AWS_IAM
// and public (NONE) modes apply side by side, survive a restart of the local AWS, re-plan clean,
// update a function's code in place, and destroy leaving nothing. One init, one root, so one
// provider start per step.
// Needs terraform and the provider mirror (TF_PLUGIN_DIR): skipped aloud without them, failed under CI=true.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { zipSync } from "fflate";
import { type RunningLocalAws, serveLocalAws } from "../../../emulator/cli/local-aws";
import { readConfig } from "../../../lib/config";
import { synthesizeStack } from "../../../lib/synthesize";
import { standInForArchiveFiles } from "../../../tools/terraform-check/archive-stand-in";
import { findPluginMirror } from "../../../tools/terraform-check/plugin-mirror";
import { runTerraform, type TerraformRun } from "../../../tools/terraform-check/terraform";
import type { TerraformJson } from "../../../tools/terraform-check/terraform-json";
import { describeWhenAvailable, missingReason, requireTerraformAndMirror } from "../../helpers/requirements";

const missing = missingReason(requireTerraformAndMirror);
const CREDENTIALS = { AWS_ACCESS_KEY_ID: "AKIALOCALTERRAFORM00", AWS_SECRET_ACCESS_KEY: "terraform-secret" };
/** Each mode as a module of the root, its function named apart so both live in one account. */
const MODES = { iam: { FUNCTION_NAME: "ls-iam" }, public: { FUNCTION_NAME: "ls-public", FUNCTION_URL_AUTH: "NONE" } } as const;

describeWhenAvailable("terraform apply into the local AWS", missing, () => {
  let work: string;
  let state: string;
  let aws: RunningLocalAws;
  let env: NodeJS.ProcessEnv;
  /** Each mode's synthesized stack folder, a module of the root. */
  const stackDirs: Record<string, string> = {};
  const terraform = async (...args: string[]): Promise<TerraformRun> => {
    const run = await runTerraform([...args, "-no-color", "-input=false"], work, env);
    if (run.code !== 0 && run.code !== 2) throw new Error(`terraform ${args.join(" ")} failed (${run.code}):\n${run.stderr}${run.stdout}`);
    return run;
  };
  const startAws = async (port: number): Promise<void> => {
    aws = (await serveLocalAws(
      ["--port", String(port), "--state", state],
      { ...CREDENTIALS, AWS_EC2_METADATA_DISABLED: "true" },
      () => {},
    )) as RunningLocalAws;
  };

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "ls-apply-"));
    state = path.join(work, "local-aws");
    const modules: Record<string, { source: string }> = {};
    for (const [name, config] of Object.entries(MODES)) {
      const stackDir = synthesizeStack(readConfig(config), path.join(work, "synth", name));
      stackDirs[name] = stackDir;
      const json = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")) as TerraformJson;
      const { json: standIn } = standInForArchiveFiles(json, stackDir);
      delete standIn.terraform?.backend;
      delete standIn.output;
      fs.writeFileSync(path.join(stackDir, "cdk.tf.json"), JSON.stringify(standIn));
      modules[name] = { source: `./${path.relative(work, stackDir)}` };
    }
    fs.writeFileSync(path.join(work, "main.tf.json"), JSON.stringify({ module: modules }));
    fs.writeFileSync(path.join(work, ".terraformrc"), "disable_checkpoint = true\n");
    fs.writeFileSync(path.join(work, ".aws-config"), "");
    await startAws(0);
    env = {
      PATH: process.env.PATH,
      HOME: work,
      ...CREDENTIALS,
      AWS_ENDPOINT_URL: aws.endpoint,
      AWS_CONFIG_FILE: path.join(work, ".aws-config"),
      AWS_SHARED_CREDENTIALS_FILE: path.join(work, ".aws-config"),
      AWS_EC2_METADATA_DISABLED: "true",
      CHECKPOINT_DISABLE: "1",
      TF_CLI_CONFIG_FILE: path.join(work, ".terraformrc"),
      TF_IN_AUTOMATION: "1",
    };
    await terraform("init", `-plugin-dir=${findPluginMirror().dir}`);
  }, 120_000);
  afterAll(async () => {
    await aws?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test("applies both modes, re-plans clean after a restart, updates code in place, and destroys leaving nothing", async () => {
    const applied = await terraform("apply", "-auto-approve");
    expect(applied.stdout).toMatch(/Apply complete! Resources: 13 added, 0 changed, 0 destroyed\./);

    // A restart of the local AWS loses nothing terraform was told of: the next plan is clean.
    const port = new URL(aws.endpoint).port;
    await aws.close();
    await startAws(Number(port));
    const plan = await terraform("plan", "-detailed-exitcode");
    expect(plan.stdout).toMatch(/No changes\. Your infrastructure matches the configuration\./);
    expect(plan.code).toBe(0);

    // New code, memory, retention and tags for one mode: each updated in place, then clean again.
    const stackFile = path.join(stackDirs.iam, "cdk.tf.json");
    const json = JSON.parse(fs.readFileSync(stackFile, "utf8")) as {
      provider: { aws: { default_tags: { tags: Record<string, string> }[] }[] };
      resource: {
        aws_lambda_function: Record<string, { filename: string; source_code_hash: string; memory_size: number }>;
        aws_cloudwatch_log_group: Record<string, { retention_in_days: number }>;
      };
    };
    const fn = Object.values(json.resource.aws_lambda_function)[0];
    fn.memory_size = 512;
    Object.values(json.resource.aws_cloudwatch_log_group)[0].retention_in_days = 30;
    json.provider.aws[0].default_tags[0].tags.stage = "updated";
    const zip = zipSync({ "index.js": new TextEncoder().encode("exports.handler = async () => 'v2';\n") });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not a JavaScript template
    fs.writeFileSync(path.join(path.dirname(stackFile), fn.filename.replace("${path.module}/", "")), zip);
    fn.source_code_hash = createHash("sha256").update(zip).digest("base64");
    fs.writeFileSync(stackFile, JSON.stringify(json));
    const updated = await terraform("apply", "-auto-approve");
    // The function (code, memory, tags), the log group (retention, tags), the role and the policy (tags).
    expect(updated.stdout).toMatch(/Apply complete! Resources: 0 added, 4 changed, 0 destroyed\./);
    expect((await terraform("plan", "-detailed-exitcode")).code).toBe(0);

    const destroyed = await terraform("destroy", "-auto-approve");
    expect(destroyed.stdout).toMatch(/Destroy complete! Resources: 13 destroyed\./);
    const tables = (JSON.parse(fs.readFileSync(path.join(state, "state.json"), "utf8")) as { tables: Record<string, unknown[]> }).tables;
    expect(Object.values(tables).flat()).toEqual([]);
  }, 180_000);
});
