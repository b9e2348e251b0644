// The filesystem mirrors that terraform's CLI configuration names, read from the files terraform
// itself reads, in its order:
// - TF_CLI_CONFIG_FILE (or TERRAFORM_CONFIG, its older name) when set, and then that file only;
// - otherwise ~/.terraformrc (%APPDATA%\terraform.rc on Windows), then each *.tfrc and
//   *.tfrc.json file in ~/.terraform.d (%APPDATA%\terraform.d), where `terraform login` keeps
//   credentials.tfrc.json.
// A mirror is the `path` of a `provider_installation { filesystem_mirror { … } }` block. Its
// include and exclude patterns are not read: the check asks the folder itself whether it holds
// the provider.
// https://developer.hashicorp.com/terraform/cli/config/config-file#locations
// https://developer.hashicorp.com/terraform/cli/config/config-file#provider-installation
// https://developer.hashicorp.com/terraform/cli/commands/login#credentials-storage
// (the folder: https://github.com/hashicorp/terraform/blob/v1.11.4/internal/command/cliconfig/cliconfig.go)

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type ConfigItem, type ConfigValue, parseCliConfig } from "./cli-config-syntax";

/** One CLI configuration file, and the mirrors it names. */
export interface CliConfigFile {
  readonly file: string;
  /** Each filesystem_mirror's path, in order, resolved from the working folder as terraform resolves it. */
  readonly mirrors: readonly string[];
  /** Why nothing could be read from it ("absent", or what is wrong with it); undefined when it was read. */
  readonly problem?: string;
  /**
   * Whether it has a provider_installation block: then terraform installs providers only as that
   * block says, and its implied mirror folders are not used.
   */
  readonly declaresInstallation?: boolean;
}

/** What terraform's CLI configuration names, file by file. */
export interface CliConfig {
  /** The files read, in terraform's order; the main file is listed even when absent. */
  readonly files: readonly CliConfigFile[];
  /** The configuration folder whose *.tfrc and *.tfrc.json files were read; undefined when the variable named one file. */
  readonly folder: string | undefined;
}

/** The CLI configuration terraform would read with `env` on `platform`, and the mirrors it names. */
export function readCliConfig(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): CliConfig {
  const named = env.TF_CLI_CONFIG_FILE || env.TERRAFORM_CONFIG;
  if (named) {
    return { files: [readFile(path.resolve(named))], folder: undefined };
  }
  const home =
    platform === "win32" ? env.APPDATA || path.join(env.USERPROFILE || os.homedir(), "AppData", "Roaming") : env.HOME || os.homedir();
  const main = path.join(home, platform === "win32" ? "terraform.rc" : ".terraformrc");
  const folder = path.join(home, platform === "win32" ? "terraform.d" : ".terraform.d");
  const inFolder = configFilesIn(folder).map((name) => readFile(path.join(folder, name)));
  return { files: [readFile(main), ...inFolder], folder };
}

/** The filesystem_mirror paths a CLI configuration file's text names, in order, as written. @throws ConfigSyntaxError */
export function mirrorPathsIn(source: string): string[] {
  return blocks(parseCliConfig(source), "provider_installation")
    .flatMap((installation) => blocks(installation, "filesystem_mirror"))
    .flatMap((mirror) => mirror.filter((item) => isNamed(item, "path") && item.value.kind === "text"))
    .map((item) => (item.value as { text: string }).text);
}

function readFile(file: string): CliConfigFile {
  let source: string;
  try {
    source = fs.readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { file, mirrors: [], problem: code === "ENOENT" ? "absent" : `unreadable (${code ?? (error as Error).message})` };
  }
  try {
    const declaresInstallation = blocks(parseCliConfig(source), "provider_installation").length > 0;
    return { file, mirrors: mirrorPathsIn(source).map((mirror) => path.resolve(mirror)), declaresInstallation };
  } catch (error) {
    return { file, mirrors: [], problem: `not read: ${(error as Error).message}` };
  }
}

/** The *.tfrc and *.tfrc.json files in `folder`, by name; none when there is no such folder. */
function configFilesIn(folder: string): string[] {
  try {
    return fs
      .readdirSync(folder, { withFileTypes: true })
      .filter((entry) => !entry.isDirectory() && /\.tfrc(\.json)?$/.test(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}

/** The bodies of the blocks named `name` among `items`: `name { … }`, or in JSON `"name": {…}` or `"name": [{…}, …]`. */
function blocks(items: readonly ConfigItem[], name: string): (readonly ConfigItem[])[] {
  const bodies = (value: ConfigValue): (readonly ConfigItem[])[] =>
    value.kind === "object" ? [value.items] : value.kind === "list" ? value.values.flatMap(bodies) : [];
  return items.filter((item) => isNamed(item, name)).flatMap((item) => bodies(item.value));
}

function isNamed(item: ConfigItem, name: string): boolean {
  return item.keys.length === 1 && item.keys[0] === name;
}
