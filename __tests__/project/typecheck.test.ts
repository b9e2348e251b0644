// The whole project type-checks (`npm run typecheck`: tsc --noEmit with tsconfig.json): run as a
// suite of its own, in a child process, so that it overlaps the other suites instead of running
// before all of them. The script's --incremental cache (node_modules/.cache) spares re-checking
// what no edit touched: measured here, 10.7 s of CPU with no cache, 4.7 s with nothing changed,
// 8.2 s after an edit to lib/config.ts, which much of the project imports.

import { execFile } from "node:child_process";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");

test("tsc --noEmit finds no type errors", async () => {
  const tsc = require.resolve("typescript/bin/tsc");
  // The typecheck script's own flags, so that the test and the script share one cache.
  const script = (require("../../package.json") as { scripts: { typecheck: string } }).scripts.typecheck;
  const [program, ...args] = script.split(/\s+/);
  expect(program).toBe("tsc");
  const result = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(process.execPath, [tsc, ...args, "--pretty", "false"], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
  // The errors themselves are the message when it fails.
  expect(result.output).toBe("");
  expect(result.code).toBe(0);
}, 120_000);
