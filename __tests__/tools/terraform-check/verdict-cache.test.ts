// The verdict cache, with stand-ins for terraform: what makes a key, what is kept and replayed,
// and when it is off (check-stack.test.ts runs the real terraform through it).

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { UsageError } from "../../../lib/usage-error";
import type { PluginMirror } from "../../../tools/terraform-check/plugin-mirror";
import {
  DEFAULT_CACHE_DIR,
  knownVerdict,
  MAX_VERDICTS,
  type Verdict,
  verdictCacheDir,
  verdictKey,
} from "../../../tools/terraform-check/verdict-cache";

const ARGS = [["init"], ["plan"]];

describe("terraform's verdict, kept by its inputs", () => {
  let scratch: string;
  let root: string;
  let cache: string;
  let mirror: PluginMirror;
  const tools = () => ({ terraformVersion: "1.11.4", mirror });

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
    const first = await knownVerdict(cache, verdictKey(root, ARGS, tools()), run);
    const second = await knownVerdict(cache, verdictKey(root, ARGS, tools()), run);
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
    const before = verdictKey(root, ARGS, tools());
    change();
    expect(verdictKey(root, ARGS, tools())).not.toBe(before);
  });

  function providerPath(): string[] {
    return ["registry.terraform.io", "hashicorp", "aws", "5.100.0", "linux_amd64", "terraform-provider-aws_v5.100.0_x5"];
  }

  test("another terraform version, or other arguments: a new key", () => {
    const key = verdictKey(root, ARGS, tools());
    expect(verdictKey(root, ARGS, { ...tools(), terraformVersion: "1.12.0" })).not.toBe(key);
    expect(verdictKey(root, [["init"], ["plan", "-refresh=true"]], tools())).not.toBe(key);
    expect(verdictKey(root, ARGS, tools())).toBe(key);
  });

  test("a failed plan is kept and given again, failed", async () => {
    const failed: Verdict = { step: "plan", run: { code: 1, stdout: "", stderr: "Error: expected runtime to be one of" } };
    const run = terraform(failed);
    const key = verdictKey(root, ARGS, tools());
    await knownVerdict(cache, key, run);
    expect(await knownVerdict(cache, key, run)).toMatchObject(failed);
    expect(run).toHaveBeenCalledTimes(1);
  });

  test("a failed init is not kept: it can fail for reasons outside the inputs", async () => {
    const run = terraform({ step: "init", run: { code: 1, stdout: "", stderr: "Error: no space left on device" } });
    const key = verdictKey(root, ARGS, tools());
    await knownVerdict(cache, key, run);
    await knownVerdict(cache, key, run);
    expect(run).toHaveBeenCalledTimes(2);
  });

  test("an unreadable or foreign file under the key: terraform runs, and its verdict replaces it", async () => {
    const key = verdictKey(root, ARGS, tools());
    fs.mkdirSync(cache, { recursive: true });
    for (const contents of ["{ half-writ", JSON.stringify({ format: "something else", recordedAt: "x", step: "plan", run: PLANNED.run })]) {
      fs.writeFileSync(path.join(cache, `${key}.json`), contents);
      const run = terraform(PLANNED);
      expect(await knownVerdict(cache, key, run)).toEqual(PLANNED);
      expect(run).toHaveBeenCalledTimes(1);
    }
    expect(await knownVerdict(cache, key, terraform(PLANNED))).toHaveProperty("recordedAt");
  });

  test(`keeps the ${MAX_VERDICTS} newest verdicts, and no partial files`, async () => {
    for (let i = 0; i < MAX_VERDICTS + 3; i += 1) {
      await knownVerdict(cache, `key-${i}`, terraform(PLANNED));
      // Distinct modification times, oldest first, whatever the file system's resolution.
      const when = new Date(Date.now() - (MAX_VERDICTS + 3 - i) * 60_000);
      fs.utimesSync(path.join(cache, `key-${i}.json`), when, when);
    }
    await knownVerdict(cache, "newest", terraform(PLANNED));
    const kept = fs.readdirSync(cache).sort();
    expect(kept).toHaveLength(MAX_VERDICTS);
    expect(kept).toContain("newest.json");
    expect(kept).toContain(`key-${MAX_VERDICTS + 2}.json`);
    expect(kept).not.toContain("key-0.json");
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
    expect(verdictCacheDir({ CI: "true" })).toBeUndefined();
    expect(verdictCacheDir({ TERRAFORM_CHECK_CACHE: "off" })).toBeUndefined();
  });

  test("any other setting: an error naming it and the fix", () => {
    expect(() => verdictCacheDir({ TERRAFORM_CHECK_CACHE: "no" })).toThrow(UsageError);
    expect(() => verdictCacheDir({ TERRAFORM_CHECK_CACHE: "no" })).toThrow(
      'TERRAFORM_CHECK_CACHE="no" is not a setting; use "off" to plan every time, or leave it unset.',
    );
  });
});
