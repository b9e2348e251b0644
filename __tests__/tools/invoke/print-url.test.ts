// `npm run url` prints the deployed URL and nothing else, or nothing on stdout and the reason on
// stderr with exit code 1: `URL=$(npm run -s url)` never holds a warning that curl takes for a URL.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { printUrl } from "../../../tools/invoke/print-url";

const ROOT = path.join(__dirname, "..", "..", "..");

describe("npm run url", () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "ls-url-"));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  function run(argv: string[], env: NodeJS.ProcessEnv = {}): { code: number; out: string; err: string } {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const code = printUrl(argv, { env, projectRoot: root, stdout, stderr });
    const text = (stream: PassThrough): string => (stream.read() as Buffer | null)?.toString() ?? "";
    return { code, out: text(stdout), err: text(stderr) };
  }

  function deploy(outputs: Record<string, { value: string }>): void {
    fs.writeFileSync(path.join(root, "terraform.lambda-streaming.tfstate"), JSON.stringify({ version: 4, outputs }));
  }

  test("prints function_url, and only it", () => {
    deploy({ function_url: { value: "https://abc.lambda-url.eu-west-1.on.aws/" }, region: { value: "eu-west-1" } });
    expect(run([])).toEqual({ code: 0, out: "https://abc.lambda-url.eu-west-1.on.aws/\n", err: "" });
  });

  test("prints public_url when the stack has one", () => {
    deploy({
      function_url: { value: "https://abc.lambda-url.eu-west-1.on.aws/" },
      public_url: { value: "https://d111111abcdef8.cloudfront.net/" },
    });
    expect(run([])).toEqual({ code: 0, out: "https://d111111abcdef8.cloudfront.net/\n", err: "" });
  });

  test("nothing deployed: nothing on stdout, invoke's sentence on stderr, exit 1", () => {
    expect(run([])).toEqual({
      code: 1,
      out: "",
      err: "No URL found: the stack lambda-streaming has no function_url output in terraform.lambda-streaming.tfstate (is it deployed? `npm run deploy`).\n",
    });
    expect(run([], { STACK_NAME: "1bad" }).code).toBe(1);
  });

  test("takes no arguments but --help", () => {
    expect(run(["--help"])).toMatchObject({ code: 0, out: expect.stringMatching(/^Usage: npm run -s url\n/) });
    expect(run(["--json"])).toMatchObject({
      code: 2,
      out: "",
      err: expect.stringMatching(/^npm run url takes no arguments \(got --json\)/),
    });
  });

  test("as the README runs it: npm run -s url, nothing deployed under this stack name", () => {
    const result = spawnSync("npm", ["run", "-s", "url"], {
      cwd: ROOT,
      // A stack name no checkout deploys, so the answer does not depend on this one's state.
      // Without npm's notice of a newer npm, which it prints on stderr now and then.
      env: { ...process.env, STACK_NAME: "never-deployed-url-test", npm_config_update_notifier: "false" },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(result).toMatchObject({
      status: 1,
      stdout: "",
      stderr:
        "No URL found: the stack never-deployed-url-test has no function_url output in terraform.never-deployed-url-test.tfstate (is it deployed? `npm run deploy`).\n",
    });
  });
});
