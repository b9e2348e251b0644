// The bundle cache, `.build/handler-<hash>/`: one folder per distinct bundle, named after its
// contents and written atomically. It is also where the local Function URL serves a bundle from,
// since the source map's relative paths are made for that depth (a stack's asset copy sits
// deeper, under cdktf.out/stacks/<stack>/assets/<id>/<hash>/). A process removes the folders it
// wrote once it no longer needs them, unless another process has taken them up since.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** The file the bundle is written as; Lambda's handler string is `index.handler`. */
export const BUNDLE_FILE = "index.js";

/** Where bundles are kept, relative to the folder that holds the handler's folder. */
export const BUNDLE_CACHE_DIR = ".build";

/** The folders a bundle is kept in: `<root>/.build/handler-<hash>/`, one level below `.build`. */
export const BUNDLE_FOLDER_PREFIX = "handler-";

/** Bundled files, ready to be written. */
export interface Bundle {
  /** sha256 of every file's name and bytes, in name order. */
  readonly hash: string;
  readonly files: ReadonlyArray<{ readonly name: string; readonly contents: Uint8Array }>;
}

/** A bundle's files with their hash: sorted by name, so the hash does not depend on their order. */
export function hashedBundle(files: ReadonlyArray<{ readonly name: string; readonly contents: Uint8Array }>): Bundle {
  const sorted = [...files].sort((a, b) => a.name.localeCompare(b.name));
  const hash = createHash("sha256");
  for (const file of sorted) {
    hash.update(file.name).update("\0").update(file.contents);
  }
  return { hash: hash.digest("hex"), files: sorted };
}

/**
 * Keeps `bundle` in `cacheDir` and returns its folder, `<cacheDir>/handler-<hash>`. Named after
 * its contents, so concurrent synths of the same source share it and a changed source never
 * reuses a stale one. Written to a temporary sibling first and renamed into place, so a reader
 * never sees half a bundle.
 */
export function storeBundle(bundle: Bundle, cacheDir: string): string {
  const dir = path.join(cacheDir, `${BUNDLE_FOLDER_PREFIX}${bundle.hash.slice(0, 16)}`);
  if (fs.existsSync(path.join(dir, BUNDLE_FILE))) {
    takeUp(dir);
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
    written.set(dir, fs.statSync(dir).mtimeMs);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    // Another synth renamed the same bundle into place first: that copy is identical.
    if (!fs.existsSync(path.join(dir, BUNDLE_FILE))) {
      throw error;
    }
    takeUp(dir);
  }
  return dir;
}

/** The folders this process wrote, each with the modification time it last left it with. */
const written = new Map<string, number>();

/**
 * Marks `dir` as handed out now (its modification time; its files are untouched): a process that
 * wrote the folder then sees that another one took it up, and leaves it in place.
 */
function takeUp(dir: string): void {
  try {
    const now = new Date();
    fs.utimesSync(dir, now, now);
    if (written.has(dir)) {
      written.set(dir, fs.statSync(dir).mtimeMs);
    }
  } catch {
    // Gone already, or not ours to touch: nothing to mark.
  }
}

/**
 * Removes those of `dirs` that this process wrote and no other has taken up since (a test that
 * bundled the same source, another server): the caller knows that nothing of its own uses them,
 * and only the writer can know that nothing else does. Returns what it removed.
 */
export function removeWrittenBundles(dirs: Iterable<string>): string[] {
  const removed: string[] = [];
  for (const dir of new Set([...dirs].map((d) => path.resolve(d)))) {
    const mtimeMs = written.get(dir);
    if (mtimeMs === undefined) {
      continue;
    }
    written.delete(dir);
    if (fs.statSync(dir, { throwIfNoEntry: false })?.mtimeMs === mtimeMs) {
      fs.rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    }
  }
  return removed;
}

/**
 * The bundle in `folder` (a synthesized stack's asset, which cdktf copies deeper into cdktf.out)
 * as kept in `cacheDir`: the same bytes in `<cacheDir>/handler-<hash>`, where the source map's
 * relative paths reach the sources, so a local stack trace names the real files. A folder that is
 * not a bundle (no index.js, or holding folders) is returned as it is.
 */
export function storedBundleOf(folder: string, cacheDir: string): string {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true });
  } catch {
    return folder;
  }
  if (!entries.some((e) => e.name === BUNDLE_FILE && e.isFile()) || entries.some((e) => !e.isFile())) {
    return folder;
  }
  const bundle = hashedBundle(entries.map((e) => ({ name: e.name, contents: fs.readFileSync(path.join(folder, e.name)) })));
  return storeBundle(bundle, cacheDir);
}
