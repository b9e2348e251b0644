// Bundles the handler with esbuild, deterministically: the same source gives the same bytes from
// any folder on any machine. `bundleOptions` only describes the build (pure, unit-tested);
// `bundleHandler` runs it and keeps the result in the content-addressed cache (bundle-store.ts).

import * as fs from "node:fs";
import * as path from "node:path";
import { type BuildOptions, buildSync, type Message } from "esbuild";
import { BUNDLE_CACHE_DIR, BUNDLE_FILE, BUNDLE_FOLDER_PREFIX, type Bundle, hashedBundle, storeBundle } from "./bundle-store";
import { NODE_TARGET } from "./lambda-runtime";

export { BUNDLE_CACHE_DIR, BUNDLE_FILE, type Bundle };

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
export function bundleOptions(entry: string, root: string = defaultRoot(entry)): BuildOptions & { write: false } {
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

/** A handler that does not build, in one line: each of esbuild's errors as file:line:column: text. */
export class BundleError extends Error {
  override readonly name = "BundleError";
}

/** Most errors one line names; esbuild stops at ten anyway. */
const ERRORS_SHOWN = 3;

/** What `build` returns; a failed build rethrown as one BundleError line. */
function explained<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    throw bundleError(error);
  }
}

/**
 * esbuild's failure (its message starts "Build failed with N errors:" and its stack is esbuild's
 * own frames) as one BundleError line; anything else is left as it is.
 * @see https://esbuild.github.io/api/#build (a failed build throws an error with `errors`)
 */
function bundleError(error: unknown): unknown {
  const errors = (error as { errors?: readonly Message[] }).errors;
  if (!Array.isArray(errors) || errors.length === 0) {
    return error;
  }
  const lines = errors
    .slice(0, ERRORS_SHOWN)
    .map(({ location, text }) => (location ? `${location.file}:${location.line}:${location.column}: ERROR: ${text}` : `ERROR: ${text}`));
  const more = errors.length > ERRORS_SHOWN ? ` (and ${errors.length - ERRORS_SHOWN} more)` : "";
  return new BundleError(`The handler does not build: ${lines.join("; ")}${more}`);
}

/** The folder that holds the entry's folder: the project, for `<project>/handler/index.ts`. */
function defaultRoot(entry: string): string {
  return path.dirname(path.dirname(path.resolve(entry)));
}

/** Runs esbuild on `entry` and returns the files in memory; `root` anchors the source map's paths. */
export function buildBundle(entry: string, root: string = defaultRoot(entry)): Bundle {
  if (!fs.existsSync(entry)) {
    throw new Error(`Cannot find the handler entry file at ${entry}. Set \`entry\` to the handler's index.ts.`);
  }
  const result = explained(() => buildSync(bundleOptions(entry, path.resolve(root))));
  return hashedBundle(result.outputFiles.map((file) => ({ name: path.basename(file.path), contents: file.contents })));
}

/**
 * Bundles `entry` and returns the folder that holds the bundle: `<root>/.build/handler-<hash>`,
 * where `<root>` is by default the folder that holds the entry's folder.
 */
export function bundleHandler(entry: string, root: string = defaultRoot(entry)): string {
  return storeBundle(buildBundle(entry, root), path.join(path.resolve(root), BUNDLE_CACHE_DIR));
}
