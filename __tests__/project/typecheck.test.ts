// The whole project type-checks (`tsc --noEmit`, tsconfig.json): run as a suite of its own, in a
// child process, so that it overlaps the other suites instead of running before all of them.

import { execFile } from "node:child_process";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");

test("tsc --noEmit finds no type errors", async () => {
  const tsc = require.resolve("typescript/bin/tsc");
  const result = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      process.execPath,
      [tsc, "--noEmit", "--pretty", "false"],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
  // The errors themselves are the message when it fails.
  expect(result.output).toBe("");
  expect(result.code).toBe(0);
}, 120_000);
