// The stack deployed into the local AWS by the real terraform and aws provider (5.100.0, from the
// offline mirror; the archive data source stood in for, as the offline check does): the AWS_IAM
// and public (NONE) modes apply side by side, survive a restart of the local AWS, re-plan clean,
// update a function's code in place, and destroy leaving nothing; what they deploy runs at the
// output URLs (streaming, the new code once applied, gone once destroyed). One init, one root, so one
// provider start per step.
// Needs terraform and the provider mirror (TF_PLUGIN_DIR): skipped aloud without them, failed under CI=true.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { zipSync } from "fflate";
import { signRequest } from "../../../tools/invoke/sign-request";
import { type RecordedResponse, send } from "../../helpers/http-client";
import { type LocalAwsRoot, localAwsRoot, recordsIn } from "../../helpers/local-aws-root";
import { describeWhenAvailable, missingReason, requireTerraformAndMirror } from "../../helpers/requirements";

const missing = missingReason(requireTerraformAndMirror);
/** Each mode as a module of the root, its function named apart so both live in one account. */
const MODES = { iam: { FUNCTION_NAME: "ls-iam" }, public: { FUNCTION_NAME: "ls-public", FUNCTION_URL_AUTH: "NONE" } } as const;

describeWhenAvailable("terraform apply into the local AWS", missing, () => {
  let root: LocalAwsRoot;
  beforeAll(async () => {
    root = await localAwsRoot(MODES);
  }, 120_000);
  afterAll(() => root?.close());

  test("applies both modes, re-plans clean after a restart, updates code in place, and destroys leaving nothing", async () => {
    const { terraform, stackDirs } = root;
    const applied = await terraform("apply", "-auto-approve");
    expect(applied.stdout).toMatch(/Apply complete! Resources: 13 added, 0 changed, 0 destroyed\./);

    // What was applied runs: the output URLs stream the 🚗, signed for AWS_IAM, unsigned for NONE.
    const outputs = await root.outputs();
    expect(outputs.iam.function_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const cars = async (mode: "iam" | "public", query = "?chunk=1&count=3&delay=150"): Promise<RecordedResponse> => {
      const url = new URL(`${outputs[mode].function_url}${query}`);
      const headers = mode === "iam" ? await signRequest(url, root.credentials, { region: outputs.iam.region, method: "GET" }) : {};
      return send(url.href, { headers });
    };
    for (const mode of ["iam", "public"] as const) {
      const res = await cars(mode);
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe("🚗🚗🚗");
      expect(res).toArriveProgressively(3, 150);
    }
    expect((await send(outputs.iam.function_url)).status).toBe(403);

    // A restart of the local AWS loses nothing terraform was told of: the next plan is clean.
    await root.restart();
    const plan = await terraform("plan", "-detailed-exitcode");
    expect(plan.stdout).toMatch(/No changes\. Your infrastructure matches the configuration\./);
    expect(plan.code).toBe(0);
    // And the URLs answer at the same addresses.
    expect((await cars("public", "?count=1")).body.toString()).toBe("🚗");

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
    const zip = zipSync({
      "index.js": new TextEncoder().encode("exports.handler = awslambda.streamifyResponse(async (_event, stream) => stream.end('v2'));\n"),
    });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not a JavaScript template
    fs.writeFileSync(path.join(path.dirname(stackFile), fn.filename.replace("${path.module}/", "")), zip);
    fn.source_code_hash = createHash("sha256").update(zip).digest("base64");
    fs.writeFileSync(stackFile, JSON.stringify(json));
    const updated = await terraform("apply", "-auto-approve");
    // The function (code, memory, tags), the log group (retention, tags), the role and the policy (tags).
    expect(updated.stdout).toMatch(/Apply complete! Resources: 0 added, 4 changed, 0 destroyed\./);
    expect((await terraform("plan", "-detailed-exitcode")).code).toBe(0);
    // The new code answers.
    expect((await cars("iam")).body.toString()).toBe("v2");

    const destroyed = await terraform("destroy", "-auto-approve");
    expect(destroyed.stdout).toMatch(/Destroy complete! Resources: 13 destroyed\./);
    expect(recordsIn(root.stateFile)).toEqual([]);
    // The code of every version is gone with the functions: nothing is left in the state folder.
    expect(fs.readdirSync(path.join(path.dirname(root.stateFile), "code"))).toEqual([]);
    // And the URLs no longer answer.
    await expect(cars("public")).rejects.toMatchObject({ code: "ECONNREFUSED" });
  }, 180_000);
});
