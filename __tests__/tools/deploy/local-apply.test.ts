// What `npm run deploy -- --local` hands cdktf, applied for real: the stack synthesized with its
// environment, then the real terraform and aws provider (from the offline mirror; archive_file
// stood in for, as the offline check does, since this machine cannot get hashicorp/archive)
// applied and destroyed with that same environment against a local AWS started in-process. The
// state lands in terraform.<stack>.local-aws.tfstate, never the real file or S3,
// `npm run url -- --local` reads the Function URL from it, and the URL streams. cdktf itself does not run here: terraform init cannot get the
// archive provider on this machine.
// Needs terraform and the provider mirror (TF_PLUGIN_DIR): skipped aloud without them, failed under CI=true.
// Slow (the provider's own waits, beside the lifecycle test in npm test): run by npm run test:local-aws.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { type RunningLocalAws, serveLocalAws } from "../../../emulator/cli/local-aws";
import { readConfig } from "../../../lib/config";
import { synthesizeStack } from "../../../lib/synthesize";
import { writeLocalAwsRecord } from "../../../support/local-aws-record";
import { LOCAL_AWS_OUTPUT, localAwsEnvironment } from "../../../tools/deploy/cdktf-invocation";
import { runInvoke } from "../../../tools/invoke/cli";
import { findLocalDeployment } from "../../../tools/invoke/local-deployment";
import { printUrl } from "../../../tools/invoke/print-url";
import { signRequest } from "../../../tools/invoke/sign-request";
import { standInForArchiveFiles } from "../../../tools/terraform-check/archive-stand-in";
import { findPluginMirror } from "../../../tools/terraform-check/plugin-mirror";
import { runTerraform } from "../../../tools/terraform-check/terraform";
import type { TerraformJson } from "../../../tools/terraform-check/terraform-json";
import { send } from "../../helpers/http-client";
import { recordsIn } from "../../helpers/local-aws-root";
import { describeWhenAvailable, missingReason, requireTerraformAndMirror } from "../../helpers/requirements";
import { slowLocalAwsTests } from "../../helpers/slow-local-aws";

slowLocalAwsTests("npm run deploy -- --local's environment, applied", (name) =>
  describeWhenAvailable(name, missingReason(requireTerraformAndMirror), () => {
    let work: string;
    let aws: RunningLocalAws | undefined;
    const recordDir = process.env.LOCAL_AWS_RECORD_DIR;
    beforeEach(() => {
      work = fs.mkdtempSync(path.join(os.tmpdir(), "ls-local-deploy-"));
      delete process.env.LOCAL_AWS_RECORD_DIR;
    });
    afterEach(async () => {
      await aws?.close();
      fs.rmSync(work, { recursive: true, force: true });
      if (recordDir !== undefined) process.env.LOCAL_AWS_RECORD_DIR = recordDir;
    });

    test("applies into the local AWS with its pair, state in terraform.<stack>.local-aws.tfstate even with TF_STATE_BUCKET set; the URL streams; then destroys", async () => {
      // GIVEN a local AWS that made its own pair (no credentials around it), and a shell with a bucket and real-looking keys
      const none = path.join(work, "none");
      aws = (await serveLocalAws(
        ["--port", "0", "--state", path.join(work, "local-aws")],
        { HOME: work, AWS_EC2_METADATA_DISABLED: "true", AWS_CONFIG_FILE: none, AWS_SHARED_CREDENTIALS_FILE: none },
        () => {},
        work,
      )) as RunningLocalAws;
      const record = { endpoint: aws.endpoint, pid: process.pid, ...aws.record };
      fs.writeFileSync(path.join(work, ".terraformrc"), "disable_checkpoint = true\n");
      const shell = {
        PATH: process.env.PATH,
        HOME: work,
        AWS_ACCESS_KEY_ID: "AKIAREALLOOKING00000",
        AWS_SECRET_ACCESS_KEY: "not-the-local-pair",
        AWS_SESSION_TOKEN: "real-token",
        AWS_CONFIG_FILE: none,
        AWS_SHARED_CREDENTIALS_FILE: none,
        TF_STATE_BUCKET: "my-real-tf-state",
        TF_CLI_CONFIG_FILE: path.join(work, ".terraformrc"),
        TF_IN_AUTOMATION: "1",
      };
      // (A profile's ignore_configured_endpoint_urls acts as this variable does, and is not dropped:
      // the provider's own endpoints, which the stack pins, still send every call to the local AWS.)
      const env = { ...localAwsEnvironment(shell, record), CHECKPOINT_DISABLE: "1", AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" };

      // WHEN the stack is synthesized as cdktf would with that environment, into its own output folder
      const stackDir = synthesizeStack(readConfig(env), path.join(work, LOCAL_AWS_OUTPUT));
      const stackFile = path.join(stackDir, "cdk.tf.json");
      const { json } = standInForArchiveFiles(JSON.parse(fs.readFileSync(stackFile, "utf8")) as TerraformJson, stackDir);
      fs.writeFileSync(stackFile, JSON.stringify(json));
      const terraform = async (...args: string[]) => {
        const run = await runTerraform([...args, "-no-color", "-input=false"], stackDir, env);
        if (run.code !== 0) throw new Error(`terraform ${args.join(" ")} failed (${run.code}):\n${run.stderr}${run.stdout}`);
        return run;
      };
      await terraform("init", `-plugin-dir=${findPluginMirror().dir}`);
      const applied = await terraform("apply", "-auto-approve");

      // THEN it is applied into the local AWS, its state beside where the real one would be, under its own name
      expect(applied.stdout).toMatch(/Apply complete! Resources: \d+ added, 0 changed, 0 destroyed\./);
      expect(fs.readdirSync(work).filter((name) => name.endsWith(".tfstate"))).toEqual(["terraform.lambda-streaming.local-aws.tfstate"]);
      expect(recordsIn(path.join(work, "local-aws", "state.json")).length).toBeGreaterThan(0);

      // AND npm run url -- --local prints its Function URL, on this machine, where the 🚗 streams signed with the local pair
      writeLocalAwsRecord(work, record);
      expect(findLocalDeployment(work, {})).toMatchObject({ authType: "AWS_IAM", region: "us-east-1" });
      const [stdout, stderr] = [new PassThrough(), new PassThrough()];
      expect(printUrl(["--local"], { env: {}, projectRoot: work, stdout, stderr })).toBe(0);
      const url = String(stdout.read()).trim();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const target = new URL(`${url}?chunk=1&count=3&delay=150`);
      const credentials = record.localCredentials as { accessKeyId: string; secretAccessKey: string };
      const res = await send(target.href, { headers: await signRequest(target, credentials, { region: "us-east-1", method: "GET" }) });
      expect(res.body.toString()).toBe("🚗🚗🚗");
      expect(res).toArriveProgressively(3, 150);
      // AND npm run invoke -- --local calls that URL, and with --api the function on the local AWS's endpoint
      const noCredentials = async () => undefined;
      for (const argv of [
        ["--local", "--path", "/?count=2"],
        ["--api", "--local", "--path", "/?count=2"],
      ]) {
        const [out, err] = [new PassThrough(), new PassThrough()];
        const code = await runInvoke(argv, { env: {}, projectRoot: work, stdout: out, stderr: err, findCredentials: noCredentials });
        expect({ argv, code, body: String(out.read()) }).toEqual({ argv, code: 0, body: "🚗🚗" });
      }

      // AND destroy takes it all away, the URL too
      await terraform("destroy", "-auto-approve");
      expect(recordsIn(path.join(work, "local-aws", "state.json"))).toEqual([]);
      await expect(send(url)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    }, 180_000);
  }),
);
