// Terraform's verdict on a root, kept by what went into it. A plan is a function of its inputs:
// the root's files, the environment terraform runs in, the terraform binary's version and the
// provider binaries. So a check whose inputs are those of an earlier run on this machine reads
// that run's output instead of planning again; one plan costs about 12 s of CPU here, nearly all
// of it the aws provider building its schema. Any change to any input is a new key, and a real
// plan. Off with CI=true (CI always plans) or TERRAFORM_CHECK_CACHE=off.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError } from "../../support/usage-error";
import { writeFileAtomic } from "../../support/write-file-atomic";
import { CACHE_DIR } from "../cache-dir";
import type { PluginMirror } from "./plugin-mirror";
import type { TerraformRun } from "./terraform";

/** Where verdicts are kept. */
export const DEFAULT_CACHE_DIR = path.join(CACHE_DIR, "terraform-check");

/** Verdicts kept; the least recently used go first. Each is one plan's output (tens of kilobytes). */
export const MAX_VERDICTS = 20;

/** The variable that turns the cache off. */
export const CACHE_VARIABLE = "TERRAFORM_CHECK_CACHE";

/** Bumped whenever what a verdict holds, or how its key is made, changes. */
const FORMAT = "lambda-streaming terraform-check verdict 2";

/** What terraform said: the step that ended the check, and its run. */
export interface Verdict {
  readonly step: "init" | "plan";
  readonly run: TerraformRun;
}

/** A verdict and where it came from: undefined for a run just made, or when the replayed one was recorded. */
export interface KnownVerdict extends Verdict {
  readonly recordedAt?: string;
}

/** Everything a plan depends on outside the root's files. */
export interface TerraformInputs {
  readonly terraformVersion: string;
  readonly mirror: PluginMirror;
  /** Terraform's platform name, e.g. linux_amd64: which of the mirror's binaries runs. */
  readonly platform: string;
  /** The environment terraform runs in, without what varies from run to run (the root's path). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The arguments of each terraform command the check runs. */
  readonly args: readonly (readonly string[])[];
}

/** The cache folder to use, or null when the cache is off (CI=true, TERRAFORM_CHECK_CACHE=off). */
export function verdictCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const setting = env[CACHE_VARIABLE] ?? "";
  if (!["", "on", "off"].includes(setting)) {
    throw new UsageError(`${CACHE_VARIABLE}=${JSON.stringify(setting)} is not a setting; use "off" to plan every time, or leave it unset.`);
  }
  return env.CI === "true" || setting === "off" ? null : DEFAULT_CACHE_DIR;
}

/** The line that says a verdict was read, not planned, and how to plan afresh. */
export function replayNote(recordedAt: string): string {
  const where = path.relative(process.cwd(), DEFAULT_CACHE_DIR);
  return `(terraform's verdict of ${recordedAt}, on these very inputs: read from ${where}; ${CACHE_VARIABLE}=off plans afresh)`;
}

/**
 * The key of everything a plan of `rootDir` depends on: each file under it (path and bytes), and
 * `inputs`, the mirror's files among them by path, size and modification time (the aws provider
 * is hundreds of megabytes, and a new build is a new file), symbolic links followed.
 */
export function verdictKey(rootDir: string, inputs: TerraformInputs): string {
  const hash = createHash("sha256");
  const add = (...parts: (string | number)[]) => {
    const text = JSON.stringify(parts);
    hash.update(`${text.length}:${text}`);
  };
  add(FORMAT, inputs.terraformVersion, inputs.platform, JSON.stringify(inputs.args), JSON.stringify(Object.entries(inputs.env).sort()));
  for (const { name, stat } of filesUnder(inputs.mirror.dir)) {
    add("mirror", name, stat.size, stat.mtimeMs);
  }
  // terraform's own working files, if the root was initialised before: not inputs (and the
  // provider linked under .terraform is hundreds of megabytes).
  const own = (name: string) => name === ".terraform.lock.hcl" || name.split(path.sep)[0] === ".terraform";
  for (const { name, stat } of filesUnder(rootDir).filter(({ name }) => !own(name))) {
    add("root", name, stat.size);
    hash.update(fs.readFileSync(path.join(rootDir, name)));
  }
  return hash.digest("hex");
}

/**
 * The verdict recorded under `key` in `cacheDir`; otherwise `run()`'s, recorded when `keep`
 * says the same inputs would give it again. A verdict that cannot be recorded (a read-only
 * folder, a full disk) is still returned: it only costs the next run a plan.
 */
export async function knownVerdict(
  cacheDir: string,
  key: string,
  run: () => Promise<Verdict>,
  keep: (verdict: Verdict) => boolean,
): Promise<KnownVerdict> {
  const file = path.join(cacheDir, `${key}.json`);
  const recorded = readVerdict(file);
  if (recorded !== undefined) {
    // Used now: the last to be evicted.
    touch(file);
    return recorded;
  }
  const verdict = await run();
  if (keep(verdict)) {
    try {
      writeVerdict(cacheDir, file, verdict);
    } catch {
      // Not kept: the next run plans.
    }
  }
  return verdict;
}

function readVerdict(file: string): KnownVerdict | undefined {
  try {
    const { format, recordedAt, step, run } = JSON.parse(fs.readFileSync(file, "utf8"));
    const wellFormed =
      format === FORMAT &&
      typeof recordedAt === "string" &&
      (step === "plan" || step === "init") &&
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
  writeFileAtomic(file, JSON.stringify({ format: FORMAT, recordedAt: new Date().toISOString(), ...verdict }));
  const kept = fs
    .readdirSync(cacheDir)
    .filter((name) => name.endsWith(".json"))
    .flatMap((name) => {
      // Another process may evict a file between the listing and this look at it.
      const stat = fs.statSync(path.join(cacheDir, name), { throwIfNoEntry: false });
      return stat === undefined ? [] : [{ name, used: stat.mtimeMs }];
    })
    .sort((a, b) => b.used - a.used);
  for (const { name } of kept.slice(MAX_VERDICTS)) {
    fs.rmSync(path.join(cacheDir, name), { force: true });
  }
}

function touch(file: string): void {
  const now = new Date();
  try {
    fs.utimesSync(file, now, now);
  } catch {
    // Evicted meanwhile by another process: nothing to keep fresh.
  }
}

/** Every file under `dir`, following symbolic links (a mirror may link its providers in), sorted by path relative to `dir`. */
function filesUnder(dir: string): { name: string; stat: fs.Stats }[] {
  const files: { name: string; stat: fs.Stats }[] = [];
  const seen = new Set<string>();
  const walk = (relative: string): void => {
    const full = path.join(dir, relative);
    const real = fs.realpathSync(full);
    if (seen.has(real)) {
      return;
    }
    seen.add(real);
    for (const name of fs.readdirSync(full).sort()) {
      const entry = path.join(relative, name);
      const stat = fs.statSync(path.join(dir, entry), { throwIfNoEntry: false });
      if (stat?.isDirectory()) {
        walk(entry);
      } else if (stat?.isFile()) {
        files.push({ name: entry, stat });
      }
    }
  };
  walk("");
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
