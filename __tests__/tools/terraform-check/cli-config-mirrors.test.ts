// terraform's CLI configuration: which files terraform reads, and the filesystem_mirror paths
// their provider_installation blocks name, in HCL 1 and in JSON.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { mirrorPathsIn, readCliConfig } from "../../../tools/terraform-check/cli-config-mirrors";
import { ConfigSyntaxError, parseCliConfig } from "../../../tools/terraform-check/cli-config-syntax";

describe("the filesystem_mirror paths a CLI configuration names", () => {
  test("the documented shape: provider_installation with a filesystem_mirror and a direct method", () => {
    const source = `
provider_installation {
  filesystem_mirror {
    path    = "/usr/share/terraform/providers"
    include = ["example.com/*/*"]
  }
  direct {
    exclude = ["example.com/*/*"]
  }
}
`;
    expect(mirrorPathsIn(source)).toEqual(["/usr/share/terraform/providers"]);
  });

  test("every filesystem_mirror in order, among the other settings, methods and comments, which name none", () => {
    const source = `# the user's settings
plugin_cache_dir   = "$HOME/.terraform.d/plugin-cache"
disable_checkpoint = true
credentials "app.terraform.io" {
  token = "xxxxxx.atlasv1.zzzzzzzzzzzzz" // not a mirror
}
host "example.com" {
  services = {
    "modules.v1" = "https://modules.example.com/",
  }
}
/* a block comment
   filesystem_mirror { path = "/commented/out" } */
filesystem_mirror {
  path = "/not/inside/provider_installation"
}
provider_installation {
  dev_overrides {
    "hashicorp/aws" = "/dev/override"
  }
  filesystem_mirror {
    path = "/first"
  }
  network_mirror {
    url = "https://mirror.example.com/"
  }
  filesystem_mirror {
    path = "/second"
    include = ["registry.terraform.io/hashicorp/*"]
  }
}
`;
    expect(mirrorPathsIn(source)).toEqual(["/first", "/second"]);
  });

  test("JSON (a file that starts with {), where a method may repeat and be an object or a list of them", () => {
    const source = `{
  "disable_checkpoint": true,
  "provider_installation": {
    "filesystem_mirror": [{ "path": "/a", "include": ["registry.terraform.io/hashicorp/*"] }],
    "direct": [{}],
    "filesystem_mirror": { "path": "/b" },
    "filesystem_mirror": [{ "path": "/c" }]
  }
}`;
    expect(mirrorPathsIn(source)).toEqual(["/a", "/b", "/c"]);
  });

  test("strings are unquoted as HCL 1 reads them: escapes, and quotes inside an interpolation that do not end the string", () => {
    const source = [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an HCL interpolation, not a JavaScript template
      'x = "${lookup(var.a, "b")}"',
      "provider_installation {",
      '  filesystem_mirror { path = "C:\\\\mirrors\\\\tf \\"quoted\\" caf\\u00e9" }',
      "}",
    ].join("\n");
    expect(mirrorPathsIn(source)).toEqual(['C:\\mirrors\\tf "quoted" café']);
  });

  test("a string that reads like punctuation is a string", () => {
    expect(parseCliConfig('a = ["]", "}"]\nb = "{"')).toEqual([
      {
        keys: ["a"],
        value: {
          kind: "list",
          values: [
            { kind: "text", text: "]" },
            { kind: "text", text: "}" },
          ],
        },
      },
      { keys: ["b"], value: { kind: "text", text: "{" } },
    ]);
  });

  test.each([
    ["a string that never ends", 'a = 1\nb = "open\nc = 2', /^line 2: a string that never ends$/],
    [
      "a block that never ends",
      'provider_installation {\n  filesystem_mirror {\n    path = "/x"\n  }\n',
      /^line 4: a block that never ends/,
    ],
    ["a heredoc, which the reader does not take", "a = 1\n\nb = <<EOF\nx\nEOF\n", /^line 3: unexpected "<"$/],
    ["a stray closing brace", "a = 1\n}\n", /^line 2: unexpected "}"$/],
    ["a name with nothing after it", "a = 1\nprovider_installation", /^line 2: a name with no value$/],
    ["a list without its bracket", 'a = ["x" "y"]', /^line 1: a list without its "]"$/],
    ["an unknown escape", 'a = "\\q"', /^line 1: unknown escape \\q$/],
    ["JSON that does not close", '{ "a": 1', /^line 1: a block that never ends/],
  ])("%s is a syntax error with its line", (_what, source, message) => {
    expect(() => parseCliConfig(source)).toThrow(ConfigSyntaxError);
    expect(() => parseCliConfig(source)).toThrow(message);
  });
});

describe("the CLI configuration files terraform reads", () => {
  let home: string;
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), "ls-cli-config-"));
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  const mirrorFile = (file: string, mirror: string) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `provider_installation {\n  filesystem_mirror {\n    path = "${mirror}"\n  }\n}\n`);
    return file;
  };

  test("~/.terraformrc, then each *.tfrc and *.tfrc.json in ~/.terraform.d by name; relative paths from the working folder", () => {
    const main = mirrorFile(path.join(home, ".terraformrc"), "/main");
    const json = path.join(home, ".terraform.d", "b.tfrc.json");
    fs.mkdirSync(path.dirname(json));
    fs.writeFileSync(json, JSON.stringify({ provider_installation: [{ filesystem_mirror: [{ path: "relative/mirror" }] }] }));
    const hcl = mirrorFile(path.join(home, ".terraform.d", "a.tfrc"), "/a");
    // Neither a configuration file nor read: another suffix, and a folder of a matching name.
    mirrorFile(path.join(home, ".terraform.d", "notes.txt"), "/ignored");
    fs.mkdirSync(path.join(home, ".terraform.d", "plugins.tfrc"));
    expect(readCliConfig({ HOME: home }, "linux")).toEqual({
      files: [
        { file: main, mirrors: ["/main"], declaresInstallation: true },
        { file: hcl, mirrors: ["/a"], declaresInstallation: true },
        { file: json, mirrors: [path.resolve("relative/mirror")], declaresInstallation: true },
      ],
      folder: path.join(home, ".terraform.d"),
    });
  });

  test("an absent ~/.terraformrc is listed as absent; a file terraform could not read either, with why", () => {
    const broken = path.join(home, ".terraform.d", "broken.tfrc");
    fs.mkdirSync(path.dirname(broken));
    fs.writeFileSync(broken, "provider_installation {\n");
    expect(readCliConfig({ HOME: home }, "darwin").files).toEqual([
      { file: path.join(home, ".terraformrc"), mirrors: [], problem: "absent" },
      { file: broken, mirrors: [], problem: 'not read: line 1: a block that never ends (no closing "}")' },
    ]);
  });

  test("TF_CLI_CONFIG_FILE (or TERRAFORM_CONFIG) names the one file read: not ~/.terraformrc, not ~/.terraform.d", () => {
    mirrorFile(path.join(home, ".terraformrc"), "/main");
    mirrorFile(path.join(home, ".terraform.d", "a.tfrc"), "/a");
    const named = mirrorFile(path.join(home, "ci", "offline.tfrc"), "/ci");
    for (const variable of ["TF_CLI_CONFIG_FILE", "TERRAFORM_CONFIG"]) {
      expect(readCliConfig({ HOME: home, [variable]: named }, "linux")).toEqual({
        files: [{ file: named, mirrors: ["/ci"], declaresInstallation: true }],
        folder: undefined,
      });
    }
    const missing = path.join(home, "missing.tfrc");
    expect(readCliConfig({ HOME: home, TF_CLI_CONFIG_FILE: missing }, "linux").files).toEqual([
      { file: missing, mirrors: [], problem: "absent" },
    ]);
  });

  test("a file without provider_installation says so: terraform then uses its implied mirror folders", () => {
    const plain = path.join(home, "plain.tfrc");
    fs.writeFileSync(plain, "disable_checkpoint = true\n");
    expect(readCliConfig({ HOME: home, TF_CLI_CONFIG_FILE: plain }, "linux").files).toEqual([
      { file: plain, mirrors: [], declaresInstallation: false },
    ]);
  });

  test("on Windows: terraform.rc and terraform.d in %APPDATA%", () => {
    const main = mirrorFile(path.join(home, "terraform.rc"), "/main");
    const inFolder = mirrorFile(path.join(home, "terraform.d", "x.tfrc"), "/x");
    expect(readCliConfig({ APPDATA: home }, "win32")).toEqual({
      files: [
        { file: main, mirrors: ["/main"], declaresInstallation: true },
        { file: inFolder, mirrors: ["/x"], declaresInstallation: true },
      ],
      folder: path.join(home, "terraform.d"),
    });
  });
});
