// Finds a local Terraform provider mirror that holds hashicorp/aws 5.100.0 for this platform, so
// the check can run `terraform init -plugin-dir` with no network.
// @see https://developer.hashicorp.com/terraform/cli/config/config-file#implied-local-mirror-directories

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeFileAtomic } from "../../support/write-file-atomic";
import { CACHE_DIR } from "../cache-dir";

/** The aws provider version `@cdktf/provider-aws` 20.1.0 emits. */
export const AWS_PROVIDER = { address: "registry.terraform.io/hashicorp/aws", version: "5.100.0" } as const;
/** The archive provider version `@cdktf/provider-archive` 11.0.1 emits. */
export const ARCHIVE_PROVIDER = { address: "registry.terraform.io/hashicorp/archive", version: "2.7.1" } as const;

/** The environment variable that names the mirror folder. */
export const PLUGIN_DIR_VARIABLE = "TF_PLUGIN_DIR";

export interface PluginMirror {
  /** The folder to pass to `terraform init -plugin-dir`. */
  readonly dir: string;
  /** How it was found: the variable, an implied mirror folder, or a search of the filesystem. */
  readonly foundBy: typeof PLUGIN_DIR_VARIABLE | "implied" | "search";
  /** Whether it also holds hashicorp/archive, so the real provider can zip the bundle. */
  readonly hasArchive: boolean;
}

/** No usable mirror: the message says where we looked and how to fix it. */
export class PluginMirrorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PluginMirrorError";
  }
}

/** Terraform's name for this machine's platform, as used in mirror folders: `linux_amd64`. */
export function terraformPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const goos = platform === "win32" ? "windows" : platform;
  const goarch = ({ x64: "amd64", ia32: "386", arm64: "arm64", arm: "arm" } as Record<string, string>)[arch] ?? arch;
  return `${goos}_${goarch}`;
}

/** The folders Terraform itself searches as implied local mirrors on this OS. */
export function impliedMirrorDirs(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string[] {
  const home = env.HOME ?? os.homedir();
  if (platform === "win32") {
    const appData = env.APPDATA ?? path.join(home, "AppData", "Roaming");
    return [path.join(appData, "terraform.d", "plugins"), path.join(appData, "HashiCorp", "Terraform", "plugins")];
  }
  if (platform === "darwin") {
    return [
      path.join(home, ".terraform.d", "plugins"),
      path.join(home, "Library", "Application Support", "io.terraform", "plugins"),
      path.join("/Library", "Application Support", "io.terraform", "plugins"),
    ];
  }
  const dataHome = env.XDG_DATA_HOME || path.join(home, ".local", "share");
  const dataDirs = (env.XDG_DATA_DIRS || "/usr/local/share:/usr/share").split(":").filter(Boolean);
  return [path.join(home, ".terraform.d", "plugins"), ...[dataHome, ...dataDirs].map((dir) => path.join(dir, "terraform", "plugins"))];
}

/** Whether `dir` holds `provider` at `version` for `platform`, unpacked or as a zip (with `executable`, unpacked and executable). */
export function mirrorHolds(
  dir: string,
  provider: { address: string; version: string },
  platform = terraformPlatform(),
  options: { executable?: boolean } = {},
): boolean {
  const providerDir = path.join(dir, ...provider.address.split("/"));
  const type = provider.address.split("/")[2];
  const unpacked = path.join(providerDir, provider.version, platform);
  const packed = path.join(providerDir, `terraform-provider-${type}_${provider.version}_${platform}.zip`);
  const runnable = (file: string) => !options.executable || isExecutable(path.join(unpacked, file));
  return (
    (fs.existsSync(unpacked) && fs.readdirSync(unpacked).some((f) => f.startsWith(`terraform-provider-${type}`) && runnable(f))) ||
    (!options.executable && fs.existsSync(packed))
  );
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Searches the filesystem from `root` (with `find`, skipping /proc, /sys, /dev and every node_modules and .git) for an
 * unpacked mirror that holds the aws provider as an executable file, and returns the mirror's folder.
 * What a search finds is recorded in `recordFile` (kept with the other caches, under node_modules),
 * so that the next process, and the next run, look there first: a search takes seconds of `find`. The result is kept for the life
 * of the process: one search is enough.
 */
export function searchForMirror(platform = terraformPlatform(), root = "/", recordFile = SEARCH_RECORD_FILE): string | undefined {
  const searchKey = `${root}\u0000${platform}`;
  if (searched.has(searchKey)) {
    return searched.get(searchKey);
  }
  const recorded = readSearchRecord(recordFile)[searchKey];
  if (recorded !== undefined && mirrorHolds(recorded, AWS_PROVIDER, platform, { executable: true })) {
    searched.set(searchKey, recorded);
    return recorded;
  }
  const pattern = `*/${AWS_PROVIDER.address}/${AWS_PROVIDER.version}/${platform}/terraform-provider-aws*`;
  const result = spawnSync(
    "find",
    [
      root,
      "(",
      "-path",
      "/proc",
      "-o",
      "-path",
      "/sys",
      "-o",
      "-path",
      "/dev",
      // Never a provider mirror, and often the bulk of a disk: checkouts' dependencies and history.
      "-o",
      "-name",
      "node_modules",
      "-o",
      "-name",
      ".git",
      ")",
      "-prune",
      "-o",
      "-type",
      "f",
      "-path",
      pattern,
      // A binary terraform can run: not a placeholder of the same name (as tests make).
      "-perm",
      "-u=x",
      "-print",
      "-quit",
    ],
    { encoding: "utf8", timeout: 30_000 },
  );
  const binary = result.error ? "" : result.stdout.split("\n")[0];
  const dir = binary ? binary.slice(0, binary.indexOf(`/${AWS_PROVIDER.address}/`)) : undefined;
  searched.set(searchKey, dir);
  if (dir !== undefined) {
    writeSearchRecord(recordFile, { ...readSearchRecord(recordFile), [searchKey]: dir });
  }
  return dir;
}
const searched = new Map<string, string | undefined>();

/** Where searchForMirror records what it found. */
export const SEARCH_RECORD_FILE = path.join(CACHE_DIR, "mirror-search.json");

function readSearchRecord(file: string): Record<string, string> {
  try {
    const record = JSON.parse(fs.readFileSync(file, "utf8"));
    return typeof record === "object" && record !== null ? record : {};
  } catch {
    return {};
  }
}

function writeSearchRecord(file: string, record: Record<string, string>): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, JSON.stringify(record, null, 2));
  } catch {
    // A record not written only costs the next process a search.
  }
}

/**
 * The mirror to use: `TF_PLUGIN_DIR` when set (it must hold the aws provider), otherwise the
 * first implied mirror folder that does, otherwise one found by searching the filesystem
 * (`search: false` leaves the search out).
 * @throws PluginMirrorError naming what was looked at and how to fix it.
 */
export function findPluginMirror(env: NodeJS.ProcessEnv = process.env, options: { search?: boolean } = {}): PluginMirror {
  const wanted = `${AWS_PROVIDER.address} ${AWS_PROVIDER.version} (${terraformPlatform()})`;
  const layout = `<dir>/${AWS_PROVIDER.address}/${AWS_PROVIDER.version}/${terraformPlatform()}/terraform-provider-aws_v${AWS_PROVIDER.version}_x5`;
  const fix =
    `Set ${PLUGIN_DIR_VARIABLE} to a folder laid out as ${layout}; ` +
    `on a machine with internet, \`terraform providers mirror <dir>\` in a synthesized stack folder fills one.`;
  const configured = env[PLUGIN_DIR_VARIABLE];
  if (configured) {
    const dir = path.resolve(configured);
    if (!mirrorHolds(dir, AWS_PROVIDER)) {
      throw new PluginMirrorError(`${PLUGIN_DIR_VARIABLE}=${configured} does not hold ${wanted}. ${fix}`);
    }
    return { dir, foundBy: PLUGIN_DIR_VARIABLE, hasArchive: mirrorHolds(dir, ARCHIVE_PROVIDER) };
  }
  const candidates = impliedMirrorDirs(env);
  const implied = candidates.find((candidate) => mirrorHolds(candidate, AWS_PROVIDER));
  if (implied !== undefined) {
    return { dir: implied, foundBy: "implied", hasArchive: mirrorHolds(implied, ARCHIVE_PROVIDER) };
  }
  const found = options.search === false || process.platform === "win32" ? undefined : searchForMirror();
  if (found !== undefined && mirrorHolds(found, AWS_PROVIDER)) {
    return { dir: found, foundBy: "search", hasArchive: mirrorHolds(found, ARCHIVE_PROVIDER) };
  }
  const searchedToo = options.search === false ? "" : " nor does any folder on this machine";
  throw new PluginMirrorError(
    `No provider mirror holds ${wanted}: ${PLUGIN_DIR_VARIABLE} is unset, none of ${candidates.join(", ")} has it${searchedToo}. ${fix}`,
  );
}
