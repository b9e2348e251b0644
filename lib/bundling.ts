// Bundles the handler with esbuild, deterministically: the same source gives the same bytes from
// any folder on any machine. `bundleOptions` only describes the build (pure, unit-tested);
// `bundleHandler` runs it and writes the result to a content-addressed folder.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { type BuildOptions, buildSync } from "esbuild";
import { NODE_TARGET } from "./lambda-runtime";

/** The file the bundle is written as; Lambda's handler string is `index.handler`. */
export const BUNDLE_FILE = "index.js";

/** Where bundles are kept, relative to the folder that holds the handler's folder. */
export const BUNDLE_CACHE_DIR = ".build";

/** The folders a bundle is kept in: `<root>/.build/handler-<hash>/`, one level below `.build`. */
const BUNDLE_FOLDER_PREFIX = "handler-";

/**
 * The esbuild options for the handler at `entry`. Nothing is written (`write: false`); the
 * outfile only anchors the source map's paths. It stands where the bundle will be, one folder
 * inside `.build/`, so they read `../../handler/index.ts` wherever the project lives: from
 * `.build/handler-<hash>/` that is the real file. Lambda resolves the same path against
 * `/var/task`, where it reads `/handler/index.ts`: the file's place in the project.
 *
 * Identifiers are not minified (whitespace and syntax are): a stack trace names the function
 * that threw (`streamCars`, not `w`), and the zip is smaller, not larger (7,467 bytes, against
 * 7,518 fully minified and 7,762 minified with `keepNames`): the source map needs no renamed names.
 * @see https://esbuild.github.io/api/#build
 * @see https://esbuild.github.io/api/#minify
 */
export function bundleOptions(entry: string): BuildOptions & { write: false } {
  const root = path.dirname(path.dirname(path.resolve(entry)));
  return {
    entryPoints: [path.resolve(entry)],
    absWorkingDir: root,
    outfile: path.join(root, BUNDLE_CACHE_DIR, `${BUNDLE_FOLDER_PREFIX}0`, BUNDLE_FILE),
    bundle: true,
    platform: "node",
    target: NODE_TARGET,
    format: "cjs",
    minifyWhitespace: true,
    minifySyntax: true,
    minifyIdentifiers: false,
    sourcemap: true,
    // Keep the output free of anything that varies by machine or run.
    legalComments: "none",
    charset: "utf8",
    metafile: false,
    write: false,
    logLevel: "silent",
  };
}

/** The bundled files, ready to be written. */
export interface Bundle {
  /** sha256 of every output file's name and bytes, in order. */
  readonly hash: string;
  readonly files: ReadonlyArray<{ readonly name: string; readonly contents: Uint8Array }>;
}

/** Runs esbuild on `entry` and returns the files in memory. */
export function buildBundle(entry: string): Bundle {
  if (!fs.existsSync(entry)) {
    throw new Error(`Cannot find the handler entry file at ${entry}. Set \`entry\` to the handler's index.ts.`);
  }
  const result = buildSync(bundleOptions(entry));
  const files = result.outputFiles
    .map((file) => ({ name: path.basename(file.path), contents: file.contents }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(file.name).update("\0").update(file.contents);
  }
  return { hash: hash.digest("hex"), files };
}

/**
 * Bundles `entry` and returns the folder that holds the bundle: `<root>/.build/handler-<hash>`.
 * The folder is named after its contents, so concurrent synths of the same source share it and
 * a changed source never reuses a stale one. It is written to a temporary sibling first and
 * renamed into place, so a reader never sees half a bundle.
 */
export function bundleHandler(entry: string): string {
  const bundle = buildBundle(entry);
  const cacheDir = path.join(path.dirname(path.dirname(path.resolve(entry))), BUNDLE_CACHE_DIR);
  const dir = path.join(cacheDir, `${BUNDLE_FOLDER_PREFIX}${bundle.hash.slice(0, 16)}`);
  if (fs.existsSync(path.join(dir, BUNDLE_FILE))) {
    return dir;
  }
  fs.mkdirSync(cacheDir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(cacheDir, ".staging-"));
  try {
    for (const file of bundle.files) {
      fs.writeFileSync(path.join(staging, file.name), file.contents);
    }
    fs.chmodSync(staging, 0o755);
    fs.renameSync(staging, dir);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    // Another synth renamed the same bundle into place first: that copy is identical.
    if (!fs.existsSync(path.join(dir, BUNDLE_FILE))) {
      throw error;
    }
  }
  return dir;
}
