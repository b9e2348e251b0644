// `npm run url` prints the deployed URL and nothing else, or nothing on stdout and the reason on
// stderr with exit code 1: `URL=$(npm run -s url)` never holds a warning that curl takes for a URL.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { writeLocalAwsRecord } from "../../../support/local-aws-record";
import { writeLocalUrlRecord } from "../../../support/local-url-record";
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

  test("takes --local and --help only: another flag is exit 2 naming it", () => {
    expect(run(["--help"])).toMatchObject({ code: 0, out: expect.stringMatching(/^Usage: npm run -s url \[-- --local\]\n/) });
    expect(run(["--json"])).toMatchObject({
      code: 2,
      out: "",
      err: expect.stringMatching(/^Unknown option '--json'.*\. npm run url takes --local and --help only\.\n/),
    });
    expect(run(["https://example.com/"])).toMatchObject({ code: 2, err: expect.stringMatching(/takes --local and --help only/) });
  });

  describe("--local: this machine", () => {
    const records = process.env.LOCAL_AWS_RECORD_DIR;
    const urlRecords = process.env.LOCAL_URL_RECORD_DIR;
    beforeEach(() => {
      delete process.env.LOCAL_AWS_RECORD_DIR;
      delete process.env.LOCAL_URL_RECORD_DIR;
    });
    afterEach(() => {
      if (records !== undefined) process.env.LOCAL_AWS_RECORD_DIR = records;
      if (urlRecords !== undefined) process.env.LOCAL_URL_RECORD_DIR = urlRecords;
    });
    const localAws = { endpoint: "http://127.0.0.1:4566", pid: process.pid, state: "/s" };
    const deployLocally = (url: string): void =>
      fs.writeFileSync(
        path.join(root, "terraform.lambda-streaming.local-aws.tfstate"),
        JSON.stringify({ version: 4, outputs: { function_url: { value: url }, region: { value: "us-east-1" } } }),
      );

    test("nothing runs here: one line saying what to start, exit 1", () => {
      expect(run(["--local"])).toEqual({
        code: 1,
        out: "",
        err: "No URL found on this machine: no local AWS is running (`npm run local-aws`, then npm run deploy -- --local), and no npm start is running (`npm start`).\n",
      });
    });

    test("a local AWS that holds no deployment: the line names it and the deploy", () => {
      writeLocalAwsRecord(root, { endpoint: "http://127.0.0.1:4566", pid: process.pid, state: "/s" });
      expect(run(["--local"]).err).toBe(
        `No URL found on this machine: the local AWS at http://127.0.0.1:4566 (pid ${process.pid}) holds no deployment of the stack (npm run deploy -- --local), and no npm start is running (\`npm start\`).\n`,
      );
    });

    test("npm start's URL when it is all that runs; the real deployment is never read", () => {
      deploy({ function_url: { value: "https://abc.lambda-url.eu-west-1.on.aws/" } });
      writeLocalUrlRecord(root, { url: "http://127.0.0.1:3999/", authType: "NONE", region: "us-east-1", pid: process.pid });
      expect(run(["--local"])).toEqual({ code: 0, out: "http://127.0.0.1:3999/\n", err: "" });
    });

    test("the stack deployed into the running local AWS, served on this machine, before npm start's, which stderr names", () => {
      writeLocalAwsRecord(root, localAws);
      deployLocally("http://127.0.0.1:4567/fn/");
      expect(run(["--local"])).toEqual({ code: 0, out: "http://127.0.0.1:4567/fn/\n", err: "" });
      writeLocalUrlRecord(root, { url: "http://127.0.0.1:3999/", authType: "NONE", region: "us-east-1", pid: process.pid });
      expect(run(["--local"])).toEqual({
        code: 0,
        out: "http://127.0.0.1:4567/fn/\n",
        err: `Both run on this machine: --local calls the stack deployed into the local AWS (http://127.0.0.1:4567/fn/, from terraform.lambda-streaming.local-aws.tfstate). npm start's (pid ${process.pid}): npm run invoke -- --url http://127.0.0.1:3999/\n`,
      });
    });

    test("a local deployment whose URL is not on this machine (an AWS address) is refused, never printed", () => {
      writeLocalAwsRecord(root, localAws);
      deployLocally("https://abc.lambda-url.us-east-1.on.aws/");
      const result = run(["--local"]);
      expect(result).toMatchObject({ code: 1, out: "" });
      expect(result.err).toMatch(
        /^No URL found on this machine: the stack deployed into the local AWS \(terraform\.lambda-streaming\.local-aws\.tfstate\) has the URL https:\/\/abc\.lambda-url\.us-east-1\.on\.aws\/, which is not on this machine, .* Serve the stack with `npm start`/,
      );
      expect(result.err.trimEnd().split("\n")).toHaveLength(1);
    });

    test("a local deployment's state without a running local AWS is not this machine's: npm start's, or nothing", () => {
      deployLocally("http://127.0.0.1:4567/fn/");
      expect(run(["--local"]).code).toBe(1);
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
