// `npm run bench -- --local-aws`: the local AWS beside its baselines, in one run. Its start
// (spawn to endpoint printed) against a bare Node.js process's; `terraform apply` of the default
// stack into it against `terraform plan` of the same stack; and the first byte of a deployed
// function's cold request against npm start's cold first byte, the same handler. Needs terraform
// and the aws provider's mirror (as `npm run validate` does), and says so when they are missing.

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readConfig } from "../lib/config";
import { synthesizeStack } from "../lib/synthesize";
import { standInForArchiveFiles } from "../tools/terraform-check/archive-stand-in";
import { findPluginMirror } from "../tools/terraform-check/plugin-mirror";
import { runTerraform } from "../tools/terraform-check/terraform";
import type { TerraformJson } from "../tools/terraform-check/terraform-json";
import { median, ROOT, startLocal, timedGet } from "./measure";
import type { Row } from "./report";

/**
 * The aws provider's fixed wait after CreateFunction, before its first GetFunction: `Delay: 5 *
 * time.Second` in waitFunctionCreated (internal/service/lambda/function.go, hashicorp/aws 5.100.0).
 */
const PROVIDER_CREATE_DELAY_MS = 5000;

const CREDENTIALS = { AWS_ACCESS_KEY_ID: "AKIALOCALBENCH000000", AWS_SECRET_ACCESS_KEY: "local-bench-secret" };

/** A process that printed a line matching `ready`: when, and how to stop it. */
interface Started {
  readonly ms: number;
  readonly line: string;
  stop(): Promise<void>;
}

/** Spawns `node args`, resolves once it prints a line matching `ready` (with ms from spawn). */
function spawnUntil(args: readonly string[], ready: RegExp, env: NodeJS.ProcessEnv): Promise<Started> {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    let out = "";
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n").find((l) => ready.test(l));
      if (line === undefined) return;
      child.stdout.removeAllListeners("data");
      child.stdout.resume();
      resolve({
        ms: performance.now() - spawnedAt,
        line,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
          await exited;
        },
      });
    });
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code} before it was ready: ${out}`)));
  });
}

/** `npm run local-aws`'s command line, without `node`: the same flags, so the bench measures what users run. */
function localAwsArgs(state: string, endpoint?: string): string[] {
  const script = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts[
    "local-aws"
  ];
  const port = endpoint === undefined ? "0" : new URL(endpoint).port;
  return [...script.replace(/^exec\s+node\s+/, "").split(/\s+/), "--port", port, "--state", state];
}

/** The figures, or why they cannot be measured here. */
export async function localAwsRows(samples: number, log: (line: string) => void): Promise<Row[]> {
  const mirror = findPluginMirror();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "ls-bench-aws-"));
  const env = { ...process.env, ...CREDENTIALS, AWS_EC2_METADATA_DISABLED: "true" };
  try {
    // Start: spawn to the endpoint printed, against a bare process's spawn to its first line.
    const starts: number[] = [];
    const bares: number[] = [];
    for (let i = 0; i < samples; i += 1) {
      const aws = await spawnUntil(localAwsArgs(path.join(work, `start-${i}`)), /^Local AWS .* at http:/, env);
      starts.push(aws.ms);
      await aws.stop();
      const bare = await spawnUntil(["-e", "console.log('ready')"], /^ready$/, env);
      bares.push(bare.ms);
      await bare.stop();
    }

    // The default stack (NONE, so both sides are called alike), planned then applied into it.
    const state = path.join(work, "state");
    let aws = await spawnUntil(localAwsArgs(state), /^Local AWS .* at http:/, env);
    try {
      const endpoint = /at (http:\/\/\S+),/.exec(aws.line)?.[1] ?? "";
      const stackDir = synthesizeStack(readConfig({ FUNCTION_URL_AUTH: "NONE" }), path.join(work, "synth"));
      const file = path.join(stackDir, "cdk.tf.json");
      const { json } = standInForArchiveFiles(JSON.parse(fs.readFileSync(file, "utf8")) as TerraformJson, stackDir);
      delete json.terraform?.backend;
      fs.writeFileSync(file, JSON.stringify(json));
      fs.writeFileSync(path.join(work, ".terraformrc"), "disable_checkpoint = true\n");
      const tfEnv = { ...env, AWS_ENDPOINT_URL: endpoint, TF_CLI_CONFIG_FILE: path.join(work, ".terraformrc"), TF_IN_AUTOMATION: "1" };
      const terraform = async (...args: string[]): Promise<number> => {
        const started = performance.now();
        const run = await runTerraform([...args, "-no-color", "-input=false"], stackDir, tfEnv);
        if (run.code !== 0) throw new Error(`terraform ${args.join(" ")} failed (${run.code}): ${run.stderr}${run.stdout}`);
        return performance.now() - started;
      };
      await terraform("init", `-plugin-dir=${mirror.dir}`);
      const planMs = await terraform("plan", "-out=bench.tfplan");
      const applyMs = await terraform("apply", "-auto-approve");
      const outputs = await runTerraform(["output", "-json", "-no-color"], stackDir, tfEnv);
      const { function_url: url } = JSON.parse(outputs.stdout) as Record<string, { value: string }>;
      log(`applied the default stack into the local AWS: ${url.value}`);

      // Cold first byte, like for like: the first request to a freshly started server, the local
      // AWS (restarted on its state, the URL at its address) or npm start, taken in turns.
      const deployed: number[] = [];
      const local: number[] = [];
      for (let i = 0; i < samples; i += 1) {
        await aws.stop();
        aws = await spawnUntil(localAwsArgs(state, endpoint), /^Local AWS .* at http:/, env);
        deployed.push((await timedGet(`${url.value}?count=1`)).firstByteMs);
        const server = await startLocal([]);
        try {
          local.push((await timedGet(`${server.url}?count=1`)).firstByteMs);
        } finally {
          await server.stop();
        }
      }
      await terraform("destroy", "-auto-approve");
      const start = median(starts);
      const deployedCold = median(deployed);
      const localCold = median(local);
      return [
        {
          name: `npm run local-aws: spawn to endpoint printed (median of ${samples})`,
          unit: "ms",
          local: start,
          baseline: median(bares),
          baselineName: "bare process",
          target: "< 2 s",
          met: start < 2000,
          sizeIndependent: true,
        },
        {
          name: "terraform apply of the default stack into it, vs its plan",
          unit: "ms",
          local: applyMs,
          baseline: planMs,
          baselineName: "terraform plan",
          target: "≤ 2 × plan",
          met: applyMs <= 2 * planMs,
        },
        {
          // The aws provider waits 5 s after CreateFunction before it first asks whether the
          // function is Active (waitFunctionCreated's Delay), on AWS and here alike: derived, not measured.
          name: `same, less the provider's fixed ${PROVIDER_CREATE_DELAY_MS / 1000} s wait after CreateFunction (derived)`,
          unit: "ms",
          local: applyMs - PROVIDER_CREATE_DELAY_MS,
          baseline: planMs,
          baselineName: "terraform plan",
          target: "≤ 2 × plan",
          met: applyMs - PROVIDER_CREATE_DELAY_MS <= 2 * planMs,
        },
        {
          name: `cold first byte, fresh server: deployed function vs npm start (median of ${samples})`,
          unit: "ms",
          local: deployedCold,
          baseline: localCold,
          baselineName: "npm start, cold",
          target: "≤ 1.2 × npm start",
          met: deployedCold <= 1.2 * localCold,
        },
      ];
    } finally {
      await aws.stop();
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
