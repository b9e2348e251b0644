import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  findPluginMirror,
  impliedMirrorDirs,
  mirrorHolds,
  PluginMirrorError,
  searchForMirror,
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

  test("finds an implied mirror when TF_PLUGIN_DIR is unset", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "ls-home-"));
    roots.push(home);
    const mirror = fakeMirror(roots, [{ type: "aws", version: "5.100.0" }]);
    fs.mkdirSync(path.join(home, ".terraform.d"));
    fs.symlinkSync(mirror, path.join(home, ".terraform.d", "plugins"));
    expect(findPluginMirror({ HOME: home, XDG_DATA_DIRS: "/nowhere" }, { search: false })).toMatchObject({
      dir: path.join(home, ".terraform.d", "plugins"),
      foundBy: "implied",
    });
  });

  test("a TF_PLUGIN_DIR without the aws provider gets a clear message with the fix", () => {
    const empty = fakeMirror(roots, []);
    expect(() => findPluginMirror({ TF_PLUGIN_DIR: empty })).toThrow(PluginMirrorError);
    expect(() => findPluginMirror({ TF_PLUGIN_DIR: empty })).toThrow(
      new RegExp(
        `^TF_PLUGIN_DIR=${empty} does not hold registry.terraform.io/hashicorp/aws 5.100.0 \\(${terraformPlatform()}\\)\\. Set TF_PLUGIN_DIR to a folder laid out as`,
      ),
    );
  });

  test("no mirror anywhere gets a message that lists where it looked", () => {
    expect(() => findPluginMirror({ HOME: "/nowhere", XDG_DATA_DIRS: "/also-nowhere" }, { search: false })).toThrow(
      /TF_PLUGIN_DIR is unset, none of \/nowhere\/.terraform.d\/plugins, .*\/also-nowhere\/terraform\/plugins has it\. Set TF_PLUGIN_DIR/,
    );
  });

  describe("searching the machine, when nothing else names a mirror", () => {
    // Searched from a folder of the test's own (searchForMirror's default is /), so that the
    // search ends, and finds nothing, as quickly as it finds something; for a platform no real
    // mirror has, so that no search beside this test (another suite's, from /) takes its fakes.
    let machine: string;
    let record: string;
    let platform: string;
    beforeEach(() => {
      machine = fs.mkdtempSync(path.join(os.tmpdir(), "ls-machine-"));
      record = path.join(machine, "record", "mirror-search.json");
      platform = `${terraformPlatform()}-test-${process.pid}-${Date.now()}`;
    });
    afterEach(() => fs.rmSync(machine, { recursive: true, force: true }));
    const install = (mirror: string, mode: number) => {
      const dir = path.join(machine, mirror, "registry.terraform.io", "hashicorp", "aws", "5.100.0", platform);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "terraform-provider-aws_v5.100.0_x5"), "", { mode });
      return path.join(machine, mirror);
    };
    const recorded = () => JSON.parse(fs.readFileSync(record, "utf8"));

    test("finds an executable provider, and records where", () => {
      // A file of the provider's name that is not executable (as the other tests here make) is no mirror.
      install("placeholder", 0o644);
      expect(searchForMirror(platform, machine, record)).toBeUndefined();
      expect(fs.existsSync(record)).toBe(false);
      // Searched in its own subfolder: searchForMirror keeps each search's answer for the process.
      const runnable = install(path.join("opt", "runnable"), 0o755);
      expect(searchForMirror(platform, path.join(machine, "opt"), record)).toBe(runnable);
      expect(recorded()).toEqual({ [`${path.join(machine, "opt")}\u0000${platform}`]: runnable });
    });

    test("the next process reads the record instead of searching, while the mirror is still there", () => {
      const elsewhere = install("elsewhere", 0o755);
      // Nothing under `empty`: only the record can name a mirror for it.
      const empty = path.join(machine, "empty");
      fs.mkdirSync(empty);
      fs.mkdirSync(path.dirname(record));
      fs.writeFileSync(record, JSON.stringify({ [`${empty}\u0000${platform}`]: elsewhere }));
      expect(searchForMirror(platform, empty, record)).toBe(elsewhere);
    });

    test("a recorded mirror no longer executable is searched for anew, and the record corrected", () => {
      const searched = path.join(machine, "searched");
      const stale = install(path.join("searched", "stale"), 0o755);
      fs.chmodSync(
        path.join(stale, "registry.terraform.io", "hashicorp", "aws", "5.100.0", platform, "terraform-provider-aws_v5.100.0_x5"),
        0o644,
      );
      const current = install(path.join("searched", "current"), 0o755);
      fs.mkdirSync(path.dirname(record));
      fs.writeFileSync(record, JSON.stringify({ [`${searched}\u0000${platform}`]: stale }));
      expect(searchForMirror(platform, searched, record)).toBe(current);
      expect(recorded()).toEqual({ [`${searched}\u0000${platform}`]: current });
    });

    test("a recorded mirror that is gone is searched for anew", () => {
      const searched = path.join(machine, "searched");
      const current = install(path.join("searched", "current"), 0o755);
      fs.mkdirSync(path.dirname(record));
      fs.writeFileSync(record, JSON.stringify({ [`${searched}\u0000${platform}`]: path.join(machine, "gone") }));
      expect(searchForMirror(platform, searched, record)).toBe(current);
    });
  });
});
