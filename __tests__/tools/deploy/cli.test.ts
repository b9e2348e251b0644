// npm run deploy / destroy: flags, the refusals, and what reaches cdktf (a stand-in records it;
// no test runs cdktf or reaches AWS).

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { writeLocalAwsRecord } from "../../../support/local-aws-record";
import { type DeployIo, noLocalAws, runDeploy } from "../../../tools/deploy/cli";
import type { PreflightProbes } from "../../../tools/deploy-preflight";

const ROOT = path.join(__dirname, "..", "..", "..");

/** Probes that find terraform and the providers, and fail the test if credentials are looked for. */
function probes(): PreflightProbes {
  return {
    findCredentials: jest.fn(() => Promise.reject(new Error("Could not load credentials from any providers"))),
    profileRegion: async () => undefined,
    terraformVersion: () => ({ version: "1.11.4" }),
    providersNotMirrored: () => [],
    registryUnreachable: async () => undefined,
  };
}

describe("runDeploy", () => {
  let root: string;
  const recordDir = process.env.LOCAL_AWS_RECORD_DIR;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "ls-deploy-"));
    delete process.env.LOCAL_AWS_RECORD_DIR;
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
    if (recordDir !== undefined) process.env.LOCAL_AWS_RECORD_DIR = recordDir;
  });

  /** runDeploy with `env`, its cdktf a stand-in that records each call; what it printed and ran. */
  async function run(command: "deploy" | "destroy", argv: string[], env: NodeJS.ProcessEnv, checks = probes()) {
    const [stdout, stderr] = [new PassThrough(), new PassThrough()];
    const [out, err] = [[] as Buffer[], [] as Buffer[]];
    stdout.on("data", (chunk: Buffer) => out.push(chunk));
    stderr.on("data", (chunk: Buffer) => err.push(chunk));
    const calls: { args: readonly string[]; env: NodeJS.ProcessEnv }[] = [];
    const io: DeployIo = {
      env,
      projectRoot: root,
      stdout,
      stderr,
      isTerminal: false,
      probes: checks,
      runCdktf: async (args, cdktfEnv) => {
        calls.push({ args, env: cdktfEnv });
        return 0;
      },
    };
    const code = await runDeploy(command, argv, io);
    return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), calls, probes: checks };
  }

  test("--local with no local AWS running: one line saying to start it, exit 1, cdktf never runs", async () => {
    const result = await run("deploy", ["--local"], {});
    expect(result).toMatchObject({ code: 1, stderr: `${noLocalAws("deploy")}\n`, calls: [] });
    expect(result.stderr).toContain("`npm run local-aws`");
  });

  test("--local whose recorded local AWS is gone (kill -9) is the same line", async () => {
    const gone = spawnSync(process.execPath, ["-e", ""]).pid as number;
    writeLocalAwsRecord(root, { endpoint: "http://127.0.0.1:4566", pid: gone, state: "/s" });
    expect(await run("destroy", ["--local"], {})).toMatchObject({ code: 1, stderr: `${noLocalAws("destroy")}\n`, calls: [] });
  });

  test("--local runs cdktf at the local AWS, without S3 even with TF_STATE_BUCKET set, and never looks for credentials", async () => {
    const pair = { accessKeyId: "AKIALOCALPAIR", secretAccessKey: "local-secret" };
    writeLocalAwsRecord(root, { endpoint: "http://127.0.0.1:45666", pid: process.pid, state: "/s", localCredentials: pair });
    const result = await run("deploy", ["--local"], { TF_STATE_BUCKET: "my-tf-state", AWS_PROFILE: "work" });
    expect(result.code).toBe(0);
    expect(result.probes.findCredentials).not.toHaveBeenCalled();
    expect(result.stderr).toBe(
      `Into the local AWS at http://127.0.0.1:45666 (pid ${process.pid}), state in terraform.lambda-streaming.local-aws.tfstate.\n`,
    );
    const [{ args, env }] = result.calls;
    expect(args).toEqual(["deploy", "--output", "cdktf.out.local-aws", "--auto-approve", "--skip-provider-lock", "--no-color"]);
    expect(env).toMatchObject({
      AWS_ENDPOINT_URL: "http://127.0.0.1:45666",
      AWS_ACCESS_KEY_ID: "AKIALOCALPAIR",
      LAMBDA_STREAMING_LOCAL_AWS: "http://127.0.0.1:45666",
    });
    expect(env.TF_STATE_BUCKET).toBeUndefined();
    expect(env.AWS_PROFILE).toBeUndefined();
  });

  test("destroy --local with nothing deployed into the local AWS: one line, exit 0, cdktf never runs; deployed, it runs", async () => {
    writeLocalAwsRecord(root, { endpoint: "http://127.0.0.1:45666", pid: process.pid, state: "/s" });
    expect(await run("destroy", ["--local"], {})).toMatchObject({
      code: 0,
      stderr:
        "Nothing to destroy: no stack is deployed into the local AWS (terraform.lambda-streaming.local-aws.tfstate does not exist). npm run deploy -- --local deploys it.\n",
      calls: [],
    });
    // Destroyed before: terraform left the file with no resources.
    fs.writeFileSync(path.join(root, "terraform.lambda-streaming.local-aws.tfstate"), JSON.stringify({ version: 4, resources: [] }));
    expect((await run("destroy", ["--local"], {})).stderr).toMatch(
      /\(terraform\.lambda-streaming\.local-aws\.tfstate holds no resources\)/,
    );
    fs.writeFileSync(
      path.join(root, "terraform.lambda-streaming.local-aws.tfstate"),
      JSON.stringify({ version: 4, resources: [{ type: "aws_lambda_function" }] }),
    );
    const deployed = await run("destroy", ["--local"], {});
    expect(deployed.code).toBe(0);
    expect(deployed.calls.map((call) => call.args[0])).toEqual(["destroy"]);
  });

  test("the real deployment is checked as before: no credentials is one line, exit 1, cdktf never runs", async () => {
    const result = await run("deploy", [], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^No AWS credentials found \(Could not load credentials from any providers\): /);
    expect(result.calls).toEqual([]);
  });

  test("the real deployment, checked, runs cdktf with the shell's environment and TF_STATE_BUCKET kept", async () => {
    const checks = { ...probes(), findCredentials: async () => ({ accessKeyId: "AKID", secretAccessKey: "s" }) };
    const result = await run("destroy", [], { TF_STATE_BUCKET: "my-tf-state", AWS_REGION: "us-east-1" }, checks);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.calls).toEqual([
      { args: ["destroy", "--no-color"], env: { TF_STATE_BUCKET: "my-tf-state", AWS_REGION: "us-east-1", CHECKPOINT_DISABLE: "1" } },
    ]);
  });

  test("a bad configuration value is the one line, for --local too", async () => {
    writeLocalAwsRecord(root, { endpoint: "http://127.0.0.1:4566", pid: process.pid, state: "/s" });
    expect(await run("deploy", ["--local"], { MEMORY_MB: "1" })).toMatchObject({
      code: 1,
      stderr: 'MEMORY_MB must be a whole number of MB from 128 to 10240 (got "1")\n',
      calls: [],
    });
  });

  test("a bad flag: the UsageError line and exit 2; --help: the usage on stdout", async () => {
    expect(await run("deploy", ["--locale"], {})).toMatchObject({ code: 2, stderr: expect.stringMatching(/^Unknown option '--locale'\./) });
    expect(await run("deploy", ["--help"], {})).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: npm run deploy -- /) });
  });
});

describe("npm run deploy / destroy as typed", () => {
  test.each([
    [
      ["run", "deploy", "--", "--local"],
      1,
      /^No local AWS is running \(none recorded in \.local-aws\.json\): start it with `npm run local-aws`/,
    ],
    [["run", "destroy", "--", "--bogus"], 2, /^Unknown option '--bogus'\. .*Allowed flags: --local, --auto-approve, --help$/],
  ])("npm %s: one line on stderr, exit %i", (argv, status, line) => {
    const records = fs.mkdtempSync(path.join(os.tmpdir(), "ls-deploy-npm-"));
    try {
      const result = spawnSync("npm", argv, {
        cwd: ROOT,
        env: { ...process.env, LOCAL_AWS_RECORD_DIR: records, npm_config_update_notifier: "false" },
        encoding: "utf8",
        timeout: 30_000,
      });
      expect(result.stderr.trimEnd().split("\n")).toEqual([expect.stringMatching(line)]);
      expect(result.status).toBe(status);
    } finally {
      fs.rmSync(records, { recursive: true, force: true });
    }
  });
});
