// `npm run deploy` and `destroy` check credentials, the Region and terraform before cdktf runs:
// each missing piece is one line that says what to do, and the check never waits on the network
// (tests set AWS_EC2_METADATA_DISABLED=true, so the SDK's chain skips the instance metadata service).

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  compareVersions,
  deployProblems,
  localDeployProblems,
  MIN_TERRAFORM_VERSION,
  type PreflightProbes,
  providersNotMirrored,
} from "../../tools/deploy-preflight";
import { ARCHIVE_PROVIDER, AWS_PROVIDER, terraformPlatform } from "../../tools/terraform-check/plugin-mirror";

const ROOT = path.join(__dirname, "..", "..");
const NO_CREDENTIALS =
  "No AWS credentials found (Could not load credentials from any providers): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run aws sso login.";

/** Probes that find everything, with `overrides` in place. */
function probes(overrides: Partial<PreflightProbes> = {}): PreflightProbes {
  return {
    findCredentials: async () => ({ accessKeyId: "AKID", secretAccessKey: "s" }),
    profileRegion: async () => undefined,
    terraformVersion: () => ({ version: "1.11.4" }),
    providersNotMirrored: () => ["hashicorp/aws 5.100.0", "hashicorp/archive 2.7.1"],
    registryUnreachable: async () => undefined,
    ...overrides,
  };
}

/** Lays out a provider mirror in `dir` that holds hashicorp/aws and hashicorp/archive for this platform, as terraform reads one. */
function fillMirror(dir: string): void {
  for (const { address, version } of [AWS_PROVIDER, ARCHIVE_PROVIDER]) {
    const folder = path.join(dir, ...address.split("/"), version, terraformPlatform());
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, `terraform-provider-${address.split("/")[2]}_v${version}_x5`), "");
  }
}

describe("deployProblems", () => {
  test("none when credentials, Region and terraform are in order", async () => {
    expect(await deployProblems({}, probes())).toEqual([]);
    expect(await deployProblems({ AWS_REGION: "eu-west-1" }, probes({ profileRegion: async () => "eu-central-1" }))).toEqual([]);
    expect(await deployProblems({}, probes({ profileRegion: async () => "us-east-1" }))).toEqual([]);
  });

  test("no credentials: one line with the SDK's reason and what to set", async () => {
    const none = probes({ findCredentials: () => Promise.reject(new Error("Could not load credentials from any providers\nmore")) });
    expect(await deployProblems({}, none)).toEqual([NO_CREDENTIALS]);
  });

  test("a credential chain that does not answer is given up after the deadline", async () => {
    const hung = probes({ findCredentials: () => new Promise(() => undefined) });
    expect(await deployProblems({}, hung, 50)).toEqual([
      "No AWS credentials found (the credential chain did not answer within 0.05 s): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run aws sso login.",
    ]);
  });

  test("AWS_REGION unset while AWS_DEFAULT_REGION or the profile names another Region: says which to set", async () => {
    expect(await deployProblems({ AWS_DEFAULT_REGION: "eu-west-1" }, probes())).toEqual([
      "AWS_REGION is unset, so the stack goes to us-east-1, but AWS_DEFAULT_REGION is eu-west-1: set AWS_REGION=eu-west-1 (or AWS_REGION=us-east-1 to use us-east-1).",
    ]);
    expect(await deployProblems({}, probes({ profileRegion: async () => "ap-south-1" }))).toEqual([
      "AWS_REGION is unset, so the stack goes to us-east-1, but your AWS profile's region is ap-south-1: set AWS_REGION=ap-south-1 (or AWS_REGION=us-east-1 to use us-east-1).",
    ]);
  });

  test("terraform missing, or older than the README's version", async () => {
    expect(await deployProblems({}, probes({ terraformVersion: () => ({ error: "ENOENT" }) }))).toEqual([
      "terraform cannot run (ENOENT): install terraform 1.10 or newer (https://developer.hashicorp.com/terraform/install), and put it on your PATH.",
    ]);
    expect(await deployProblems({ TERRAFORM_BINARY_NAME: "tf" }, probes({ terraformVersion: () => ({ version: "1.9.8" }) }))).toEqual([
      "tf is 1.9.8, older than the 1.10 this stack needs (S3 state locking): install terraform 1.10 or newer (https://developer.hashicorp.com/terraform/install).",
    ]);
    expect(await deployProblems({}, probes({ terraformVersion: () => ({ version: "1.10.0" }) }))).toEqual([]);
  });

  test("no mirror and no answer from the Terraform registry: one line naming both providers, the reason and the fix", async () => {
    const offline = probes({ registryUnreachable: async () => "ENOTFOUND" });
    expect(await deployProblems({}, offline)).toEqual([
      "terraform init cannot get the providers (hashicorp/aws 5.100.0, hashicorp/archive 2.7.1): registry.terraform.io does not answer (ENOTFOUND), and no mirror terraform reads holds hashicorp/aws 5.100.0 or hashicorp/archive 2.7.1. " +
        'Connect to the internet, or name a filled mirror in terraform\'s CLI configuration: provider_installation { filesystem_mirror { path = "DIR" } } ' +
        "(https://developer.hashicorp.com/terraform/cli/config/config-file#provider-installation; `terraform providers mirror DIR` in cdktf.out/stacks/<name> fills one).",
    ]);
  });

  test("a mirror terraform reads: the registry is not asked at all", async () => {
    const registryUnreachable = jest.fn(async () => "ENOTFOUND");
    expect(await deployProblems({}, probes({ providersNotMirrored: () => [], registryUnreachable }))).toEqual([]);
    expect(registryUnreachable).not.toHaveBeenCalled();
  });

  test("behind a proxy (HTTPS_PROXY), a direct connection proves nothing: the registry is not asked", async () => {
    const registryUnreachable = jest.fn(async () => "ETIMEDOUT");
    expect(await deployProblems({ HTTPS_PROXY: "http://proxy:3128" }, probes({ registryUnreachable }))).toEqual([]);
    expect(registryUnreachable).not.toHaveBeenCalled();
  });

  test("compareVersions orders dotted numbers", () => {
    expect(compareVersions("1.9.8", "1.10")).toBeLessThan(0);
    expect(compareVersions("1.10.0", "1.10")).toBe(0);
    expect(compareVersions("1.11.4", "1.10")).toBeGreaterThan(0);
    expect(compareVersions("2.0.0-beta1", "1.10")).toBeGreaterThan(0);
  });

  test("the README asks for the same terraform version", () => {
    expect(fs.readFileSync(path.join(ROOT, "README.md"), "utf8")).toContain(`\`terraform\` ${MIN_TERRAFORM_VERSION} or newer`);
  });
});

describe("localDeployProblems (npm run deploy -- --local)", () => {
  /** Probes whose credential and Region lookups fail the test if they are ever called. */
  const noRealLookups = (overrides: Partial<PreflightProbes> = {}) =>
    probes({
      findCredentials: jest.fn(() => Promise.reject(new Error("the credential chain was asked"))),
      profileRegion: jest.fn(() => Promise.reject(new Error("the profile's Region was asked"))),
      ...overrides,
    });

  test("asks for no credentials and no Region: none are needed for the local AWS", async () => {
    const checked = noRealLookups();
    expect(await localDeployProblems({ AWS_DEFAULT_REGION: "eu-north-1" }, checked)).toEqual([]);
    expect(checked.findCredentials).not.toHaveBeenCalled();
    expect(checked.profileRegion).not.toHaveBeenCalled();
  });

  test("still names an old terraform, and providers terraform init cannot get", async () => {
    const problems = await localDeployProblems(
      {},
      noRealLookups({ terraformVersion: () => ({ version: "1.9.0" }), registryUnreachable: async () => "ENOTFOUND" }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^terraform is 1\.9\.0, older than the 1\.10/),
      expect.stringMatching(
        /^terraform init cannot get the providers \(hashicorp\/aws 5\.100\.0, hashicorp\/archive 2\.7\.1\): registry\.terraform\.io does not answer \(ENOTFOUND\)/,
      ),
    ]);
  });
});

describe("npm run deploy and destroy, before cdktf", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ls-preflight-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A shell with no AWS settings of its own: an empty HOME, no AWS_* variables, IMDS off. */
  function shell(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const bare = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith("AWS_") && key !== "TERRAFORM_BINARY_NAME"),
    );
    // npm checks for a newer npm now and then (always, with a fresh HOME) and prints a notice on
    // stderr, which would fail the tests below that read stderr whole.
    // A provider mirror where terraform looks (an implied mirror folder of HOME), so the check
    // finds it and never asks the Terraform registry: no test leaves this machine.
    fillMirror(path.join(dir, ".terraform.d", "plugins"));
    // terraform's CLI configuration is this folder's (empty) one, not the machine's, which could
    // declare other mirrors and turn the implied folder off.
    fs.writeFileSync(path.join(dir, ".terraformrc"), "");
    return {
      ...bare,
      HOME: dir,
      TF_CLI_CONFIG_FILE: path.join(dir, ".terraformrc"),
      TERRAFORM_CONFIG: undefined,
      AWS_EC2_METADATA_DISABLED: "true",
      CHECKPOINT_DISABLE: "1",
      npm_config_update_notifier: "false",
      ...extra,
    };
  }

  /** A `terraform` that reports `version`, first on the PATH. */
  function fakeTerraform(version: string): string {
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, "terraform"), `#!/bin/sh\necho '{"terraform_version":"${version}"}'\n`, { mode: 0o755 });
    return `${bin}${path.delimiter}${process.env.PATH}`;
  }

  test.each(["deploy", "destroy"])("npm run %s with no credentials: one line, exit 1, cdktf never starts", (script) => {
    const started = performance.now();
    const result = spawnSync("npm", ["run", script], {
      cwd: ROOT,
      env: shell({ PATH: fakeTerraform("1.11.4") }),
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.stderr).toBe(`${NO_CREDENTIALS}\n`);
    expect(result.status).toBe(1);
    // No metadata service was waited for: far below the SDK's timeouts plus cdktf's start.
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  function check(env: NodeJS.ProcessEnv): { status: number | null; stderr: string } {
    return spawnSync(process.execPath, ["-r", "esbuild-register", "tools/check-config.ts", "--deploy"], {
      cwd: ROOT,
      env,
      encoding: "utf8",
    });
  }

  test("credentials in the shared credentials file pass; the profile's Region is compared with the stack's", () => {
    fs.mkdirSync(path.join(dir, ".aws"));
    fs.writeFileSync(path.join(dir, ".aws", "credentials"), "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n");
    expect(check(shell({ PATH: fakeTerraform("1.11.4") }))).toMatchObject({ status: 0, stderr: "" });
    fs.writeFileSync(path.join(dir, ".aws", "config"), "[default]\nregion = eu-north-1\n");
    expect(check(shell({ PATH: fakeTerraform("1.11.4") }))).toMatchObject({
      status: 1,
      stderr: expect.stringMatching(/^AWS_REGION is unset, so the stack goes to us-east-1, but your AWS profile's region is eu-north-1: /),
    });
    expect(check(shell({ PATH: fakeTerraform("1.11.4"), AWS_REGION: "eu-north-1" }))).toMatchObject({ status: 0, stderr: "" });
  });

  test("an old terraform, or none on the PATH, is named", () => {
    const keys = { AWS_ACCESS_KEY_ID: "AKIDENV", AWS_SECRET_ACCESS_KEY: "s" };
    expect(check(shell({ ...keys, PATH: fakeTerraform("1.9.8") }))).toMatchObject({
      status: 1,
      stderr: expect.stringMatching(/^terraform is 1\.9\.8, older than the 1\.10 this stack needs/),
    });
    expect(check(shell({ ...keys, PATH: path.dirname(process.execPath) }))).toMatchObject({
      status: 1,
      stderr: expect.stringMatching(/^terraform cannot run \(ENOENT\): install terraform 1\.10 or newer/),
    });
  });

  test("a bad configuration value is still the first and only line", () => {
    expect(check(shell({ MEMORY_MB: "1" }))).toMatchObject({
      status: 1,
      stderr: 'MEMORY_MB must be a whole number of MB from 128 to 10240 (got "1")\n',
    });
  });
});

describe("providersNotMirrored: the providers terraform init would not find without the network", () => {
  let home: string;
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), "ls-mirrors-"));
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));
  const config = (text: string): NodeJS.ProcessEnv => {
    fs.writeFileSync(path.join(home, "cli.tfrc"), text);
    return { HOME: home, TF_CLI_CONFIG_FILE: path.join(home, "cli.tfrc") };
  };

  test("an implied mirror folder holding both, with no provider_installation block: yes", () => {
    fillMirror(path.join(home, ".terraform.d", "plugins"));
    expect(providersNotMirrored(config(""))).toEqual([]);
  });

  test("a provider_installation block turns the implied folders off: a filled ~/.terraform.d/plugins is not read", () => {
    fillMirror(path.join(home, ".terraform.d", "plugins"));
    expect(providersNotMirrored(config("provider_installation {\n  direct {}\n}\n"))).toEqual([
      "hashicorp/aws 5.100.0",
      "hashicorp/archive 2.7.1",
    ]);
  });

  test("filesystem_mirror paths: both providers count, in one mirror or across two", () => {
    fillMirror(path.join(home, "one"));
    expect(
      providersNotMirrored(config(`provider_installation {\n  filesystem_mirror {\n    path = "${path.join(home, "one")}"\n  }\n}\n`)),
    ).toEqual([]);
    fs.rmSync(path.join(home, "one", "registry.terraform.io", "hashicorp", "archive"), { recursive: true });
    expect(
      providersNotMirrored(config(`provider_installation {\n  filesystem_mirror {\n    path = "${path.join(home, "one")}"\n  }\n}\n`)),
    ).toEqual(["hashicorp/archive 2.7.1"]);
    fillMirror(path.join(home, "two"));
    fs.rmSync(path.join(home, "two", "registry.terraform.io", "hashicorp", "aws"), { recursive: true });
    const both = `provider_installation {\n  filesystem_mirror {\n    path = "${path.join(home, "one")}"\n  }\n  filesystem_mirror {\n    path = "${path.join(home, "two")}"\n  }\n}\n`;
    expect(providersNotMirrored(config(both))).toEqual([]);
  });
});
