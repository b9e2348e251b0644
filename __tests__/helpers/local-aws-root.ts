// A terraform root of synthesized stacks, one module per mode, deployed into a local AWS started
// in-process: the real terraform and aws provider (from the offline mirror; the archive data
// source stood in for, as the offline check does). For the tests that apply the stack.

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type RunningLocalAws, serveLocalAws } from "../../emulator/cli/local-aws";
import { readConfig } from "../../lib/config";
import { synthesizeStack } from "../../lib/synthesize";
import { standInForArchiveFiles } from "../../tools/terraform-check/archive-stand-in";
import { findPluginMirror } from "../../tools/terraform-check/plugin-mirror";
import { runTerraform, type TerraformRun } from "../../tools/terraform-check/terraform";
import type { TerraformJson } from "../../tools/terraform-check/terraform-json";

const ROOT = path.join(__dirname, "..", "..");
const CREDENTIALS = { AWS_ACCESS_KEY_ID: "AKIALOCALTERRAFORM00", AWS_SECRET_ACCESS_KEY: "terraform-secret" };

/** A local AWS for the root: in this process, or its own process (which a test can kill -9). */
interface Server {
  readonly endpoint: string;
  close(): Promise<void>;
  /** Its own process only: SIGKILL, and resolves once it has exited. */
  kill9?(): Promise<void>;
  /** Its own process only: resolves when it prints a line matching `pattern`. */
  waitForLine?(pattern: RegExp): Promise<string>;
}

export interface LocalAwsRoot {
  /** Each mode's synthesized stack folder, a module of the root. */
  readonly stackDirs: Readonly<Record<string, string>>;
  /** The local AWS's state file. */
  readonly stateFile: string;
  /** The key pair the local AWS checks signatures against. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Each mode's stack outputs (function_url, function_name, …), from `terraform output -json`. */
  outputs(): Promise<Record<string, Record<string, string>>>;
  /** `terraform <args> -no-color -input=false` in the root; any exit but 0 and 2 (changes) throws. */
  terraform(...args: string[]): Promise<TerraformRun>;
  /** Stops the local AWS and starts it again on the same port and state. */
  restart(): Promise<void>;
  /** Its own process only (`{ process: true }`): kill -9 the local AWS; restart() brings it back. */
  kill9(): Promise<void>;
  /** Its own process only: the first line it prints, from now, that matches `pattern` (its access log included). */
  waitForLine(pattern: RegExp): Promise<string>;
  close(): Promise<void>;
}

/**
 * Synthesizes each mode (`modes`: name → the stack's configuration variables), lets `edit` change
 * each module's JSON, writes the root, starts the local AWS and runs `terraform init`.
 */
export async function localAwsRoot(
  modes: Readonly<Record<string, Readonly<Record<string, string>>>>,
  options: {
    readonly edit?: (json: TerraformJson) => void;
    readonly process?: boolean;
  } = {},
): Promise<LocalAwsRoot> {
  const edit = options.edit ?? (() => {});
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "ls-apply-"));
  const state = path.join(work, "local-aws");
  const stackDirs: Record<string, string> = {};
  const modules: Record<string, { source: string }> = {};
  for (const [name, config] of Object.entries(modes)) {
    const stackDir = synthesizeStack(readConfig(config), path.join(work, "synth", name));
    stackDirs[name] = stackDir;
    const json = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")) as TerraformJson;
    const { json: standIn } = standInForArchiveFiles(json, stackDir);
    delete standIn.terraform?.backend;
    edit(standIn);
    fs.writeFileSync(path.join(stackDir, "cdk.tf.json"), JSON.stringify(standIn));
    modules[name] = { source: `./${path.relative(work, stackDir)}` };
  }
  // Each module's outputs, as one root output per mode: `terraform output -json` gives them all.
  const outputs = Object.fromEntries(Object.keys(modules).map((name) => [name, { value: `\${module.${name}}` }]));
  fs.writeFileSync(path.join(work, "main.tf.json"), JSON.stringify({ module: modules, output: outputs }));
  fs.writeFileSync(path.join(work, ".terraformrc"), "disable_checkpoint = true\n");
  fs.writeFileSync(path.join(work, ".aws-config"), "");
  const args = (port: number): string[] => ["--port", String(port), "--state", state];
  const start = async (port: number): Promise<Server> =>
    options.process
      ? startProcess(args(port))
      : ((await serveLocalAws(args(port), { ...CREDENTIALS, AWS_EC2_METADATA_DISABLED: "true" }, () => {})) as RunningLocalAws);
  let aws = await start(0);
  const env: NodeJS.ProcessEnv = {
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
  const terraform = async (...args: string[]): Promise<TerraformRun> => {
    // terraform output takes no -input.
    const run = await runTerraform([...args, "-no-color", ...(args[0] === "output" ? [] : ["-input=false"])], work, env);
    if (run.code !== 0 && run.code !== 2) throw new Error(`terraform ${args.join(" ")} failed (${run.code}):\n${run.stderr}${run.stdout}`);
    return run;
  };
  const root: LocalAwsRoot = {
    stackDirs,
    stateFile: path.join(state, "state.json"),
    credentials: { accessKeyId: CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: CREDENTIALS.AWS_SECRET_ACCESS_KEY },
    terraform,
    async outputs() {
      const run = await runTerraform(["output", "-json", "-no-color"], work, env);
      if (run.code !== 0) throw new Error(`terraform output failed (${run.code}):\n${run.stderr}`);
      const json = JSON.parse(run.stdout) as Record<string, { value: Record<string, string> }>;
      return Object.fromEntries(Object.entries(json).map(([name, output]) => [name, output.value]));
    },
    async restart() {
      const port = Number(new URL(aws.endpoint).port);
      await aws.close();
      aws = await start(port);
    },
    waitForLine(pattern) {
      if (!aws.waitForLine) throw new Error("waitForLine needs the local AWS in its own process: localAwsRoot(modes, { process: true })");
      return aws.waitForLine(pattern);
    },
    async kill9() {
      if (!aws.kill9) throw new Error("kill9 needs the local AWS in its own process: localAwsRoot(modes, { process: true })");
      await aws.kill9();
    },
    async close() {
      await aws.close();
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
  try {
    await terraform("init", `-plugin-dir=${findPluginMirror().dir}`);
  } catch (error) {
    await root.close();
    throw error;
  }
  return root;
}

/** `npm run local-aws` as its own process; resolves once it has printed its endpoint. */
function startProcess(args: readonly string[]): Promise<Server> {
  const child = spawn(
    process.execPath,
    ["-r", require.resolve("esbuild-register"), path.join(ROOT, "emulator", "cli", "local-aws.ts"), ...args],
    {
      env: {
        PATH: process.env.PATH,
        ...CREDENTIALS,
        AWS_EC2_METADATA_DISABLED: "true",
        // Its .local-aws.json beside its state, never at the project root where a developer's is.
        LOCAL_AWS_RECORD_DIR: path.dirname(args[args.indexOf("--state") + 1]),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let pending = "";
  const onLine = (line: string): void => {
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  return new Promise((resolve, reject) => {
    let out = "";
    let started = false;
    child.stdout.on("data", (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) onLine(line);
      if (started) return;
      out += chunk.toString();
      const endpoint = /^Local AWS .* at (http:\/\/\S+),/m.exec(out)?.[1];
      if (endpoint) {
        started = true;
        resolve({
          endpoint,
          close: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
            await exited;
          },
          kill9: async () => {
            child.kill("SIGKILL");
            await exited;
          },
          waitForLine: (pattern) =>
            new Promise((found, gone) => {
              waiters.push({ pattern, resolve: found });
              // A process that dies first ends the wait at once, not at the test's timeout.
              void exited.then(() => gone(new Error(`npm run local-aws exited before printing a line matching ${pattern}`)));
            }),
        });
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("exit", (code) => {
      if (!started) reject(new Error(`npm run local-aws exited with ${code}: ${out}`));
    });
  });
}

/** Every record the local AWS's state file holds, across its tables: none after a clean destroy. */
export function recordsIn(stateFile: string): unknown[] {
  return Object.values((JSON.parse(fs.readFileSync(stateFile, "utf8")) as { tables: Record<string, unknown[]> }).tables).flat();
}
