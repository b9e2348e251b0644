// The verdict cache, with stand-ins for terraform: what makes a key, what is kept and replayed,
// and when it is off (check-stack.test.ts runs the real terraform through it).

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { UsageError } from "../../../support/usage-error";
import type { PluginMirror } from "../../../tools/terraform-check/plugin-mirror";
import {
  DEFAULT_CACHE_DIR,
  knownVerdict,
  MAX_VERDICTS,
  type TerraformInputs,
  type Verdict,
  verdictCacheDir,
  verdictKey,
} from "../../../tools/terraform-check/verdict-cache";

const ARGS = [["init"], ["plan"]];
/** Keep every verdict (checkModules keeps passed plans and those failed on a module). */
const ALWAYS = () => true;

describe("terraform's verdict, kept by its inputs", () => {
  let scratch: string;
  let root: string;
  let cache: string;
  let mirror: PluginMirror;
  const inputs = (): TerraformInputs => ({
    terraformVersion: "1.11.4",
    mirror,
    platform: "linux_amd64",
    env: { TF_IN_AUTOMATION: "1" },
    args: ARGS,
  });

  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ls-verdicts-"));
    root = path.join(scratch, "root");
    cache = path.join(scratch, "cache");
    fs.mkdirSync(path.join(root, "stack", "dist"), { recursive: true });
    fs.writeFileSync(path.join(root, "main.tf.json"), "{}");
    fs.writeFileSync(path.join(root, "stack", "cdk.tf.json"), '{"resource":{}}');
    fs.writeFileSync(path.join(root, "stack", "dist", "fn.zip"), "zip bytes");
    const provider = path.join(scratch, "mirror", "registry.terraform.io", "hashicorp", "aws", "5.100.0", "linux_amd64");
    fs.mkdirSync(provider, { recursive: true });
    fs.writeFileSync(path.join(provider, "terraform-provider-aws_v5.100.0_x5"), "provider binary");
    mirror = { dir: path.join(scratch, "mirror"), foundBy: "TF_PLUGIN_DIR", hasArchive: false };
  });
  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

  /** A stand-in terraform that counts its runs and gives `verdict`. */
  function terraform(verdict: Verdict) {
    return jest.fn(async () => verdict);
  }
  const PLANNED: Verdict = { step: "plan", run: { code: 0, stdout: "Plan: 1 to add, 0 to change, 0 to destroy.\n", stderr: "" } };

  test("the same inputs twice: terraform runs once, and the second verdict says when it was recorded", async () => {
    const run = terraform(PLANNED);
    const first = await knownVerdict(cache, verdictKey(root, inputs()), run, ALWAYS);
    const second = await knownVerdict(cache, verdictKey(root, inputs()), run, ALWAYS);
    expect(run).toHaveBeenCalledTimes(1);
    expect(first).toEqual(PLANNED);
    expect(second).toEqual({ ...PLANNED, recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });

  test.each([
    ["a byte of a module's file", () => fs.appendFileSync(path.join(root, "stack", "cdk.tf.json"), " ")],
    ["a file added to the root", () => fs.writeFileSync(path.join(root, "extra.tf.json"), "{}")],
    ["a file renamed", () => fs.renameSync(path.join(root, "stack", "dist", "fn.zip"), path.join(root, "stack", "dist", "gn.zip"))],
    ["the provider binary rebuilt", () => fs.appendFileSync(path.join(mirror.dir, ...providerPath()), "!")],
  ])("%s: a new key", (_what, change) => {
    const before = verdictKey(root, inputs());
    change();
    expect(verdictKey(root, inputs())).not.toBe(before);
  });

  function providerPath(): string[] {
    return ["registry.terraform.io", "hashicorp", "aws", "5.100.0", "linux_amd64", "terraform-provider-aws_v5.100.0_x5"];
  }

  test("terraform's own working files in the root (.terraform, its lock file) are not inputs", () => {
    const key = verdictKey(root, inputs());
    fs.mkdirSync(path.join(root, ".terraform", "providers"), { recursive: true });
    fs.writeFileSync(path.join(root, ".terraform", "providers", "terraform-provider-aws"), "a provider linked in by init");
    fs.writeFileSync(path.join(root, ".terraform.lock.hcl"), "# lock");
    expect(verdictKey(root, inputs())).toBe(key);
  });

  test("another terraform version, platform, environment or arguments: a new key", () => {
    const key = verdictKey(root, inputs());
    expect(verdictKey(root, { ...inputs(), terraformVersion: "1.12.0" })).not.toBe(key);
    expect(verdictKey(root, { ...inputs(), args: [["init"], ["plan", "-refresh=true"]] })).not.toBe(key);
    expect(verdictKey(root, { ...inputs(), platform: "darwin_arm64" })).not.toBe(key);
    expect(verdictKey(root, { ...inputs(), env: { TF_IN_AUTOMATION: "1", AWS_ACCESS_KEY_ID: "AKIA" } })).not.toBe(key);
    expect(verdictKey(root, inputs())).toBe(key);
  });

  test("a failed plan is kept and given again, failed", async () => {
    const failed: Verdict = { step: "plan", run: { code: 1, stdout: "", stderr: "Error: expected runtime to be one of" } };
    const run = terraform(failed);
    const key = verdictKey(root, inputs());
    await knownVerdict(cache, key, run, ALWAYS);
    expect(await knownVerdict(cache, key, run, ALWAYS)).toMatchObject(failed);
    expect(run).toHaveBeenCalledTimes(1);
  });

  test("a verdict `keep` refuses (one that may not recur) is given, not kept", async () => {
    const crashed: Verdict = { step: "plan", run: { code: 1, stdout: "", stderr: "Error: Plugin did not respond" } };
    const run = terraform(crashed);
    const key = verdictKey(root, inputs());
    const keep = jest.fn(() => false);
    expect(await knownVerdict(cache, key, run, keep)).toEqual(crashed);
    await knownVerdict(cache, key, run, keep);
    expect(run).toHaveBeenCalledTimes(2);
    expect(keep).toHaveBeenCalledWith(crashed);
    expect(fs.existsSync(cache)).toBe(false);
  });

  test("a cache folder it cannot write to: the verdict is still given", async () => {
    fs.writeFileSync(cache, "a file where the folder should be");
    expect(await knownVerdict(cache, "key", terraform(PLANNED), ALWAYS)).toEqual(PLANNED);
  });

  test("a provider linked into the mirror from elsewhere counts as the mirror's own", () => {
    const elsewhere = path.join(scratch, "elsewhere", "linux_amd64");
    fs.mkdirSync(elsewhere, { recursive: true });
    fs.writeFileSync(path.join(elsewhere, "terraform-provider-aws_v5.100.0_x5"), "provider binary");
    const platforms = path.join(mirror.dir, "registry.terraform.io", "hashicorp", "aws", "5.100.0");
    fs.rmSync(path.join(platforms, "linux_amd64"), { recursive: true });
    fs.symlinkSync(elsewhere, path.join(platforms, "linux_amd64"));
    const before = verdictKey(root, inputs());
    fs.appendFileSync(path.join(elsewhere, "terraform-provider-aws_v5.100.0_x5"), " rebuilt");
    expect(verdictKey(root, inputs())).not.toBe(before);
  });

  test("an unreadable or foreign file under the key: terraform runs, and its verdict replaces it", async () => {
    const key = verdictKey(root, inputs());
    fs.mkdirSync(cache, { recursive: true });
    for (const contents of ["{ half-writ", JSON.stringify({ format: "something else", recordedAt: "x", step: "plan", run: PLANNED.run })]) {
      fs.writeFileSync(path.join(cache, `${key}.json`), contents);
      const run = terraform(PLANNED);
      expect(await knownVerdict(cache, key, run, ALWAYS)).toEqual(PLANNED);
      expect(run).toHaveBeenCalledTimes(1);
    }
    expect(await knownVerdict(cache, key, terraform(PLANNED), ALWAYS)).toHaveProperty("recordedAt");
  });

  test(`keeps the ${MAX_VERDICTS} verdicts used last, and no partial files`, async () => {
    for (let i = 0; i < MAX_VERDICTS; i += 1) {
      await knownVerdict(cache, `key-${i}`, terraform(PLANNED), ALWAYS);
      // Distinct times, oldest first, whatever the file system's resolution.
      const when = new Date(Date.now() - (MAX_VERDICTS - i) * 60_000);
      fs.utimesSync(path.join(cache, `key-${i}.json`), when, when);
    }
    // The oldest written, read again: now the last to go.
    const replay = terraform(PLANNED);
    await knownVerdict(cache, "key-0", replay, ALWAYS);
    expect(replay).not.toHaveBeenCalled();
    for (const name of ["newer", "newest"]) {
      await knownVerdict(cache, name, terraform(PLANNED), ALWAYS);
    }
    const kept = fs.readdirSync(cache).sort();
    expect(kept).toHaveLength(MAX_VERDICTS);
    expect(kept).toEqual(expect.arrayContaining(["key-0.json", "newer.json", "newest.json"]));
    expect(kept).not.toContain("key-1.json");
    expect(kept).not.toContain("key-2.json");
    expect(kept.filter((name) => !name.endsWith(".json"))).toEqual([]);
  });
});

describe("whether the cache is on", () => {
  test("on by default, in node_modules/.cache", () => {
    expect(verdictCacheDir({})).toBe(DEFAULT_CACHE_DIR);
    expect(verdictCacheDir({ TERRAFORM_CHECK_CACHE: "on" })).toBe(DEFAULT_CACHE_DIR);
    expect(path.relative(path.join(__dirname, "..", "..", ".."), DEFAULT_CACHE_DIR)).toBe(
      path.join("node_modules", ".cache", "lambda-streaming", "terraform-check"),
    );
  });

  test("off under CI (CI always plans) and with TERRAFORM_CHECK_CACHE=off", () => {
    expect(verdictCacheDir({ CI: "true" })).toBeNull();
    expect(verdictCacheDir({ TERRAFORM_CHECK_CACHE: "off" })).toBeNull();
  });

  test("any other setting: an error naming it and the fix", () => {
    expect(() => verdictCacheDir({ TERRAFORM_CHECK_CACHE: "no" })).toThrow(UsageError);
    expect(() => verdictCacheDir({ TERRAFORM_CHECK_CACHE: "no" })).toThrow(
      'TERRAFORM_CHECK_CACHE="no" is not a setting; use "off" to plan every time, or leave it unset.',
    );
  });
});
