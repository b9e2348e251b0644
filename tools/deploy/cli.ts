// `npm run deploy` and `npm run destroy` (`tools/deploy/cli.ts deploy|destroy [flags]`): check the
// configuration and the machine, then run cdktf. With --local, into the running local AWS
// (cdktf-invocation.ts says how it is kept apart from the real deployment).

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Writable } from "node:stream";
import { readConfig } from "../../lib/config";
import { localAwsStatePath } from "../../lib/state-location";
import { findLocalAws, LOCAL_AWS_RECORD_FILE } from "../../support/local-aws-record";
import { UsageError } from "../../support/usage-error";
import { configProblem } from "../check-config";
import { deployProblems, localDeployProblems, type PreflightProbes } from "../deploy-preflight";
import { localAwsStateFile } from "../invoke/deployed-outputs";
import { cdktfInvocation } from "./cdktf-invocation";
import { type DeployCommand, deployUsage, parseDeployOptions } from "./deploy-options";

export interface DeployIo {
  readonly env: NodeJS.ProcessEnv;
  readonly projectRoot: string;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly isTerminal: boolean;
  /** @default the AWS SDK and the terraform binary (deploy-preflight.ts) */
  readonly probes?: PreflightProbes;
  /** Runs cdktf; resolves its exit code. @default cdktf-cli's own binary, in the project */
  readonly runCdktf?: (args: readonly string[], env: NodeJS.ProcessEnv) => Promise<number>;
}

/** The line when --local finds no local AWS running. */
export function noLocalAws(command: DeployCommand): string {
  return `No local AWS is running (none recorded in ${LOCAL_AWS_RECORD_FILE}): start it with \`npm run local-aws\` in another terminal, then run npm run ${command} -- --local again.`;
}

/** `npm run deploy|destroy` with `argv`; the exit code. */
export async function runDeploy(command: DeployCommand, argv: readonly string[], io: DeployIo): Promise<number> {
  let options: ReturnType<typeof parseDeployOptions>;
  try {
    options = parseDeployOptions(command, argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return 2;
  }
  if (options.help) {
    io.stdout.write(`${deployUsage(command)}\n`);
    return 0;
  }
  const localAws = options.local ? findLocalAws(io.projectRoot) : undefined;
  if (options.local && localAws === undefined) {
    io.stderr.write(`${noLocalAws(command)}\n`);
    return 1;
  }
  const invocation = cdktfInvocation(options, io.env, io.isTerminal, localAws);
  const problem = configProblem(invocation.env);
  if (problem === undefined && localAws && command === "destroy") {
    // Nothing deployed into it: nothing to destroy, and no need for terraform or its providers.
    const stateFile = localAwsStateFile(io.projectRoot, readConfig(invocation.env).stackName);
    const why = nothingDeployed(stateFile);
    if (why !== undefined) {
      io.stderr.write(
        `Nothing to destroy: no stack is deployed into the local AWS (${path.basename(stateFile)} ${why}). npm run deploy -- --local deploys it.\n`,
      );
      return 0;
    }
  }
  const problems =
    problem !== undefined
      ? [problem]
      : options.local
        ? await localDeployProblems(io.env, io.probes)
        : await deployProblems(io.env, io.probes);
  if (problems.length > 0) {
    io.stderr.write(`${problems.join("\n")}\n`);
    return 1;
  }
  if (localAws) {
    const state = path.basename(localAwsStatePath(readConfig(invocation.env).stackName));
    io.stderr.write(`Into the local AWS at ${localAws.endpoint} (pid ${localAws.pid}), state in ${state}.\n`);
  }
  return (io.runCdktf ?? runCdktf(io.projectRoot))(invocation.args, invocation.env);
}

/** Why the state file `file` holds nothing to destroy ("does not exist", "holds no resources"); undefined when it holds some. */
function nothingDeployed(file: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return "does not exist";
  }
  try {
    const resources = (JSON.parse(text) as { resources?: unknown[] }).resources;
    return Array.isArray(resources) && resources.length === 0 ? "holds no resources" : undefined;
  } catch {
    // Not state terraform can read either: terraform says what is wrong with it.
    return undefined;
  }
}

/** cdktf-cli's binary, run by this Node.js in the project (where cdktf.json is); its exit code. */
function runCdktf(projectRoot: string): (args: readonly string[], env: NodeJS.ProcessEnv) => Promise<number> {
  return (args, env) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [require.resolve("cdktf-cli/bundle/bin/cdktf"), ...args], {
        cwd: projectRoot,
        env,
        stdio: "inherit",
      });
      // Ctrl-C reaches cdktf too (the same process group): it decides how to stop, and this waits.
      const ignore = (): void => {};
      process.on("SIGINT", ignore);
      child.once("error", reject);
      child.once("exit", (code, signal) => {
        process.off("SIGINT", ignore);
        resolve(code ?? (signal ? 1 : 0));
      });
    });
}

if (require.main === module) {
  const [command, ...argv] = process.argv.slice(2);
  if (command !== "deploy" && command !== "destroy") {
    console.error(`tools/deploy/cli.ts runs deploy or destroy (got ${JSON.stringify(command)}): use npm run deploy or npm run destroy.`);
    process.exit(2);
  }
  runDeploy(command, argv, {
    env: process.env,
    projectRoot: path.join(__dirname, "..", ".."),
    stdout: process.stdout,
    stderr: process.stderr,
    isTerminal: process.stdout.isTTY === true,
  }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exit(1);
    },
  );
}
