// Terraform's verdict on a root, kept by what went into it. A plan is a function of its inputs:
// the root's files, the terraform binary's version and the provider binaries. So a check whose
// inputs are byte for byte those of an earlier run on this machine reads that run's output
// instead of planning again; one plan costs about 12 s of CPU here, nearly all of it the aws
// provider building its schema. Any change to any input is a new key, and a real plan.
// Off with CI=true (CI always plans) or TERRAFORM_CHECK_CACHE=off.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError } from "../../lib/usage-error";
import type { PluginMirror } from "./plugin-mirror";
import type { TerraformRun } from "./terraform";

/** Where verdicts are kept: with the other caches, under node_modules (never committed). */
export const DEFAULT_CACHE_DIR = path.join(__dirname, "..", "..", "node_modules", ".cache", "lambda-streaming", "terraform-check");

/** Verdicts kept; the oldest go first. Each is one plan's output (tens of kilobytes). */
export const MAX_VERDICTS = 20;

/** The variable that turns the cache off. */
export const CACHE_VARIABLE = "TERRAFORM_CHECK_CACHE";

/** Bumped whenever what a verdict holds, or how its key is made, changes. */
const FORMAT = "lambda-streaming terraform-check verdict 1";

/** What terraform said: the step that ended the check, and its run. */
export interface Verdict {
  readonly step: "init" | "plan";
  readonly run: TerraformRun;
}

/** A verdict and where it came from: undefined for a run just made, or when the replayed one was recorded. */
export interface KnownVerdict extends Verdict {
  readonly recordedAt?: string;
}

/** The terraform binary and the provider mirror: the inputs outside the root. */
export interface TerraformTools {
  readonly terraformVersion: string;
  readonly mirror: PluginMirror;
}

/** The cache folder to use, or undefined when the cache is off (CI=true, TERRAFORM_CHECK_CACHE=off). */
export function verdictCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const setting = env[CACHE_VARIABLE] ?? "";
  if (!["", "on", "off"].includes(setting)) {
    throw new UsageError(`${CACHE_VARIABLE}=${JSON.stringify(setting)} is not a setting; use "off" to plan every time, or leave it unset.`);
  }
  return env.CI === "true" || setting === "off" ? undefined : DEFAULT_CACHE_DIR;
}

/** The line that says a verdict was read, not planned. */
export function replayNote(recordedAt: string): string {
  const where = path.relative(process.cwd(), DEFAULT_CACHE_DIR);
  return `(terraform's verdict of ${recordedAt}, on these very inputs: read from ${where}; ${CACHE_VARIABLE}=off plans afresh)`;
}

/**
 * The key of everything a plan of `rootDir` depends on: each file under it (path and bytes),
 * terraform's version, and each file of the mirror (path, size, modification time: the provider
 * binaries are hundreds of megabytes, and a new build is a new file).
 */
export function verdictKey(rootDir: string, args: readonly (readonly string[])[], tools: TerraformTools): string {
  const hash = createHash("sha256");
  const add = (...parts: (string | number)[]) => hash.update(`${parts.join("\u0000")}\u0001`);
  add(FORMAT, tools.terraformVersion, JSON.stringify(args));
  for (const file of filesUnder(tools.mirror.dir)) {
    const stat = fs.statSync(path.join(tools.mirror.dir, file));
    add("mirror", file, stat.size, stat.mtimeMs);
  }
  for (const file of filesUnder(rootDir)) {
    add("root", file);
    hash.update(fs.readFileSync(path.join(rootDir, file)));
  }
  return hash.digest("hex");
}

/**
 * The verdict recorded under `key` in `cacheDir`; otherwise `run()`'s, recorded when it is one
 * the same inputs would give again: a plan, passed or failed. A failed init is not recorded (it
 * can fail for reasons outside the inputs, such as a full disk).
 */
export async function knownVerdict(cacheDir: string, key: string, run: () => Promise<Verdict>): Promise<KnownVerdict> {
  const file = path.join(cacheDir, `${key}.json`);
  const recorded = readVerdict(file);
  if (recorded !== undefined) {
    return recorded;
  }
  const verdict = await run();
  if (verdict.step === "plan") {
    writeVerdict(cacheDir, file, verdict);
  }
  return verdict;
}

function readVerdict(file: string): KnownVerdict | undefined {
  try {
    const { format, recordedAt, step, run } = JSON.parse(fs.readFileSync(file, "utf8"));
    const wellFormed =
      format === FORMAT &&
      typeof recordedAt === "string" &&
      step === "plan" &&
      typeof run?.stdout === "string" &&
      typeof run?.stderr === "string" &&
      Number.isInteger(run?.code);
    return wellFormed ? { step, run: { code: run.code, stdout: run.stdout, stderr: run.stderr }, recordedAt } : undefined;
  } catch {
    // Absent, or unreadable: plan again, and record anew.
    return undefined;
  }
}

function writeVerdict(cacheDir: string, file: string, verdict: Verdict): void {
  fs.mkdirSync(cacheDir, { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(partial, JSON.stringify({ format: FORMAT, recordedAt: new Date().toISOString(), ...verdict }));
  // Whole or not at all: a reader never sees a half-written verdict.
  fs.renameSync(partial, file);
  const kept = fs
    .readdirSync(cacheDir)
    .filter((name) => name.endsWith(".json"))
    .map((name) => ({ name, mtime: fs.statSync(path.join(cacheDir, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { name } of kept.slice(MAX_VERDICTS)) {
    fs.rmSync(path.join(cacheDir, name), { force: true });
  }
}

/** Every file under `dir`, as sorted paths relative to it. */
function filesUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile() || entry.isSymbolicLink())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}
