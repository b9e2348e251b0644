import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");

/** cdktf.json's `app` command, without `node`: what `cdktf synth` runs. */
function appCommand(): string[] {
  const app = (JSON.parse(fs.readFileSync(path.join(ROOT, "cdktf.json"), "utf8")) as { app: string }).app;
  const [program, ...args] = app.split(/\s+/);
  if (program !== "node") {
    throw new Error(`cdktf.json's app should begin with \`node\`, found ${JSON.stringify(app)}`);
  }
  return args;
}

/** Runs main.ts as `cdktf synth` does (its `app` command), with `env` added and a fresh outdir. */
function runMain(env: Record<string, string>): { status: number | null; stderr: string; outdir: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "ls-main-"));
  const result = spawnSync(process.execPath, appCommand(), {
    cwd: ROOT,
    env: { ...process.env, CDKTF_OUTDIR: outdir, ...env },
    encoding: "utf8",
  });
  return { status: result.status, stderr: result.stderr, outdir };
}

describe("main.ts", () => {
  const outdirs: string[] = [];
  afterAll(() => {
    for (const dir of outdirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  test("synthesizes the stack", () => {
    const { status, stderr, outdir } = runMain({ STACK_NAME: "main-test" });
    outdirs.push(outdir);
    expect(stderr).toBe("");
    expect(status).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "main-test", "cdk.tf.json"), "utf8"));
    expect(Object.keys(json.resource).sort()).toEqual([
      "aws_cloudwatch_log_group",
      "aws_iam_policy",
      "aws_iam_role",
      "aws_iam_role_policy",
      "aws_lambda_function",
      "aws_lambda_function_url",
    ]);
  });

  test("fails on a bad value with one line naming the variable, the value and what is allowed, and writes nothing", () => {
    const { status, stderr, outdir } = runMain({ FUNCTION_URL_AUTH: "PUBLIC" });
    outdirs.push(outdir);
    expect(stderr).toBe('FUNCTION_URL_AUTH must be AWS_IAM or NONE (got "PUBLIC")\n');
    expect(status).toBe(1);
    expect(fs.readdirSync(outdir)).toEqual([]);
  });
});
