import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  findPluginMirror,
  impliedMirrorDirs,
  mirrorHolds,
  PluginMirrorError,
  terraformPlatform,
} from "../../../tools/terraform-check/plugin-mirror";

/** A fake mirror folder holding the given providers, unpacked or as zips. */
function fakeMirror(roots: string[], providers: { type: string; version: string; packed?: boolean }[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ls-mirror-"));
  roots.push(dir);
  for (const { type, version, packed } of providers) {
    const providerDir = path.join(dir, "registry.terraform.io", "hashicorp", type);
    if (packed) {
      fs.mkdirSync(providerDir, { recursive: true });
      fs.writeFileSync(path.join(providerDir, `terraform-provider-${type}_${version}_${terraformPlatform()}.zip`), "");
    } else {
      fs.mkdirSync(path.join(providerDir, version, terraformPlatform()), { recursive: true });
      fs.writeFileSync(path.join(providerDir, version, terraformPlatform(), `terraform-provider-${type}_v${version}_x5`), "");
    }
  }
  return dir;
}

describe("plugin-mirror", () => {
  const roots: string[] = [];
  afterAll(() => {
    for (const dir of roots) fs.rmSync(dir, { recursive: true, force: true });
  });

  test("names platforms as terraform does", () => {
    expect(terraformPlatform("linux", "x64")).toBe("linux_amd64");
    expect(terraformPlatform("darwin", "arm64")).toBe("darwin_arm64");
    expect(terraformPlatform("win32", "x64")).toBe("windows_amd64");
  });

  test("lists terraform's implied mirror folders for Linux, honouring XDG", () => {
    expect(impliedMirrorDirs({ HOME: "/h/u" }, "linux")).toEqual([
      "/h/u/.terraform.d/plugins",
      "/h/u/.local/share/terraform/plugins",
      "/usr/local/share/terraform/plugins",
      "/usr/share/terraform/plugins",
    ]);
    expect(impliedMirrorDirs({ HOME: "/h/u", XDG_DATA_HOME: "/x", XDG_DATA_DIRS: "/y" }, "linux")).toEqual([
      "/h/u/.terraform.d/plugins",
      "/x/terraform/plugins",
      "/y/terraform/plugins",
    ]);
  });

  test("recognizes unpacked and packed layouts, and the version", () => {
    const unpacked = fakeMirror(roots, [{ type: "aws", version: "5.100.0" }]);
    const packed = fakeMirror(roots, [{ type: "aws", version: "5.100.0", packed: true }]);
    const other = fakeMirror(roots, [{ type: "aws", version: "5.99.0" }]);
    const aws = { address: "registry.terraform.io/hashicorp/aws", version: "5.100.0" };
    expect(mirrorHolds(unpacked, aws)).toBe(true);
    expect(mirrorHolds(packed, aws)).toBe(true);
    expect(mirrorHolds(other, aws)).toBe(false);
  });

  test("uses TF_PLUGIN_DIR and tells whether it holds the archive provider", () => {
    const awsOnly = fakeMirror(roots, [{ type: "aws", version: "5.100.0" }]);
    const both = fakeMirror(roots, [
      { type: "aws", version: "5.100.0" },
      { type: "archive", version: "2.7.1" },
    ]);
    expect(findPluginMirror({ TF_PLUGIN_DIR: awsOnly, HOME: "/nowhere" })).toEqual({
      dir: awsOnly,
      foundBy: "TF_PLUGIN_DIR",
      hasArchive: false,
    });
    expect(findPluginMirror({ TF_PLUGIN_DIR: both, HOME: "/nowhere" })).toMatchObject({ hasArchive: true });
  });

  describe("with TF_PLUGIN_DIR unset: terraform's CLI configuration, then its implied mirror folders", () => {
    let home: string;
    beforeEach(() => {
      home = fs.mkdtempSync(path.join(os.tmpdir(), "ls-home-"));
      roots.push(home);
    });
    /** `home` as HOME, with no system-wide implied folder (XDG_DATA_DIRS) that this machine may have. */
    const env = (more: NodeJS.ProcessEnv = {}) => ({ HOME: home, XDG_DATA_DIRS: path.join(home, "no-data-dirs"), ...more });
    const configNaming = (file: string, ...mirrors: string[]) => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const blocks = mirrors.map((mirror) => `  filesystem_mirror {\n    path = "${mirror}"\n  }\n`).join("");
      fs.writeFileSync(file, `provider_installation {\n${blocks}}\n`);
      return file;
    };
    const impliedMirror = () => {
      fs.mkdirSync(path.join(home, ".terraform.d"), { recursive: true });
      fs.symlinkSync(fakeMirror(roots, [{ type: "aws", version: "5.100.0" }]), path.join(home, ".terraform.d", "plugins"));
      return path.join(home, ".terraform.d", "plugins");
    };

    test("the first filesystem_mirror that holds the provider, before an implied folder that holds it too", () => {
      impliedMirror();
      const without = fakeMirror(roots, []);
      const mirror = fakeMirror(roots, [{ type: "aws", version: "5.100.0" }]);
      const rc = configNaming(path.join(home, ".terraformrc"), without, mirror);
      expect(findPluginMirror(env(), "linux")).toEqual({ dir: mirror, foundBy: `filesystem_mirror in ${rc}`, hasArchive: false });
    });

    test("the file TF_CLI_CONFIG_FILE names, and TF_PLUGIN_DIR before it", () => {
      const mirror = fakeMirror(roots, [{ type: "aws", version: "5.100.0" }]);
      const named = configNaming(path.join(home, "ci.tfrc"), mirror);
      expect(findPluginMirror(env({ TF_CLI_CONFIG_FILE: named }), "linux")).toMatchObject({
        dir: mirror,
        foundBy: `filesystem_mirror in ${named}`,
      });
      const variable = fakeMirror(roots, [{ type: "aws", version: "5.100.0" }]);
      expect(findPluginMirror(env({ TF_CLI_CONFIG_FILE: named, TF_PLUGIN_DIR: variable }), "linux")).toMatchObject({
        dir: variable,
        foundBy: "TF_PLUGIN_DIR",
      });
    });

    test("an implied mirror folder when the configuration names none that holds the provider", () => {
      configNaming(path.join(home, ".terraformrc"), fakeMirror(roots, [{ type: "aws", version: "5.99.0" }]));
      const implied = impliedMirror();
      expect(findPluginMirror(env(), "linux")).toEqual({
        dir: implied,
        foundBy: "terraform's implied mirror folder",
        hasArchive: false,
      });
    });

    test("nowhere: a headline naming TF_PLUGIN_DIR, then each place looked at, and how to fill a mirror", () => {
      const elsewhere = path.join(home, "elsewhere");
      const rc = configNaming(path.join(home, ".terraformrc"), elsewhere);
      const broken = path.join(home, ".terraform.d", "broken.tfrc");
      fs.mkdirSync(path.dirname(broken));
      fs.writeFileSync(broken, 'provider_installation {\n  filesystem_mirror { path = "/x }\n}\n');
      const error = catchError(() => findPluginMirror(env(), "linux"));
      const wanted = `registry.terraform.io/hashicorp/aws 5.100.0 \\(${terraformPlatform()}\\)`;
      expect(error.headline).toMatch(new RegExp(`^No mirror of ${wanted} where terraform looks: set TF_PLUGIN_DIR to one\\.$`));
      expect(error.message.split("\n")).toEqual([
        error.headline,
        "Looked at:",
        "  TF_PLUGIN_DIR: unset",
        `  terraform's CLI configuration: ${rc} (filesystem_mirror ${elsewhere}, without the provider); ${broken} (not read: line 2: a string that never ends)`,
        `  terraform's implied mirror folders: ${impliedMirrorDirs(env(), "linux").join(", ")}`,
        expect.stringMatching(/^A mirror is laid out as <dir>\/registry\.terraform\.io\/hashicorp\/aws\/5\.100\.0\//),
        expect.stringMatching(/^On a machine with internet, `terraform providers mirror <dir>` in a synthesized stack folder/),
      ]);
    });

    test("nowhere, with no configuration at all: the absent file and the empty folder are named", () => {
      const error = catchError(() => findPluginMirror(env(), "linux"));
      expect(error.message).toContain(
        `  terraform's CLI configuration: ${path.join(home, ".terraformrc")} (absent); ${path.join(home, ".terraform.d", "*.tfrc")} and *.tfrc.json (none)\n`,
      );
    });

    test("nowhere, with TF_CLI_CONFIG_FILE naming an absent file: the variable is named beside that file, and no other file is read", () => {
      const named = path.join(home, "ci.tfrc");
      configNaming(path.join(home, ".terraformrc"), fakeMirror(roots, [{ type: "aws", version: "5.100.0" }]));
      const error = catchError(() => findPluginMirror(env({ TF_CLI_CONFIG_FILE: named }), "linux"));
      expect(error.message).toContain(`  terraform's CLI configuration (TF_CLI_CONFIG_FILE): ${named} (absent)\n`);
    });
  });

  test("a TF_PLUGIN_DIR without the aws provider gets a clear message with the fix", () => {
    const empty = fakeMirror(roots, []);
    expect(() => findPluginMirror({ TF_PLUGIN_DIR: empty })).toThrow(PluginMirrorError);
    expect(catchError(() => findPluginMirror({ TF_PLUGIN_DIR: empty })).headline).toBe(
      `TF_PLUGIN_DIR=${empty} does not hold registry.terraform.io/hashicorp/aws 5.100.0 (${terraformPlatform()}).`,
    );
  });
});

function catchError(run: () => unknown): PluginMirrorError {
  try {
    run();
  } catch (error) {
    if (error instanceof PluginMirrorError) return error;
    throw error;
  }
  throw new Error("expected a PluginMirrorError; nothing was thrown");
}
