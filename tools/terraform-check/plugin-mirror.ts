// Finds a local Terraform provider mirror that holds hashicorp/aws 5.100.0 for this platform, so
// the check can run `terraform init -plugin-dir` with no network. It looks where terraform itself
// looks, in this order: TF_PLUGIN_DIR (the check's own variable), the filesystem_mirror blocks of
// terraform's CLI configuration (cli-config-mirrors.ts), then terraform's implied local mirror
// folders. Nothing else: no search of the disk.
// @see https://developer.hashicorp.com/terraform/cli/config/config-file#provider-installation
// @see https://developer.hashicorp.com/terraform/cli/config/config-file#implied-local-mirror-directories

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readCliConfig } from "./cli-config-mirrors";

/** The aws provider version `@cdktf/provider-aws` 20.1.0 emits. */
export const AWS_PROVIDER = { address: "registry.terraform.io/hashicorp/aws", version: "5.100.0" } as const;
/** The archive provider version `@cdktf/provider-archive` 11.0.1 emits. */
export const ARCHIVE_PROVIDER = { address: "registry.terraform.io/hashicorp/archive", version: "2.7.1" } as const;

/** The environment variable that names the mirror folder. */
export const PLUGIN_DIR_VARIABLE = "TF_PLUGIN_DIR";

export interface PluginMirror {
  /** The folder to pass to `terraform init -plugin-dir`. */
  readonly dir: string;
  /** Where it was found, in words: TF_PLUGIN_DIR, a CLI configuration file's filesystem_mirror, or an implied mirror folder. */
  readonly foundBy: string;
  /** Whether it also holds hashicorp/archive, so the real provider can zip the bundle. */
  readonly hasArchive: boolean;
}

/** No usable mirror: the headline says what to set, the lines below it where the check looked and how to fill a mirror. */
export class PluginMirrorError extends Error {
  constructor(
    /** The problem and what to set, on one line. */
    readonly headline: string,
    details: readonly string[],
  ) {
    super([headline, ...details].join("\n"));
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
  const home = env.HOME || os.homedir();
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

/** Whether `dir` holds `provider` at `version` for `platform`, unpacked or as a zip. */
export function mirrorHolds(dir: string, provider: { address: string; version: string }, platform = terraformPlatform()): boolean {
  const providerDir = path.join(dir, ...provider.address.split("/"));
  const type = provider.address.split("/")[2];
  const unpacked = path.join(providerDir, provider.version, platform);
  const packed = path.join(providerDir, `terraform-provider-${type}_${provider.version}_${platform}.zip`);
  return (
    (fs.existsSync(unpacked) && fs.readdirSync(unpacked).some((f) => f.startsWith(`terraform-provider-${type}`))) || fs.existsSync(packed)
  );
}

/**
 * The mirror to use: `TF_PLUGIN_DIR` when set (it must hold the aws provider), otherwise the
 * first filesystem_mirror of terraform's CLI configuration that does, otherwise the first implied
 * mirror folder that does.
 * @throws PluginMirrorError naming what was looked at and how to fix it.
 */
export function findPluginMirror(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): PluginMirror {
  const wanted = `${AWS_PROVIDER.address} ${AWS_PROVIDER.version} (${terraformPlatform()})`;
  const found = (dir: string, foundBy: string): PluginMirror => ({ dir, foundBy, hasArchive: mirrorHolds(dir, ARCHIVE_PROVIDER) });
  const layout = `<dir>/${AWS_PROVIDER.address}/${AWS_PROVIDER.version}/${terraformPlatform()}/terraform-provider-aws_v${AWS_PROVIDER.version}_x5`;
  const fill = [
    `A mirror is laid out as ${layout}, or holds the provider's zip beside that version's folder.`,
    "On a machine with internet, `terraform providers mirror <dir>` in a synthesized stack folder (cdktf.out/stacks/lambda-streaming) fills one.",
  ];
  const configured = env[PLUGIN_DIR_VARIABLE];
  if (configured) {
    const dir = path.resolve(configured);
    if (!mirrorHolds(dir, AWS_PROVIDER)) {
      throw new PluginMirrorError(`${PLUGIN_DIR_VARIABLE}=${configured} does not hold ${wanted}.`, fill);
    }
    return found(dir, PLUGIN_DIR_VARIABLE);
  }
  const config = readCliConfig(env, platform);
  for (const { file, mirrors } of config.files) {
    const holding = mirrors.find((dir) => mirrorHolds(dir, AWS_PROVIDER));
    if (holding !== undefined) {
      return found(holding, `filesystem_mirror in ${file}`);
    }
  }
  const implied = impliedMirrorDirs(env, platform);
  const holding = implied.find((dir) => mirrorHolds(dir, AWS_PROVIDER));
  if (holding !== undefined) {
    return found(holding, "terraform's implied mirror folder");
  }
  const configFiles = config.files.map(({ file, mirrors, problem }) => {
    const named = mirrors.length === 0 ? "no filesystem_mirror" : `filesystem_mirror ${mirrors.join(", ")}, without the provider`;
    return `${file} (${problem ?? named})`;
  });
  if (config.folder !== undefined && !config.files.some(({ file }) => path.dirname(file) === config.folder)) {
    configFiles.push(`${path.join(config.folder, "*.tfrc")} and *.tfrc.json (none)`);
  }
  // A variable that names the file is said, so that the user sees why no other file was read.
  const namedBy = config.folder === undefined ? ` (${env.TF_CLI_CONFIG_FILE ? "TF_CLI_CONFIG_FILE" : "TERRAFORM_CONFIG"})` : "";
  throw new PluginMirrorError(`No mirror of ${wanted} where terraform looks: set ${PLUGIN_DIR_VARIABLE} to one.`, [
    "Looked at:",
    `  ${PLUGIN_DIR_VARIABLE}: unset`,
    `  terraform's CLI configuration${namedBy}: ${configFiles.join("; ")}`,
    `  terraform's implied mirror folders: ${implied.join(", ")}`,
    ...fill,
  ]);
}
