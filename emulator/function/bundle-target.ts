// What `--bundle PATH [--handler FILE.EXPORT]` serves: a folder of JavaScript as it is (as Lambda
// loads an unzipped package), or a TypeScript or JavaScript entry, a file or FILE.ts in a folder,
// bundled as the stack's own handler is (lib/bundling.ts) into `.build/`. Checked when the flags
// are parsed, so a wrong path or handler is one line naming it.

import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError } from "../../support/usage-error";

/** Files Lambda's Node.js runtime loads for `FILE.EXPORT`, in the order it looks. */
const LOADABLE = [".js", ".mjs", ".cjs"];
/** Files esbuild bundles as an entry. */
const ENTRY_EXTENSIONS = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"];
/** The export Lambda's examples name, served when --handler does not say. */
const DEFAULT_EXPORT = "handler";

export type BundleTarget =
  /** A folder served as it is: `handler` is FILE.EXPORT with FILE.js, .mjs or .cjs in it. */
  | { readonly kind: "folder"; readonly dir: string; readonly handler: string; readonly name: string }
  /** An entry to bundle; the bundle's file is index.js, so `handler` is `index.EXPORT`. */
  | { readonly kind: "entry"; readonly entry: string; readonly handler: string; readonly name: string };

/** `value` split into FILE and EXPORT, as Lambda splits a handler string at its last dot. */
function splitHandler(value: string): { file: string; exportName: string } {
  const match = /^(.+)\.([A-Za-z_$][\w$]*)$/.exec(value);
  if (!match) {
    throw new UsageError(`--handler must be FILE.EXPORT such as index.handler (got ${JSON.stringify(value)})`);
  }
  return { file: match[1], exportName: match[2] };
}

/** What `--bundle bundle [--handler handler]` serves; a UsageError names what is wrong. */
export function bundleTarget(bundle: string, handler: string | undefined): BundleTarget {
  const resolved = path.resolve(bundle);
  const stat = fs.statSync(resolved, { throwIfNoEntry: false });
  if (stat?.isFile()) {
    return entryFile(resolved, bundle, handler);
  }
  if (!stat?.isDirectory()) {
    throw new UsageError(
      `--bundle must be an existing folder or a .ts or .js entry file (got ${JSON.stringify(bundle)}, which is neither)`,
    );
  }
  const { file, exportName } = splitHandler(handler ?? `index.${DEFAULT_EXPORT}`);
  const name = path.basename(resolved);
  if (LOADABLE.some((ext) => fs.existsSync(path.join(resolved, file + ext)))) {
    return { kind: "folder", dir: resolved, handler: `${file}.${exportName}`, name };
  }
  const entry = ENTRY_EXTENSIONS.map((ext) => path.join(resolved, file + ext)).find((candidate) => fs.existsSync(candidate));
  if (entry) {
    return { kind: "entry", entry, handler: `index.${exportName}`, name };
  }
  throw new UsageError(
    `--bundle ${bundle}: no ${file}.js, .mjs or .cjs to serve, nor ${file}.ts to bundle; name the file with --handler FILE.EXPORT, or pass the entry file itself`,
  );
}

/** An entry file: its export from --handler (FILE being the entry's own name, or index), else `handler`. */
function entryFile(entry: string, given: string, handler: string | undefined): BundleTarget {
  const ext = path.extname(entry);
  if (!ENTRY_EXTENSIONS.includes(ext)) {
    throw new UsageError(`--bundle ${given}: an entry file must be TypeScript or JavaScript (${ENTRY_EXTENSIONS.join(", ")})`);
  }
  const name = path.basename(entry, ext);
  let exportName = DEFAULT_EXPORT;
  if (handler !== undefined) {
    const split = splitHandler(handler);
    if (split.file !== name && split.file !== "index") {
      throw new UsageError(`--handler ${handler}: with the entry file ${given}, name its export as ${name}.EXPORT (e.g. ${name}.handler)`);
    }
    exportName = split.exportName;
  }
  return { kind: "entry", entry, handler: `index.${exportName}`, name };
}
