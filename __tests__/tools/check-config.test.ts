// `npm run synth` (and deploy, destroy) check the configuration before cdktf runs, so a bad value
// is one line, once, and not cdktf's error report around it twice.

import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { configProblem } from "../../tools/check-config";

const ROOT = path.join(__dirname, "..", "..");

describe("npm run synth with a bad configuration value", () => {
  test("prints one line per bad variable, once, and exits 1 before cdktf starts", () => {
    const result = spawnSync("npm", ["run", "synth"], {
      cwd: ROOT,
      // Without npm's notice of a newer npm, which it prints on stderr now and then.
      env: { ...process.env, MEMORY_MB: "1", npm_config_update_notifier: "false" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.stderr).toBe('MEMORY_MB must be a whole number of MB from 128 to 10240 (got "1")\n');
    expect(result.status).toBe(1);
  });

  test("the check is silent for a good configuration", () => {
    const result = spawnSync(process.execPath, ["-r", "esbuild-register", "tools/check-config.ts"], {
      cwd: ROOT,
      env: { ...process.env, MEMORY_MB: "512" },
      encoding: "utf8",
    });
    expect(result).toMatchObject({ status: 0, stdout: "", stderr: "" });
  });

  test("synth runs the check first; deploy and destroy run their own command, which checks the machine too", () => {
    const { scripts } = require(path.join(ROOT, "package.json")) as { scripts: Record<string, string> };
    expect(scripts.synth).toBe("node -r esbuild-register tools/check-config.ts && CHECKPOINT_DISABLE=1 cdktf synth");
    for (const name of ["deploy", "destroy"]) {
      // tools/deploy/cli.ts runs configProblem and the preflight before cdktf (its tests run both).
      expect(scripts[name]).toBe(`node -r esbuild-register tools/deploy/cli.ts ${name}`);
    }
  });
});

describe("configProblem", () => {
  test("names each bad variable on its own line, and is undefined for a good configuration", () => {
    expect(configProblem({ MEMORY_MB: "1", TIMEOUT_S: "0" })?.split("\n")).toEqual([
      'MEMORY_MB must be a whole number of MB from 128 to 10240 (got "1")',
      expect.stringMatching(/^TIMEOUT_S must be /),
    ]);
    expect(configProblem({ MEMORY_MB: "512" })).toBeUndefined();
  });
});
