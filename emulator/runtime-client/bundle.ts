// Builds the transport for the runtime processes: esbuild bundles this folder's TypeScript into
// one CommonJS file for Node.js 22, written once per content to `.build/`, so the runtime (plain
// Node.js, no TypeScript) loads it with `require`, as aws-lambda-ric loads its compiled client.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildSync } from "esbuild";

const ENTRY = path.join(__dirname, "index.ts");
const PROJECT_ROOT = path.join(__dirname, "..", "..");

/** Bundles the transport and returns the bundle's path (content-addressed; reused when present). */
export function bundleRuntimeClient(outDir = path.join(PROJECT_ROOT, ".build")): string {
  const result = buildSync({
    entryPoints: [ENTRY],
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    legalComments: "none",
    charset: "utf8",
    write: false,
    logLevel: "silent",
  });
  const contents = result.outputFiles[0].contents;
  const file = path.join(outDir, `runtime-client-${createHash("sha256").update(contents).digest("hex").slice(0, 16)}.cjs`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(outDir, { recursive: true });
    // Written aside, then renamed: a concurrent start never sees half a file.
    const partial = `${file}.${process.pid}.partial`;
    fs.writeFileSync(partial, contents);
    fs.renameSync(partial, file);
  }
  return file;
}
