// Watch mode's source of function versions: it watches folders, and after each save (a burst of
// changes, debounced) builds the function again and hands the new version on. A build that fails
// leaves the last good version serving and is reported once; builds never overlap.

import * as fs from "node:fs";
import * as path from "node:path";
import type { FunctionConfig } from "../common/function-config";
import type { LogSink } from "../common/log-sink";

/** A new version of the function, and what was done to make it (for the log line). */
export interface Rebuilt {
  readonly fn: FunctionConfig;
  readonly what: string;
}

export interface WatchOptions {
  /** Folders watched, with everything below them. */
  readonly dirs: readonly string[];
  /** Builds the function again; `changed` are the files saved since the last build. Throws on failure. */
  readonly rebuild: (changed: readonly string[]) => Promise<Rebuilt> | Rebuilt;
  /** Receives each version that built. */
  readonly onReload: (fn: FunctionConfig) => void;
  readonly log: LogSink;
  /** Quiet time after the last change before a build starts (editors write in bursts). @default 50 */
  readonly debounceMs?: number;
}

export interface FunctionWatcher {
  close(): void;
}

/** Paths whose changes never call for a rebuild: build output, dependencies, editor droppings. */
const IGNORED = /(^|[\\/])(node_modules|\.build|cdktf\.out|\.git)([\\/]|$)|~$|\.swp$/;

export function watchFunction(options: WatchOptions): FunctionWatcher {
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let building: Promise<void> = Promise.resolve();
  let lastError: string | undefined;
  let closed = false;

  const build = async (): Promise<void> => {
    const files = [...changed];
    changed.clear();
    const started = performance.now();
    try {
      const { fn, what } = await options.rebuild(files);
      if (closed) return;
      options.onReload(fn);
      lastError = undefined;
      options.log(`Reloaded in ${(performance.now() - started).toFixed(0)} ms (${what}): new requests run the new code.`);
    } catch (error) {
      const message = (error as Error).message.trim();
      // One report per failure: a save that fails the same way again adds nothing new.
      if (message !== lastError && !closed) {
        options.log(`Reload failed; the last good version keeps serving. ${message}`);
      }
      lastError = message;
    }
  };

  const schedule = (file: string): void => {
    if (closed || IGNORED.test(file)) return;
    changed.add(file);
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      building = building.then(build);
    }, options.debounceMs ?? 50);
  };

  // One watcher per folder, not Node's recursive mode: on Linux that watches each file, and loses a
  // file an editor saves by writing a new one and renaming it over the old (vim, sed -i, many IDEs).
  const watchers = new Map<string, fs.FSWatcher>();
  const watchTree = (dir: string): void => {
    if (closed || watchers.has(dir) || IGNORED.test(dir)) return;
    let watcher: fs.FSWatcher;
    try {
      watcher = fs.watch(dir, (_event, name) => {
        if (!name) return;
        const file = path.join(dir, name.toString());
        schedule(file);
        // A folder made after the start is watched too.
        if (isDirectory(file)) watchTree(file);
      });
    } catch {
      return; // Gone already.
    }
    watcher.on("error", () => {
      watcher.close();
      watchers.delete(dir);
    });
    watchers.set(dir, watcher);
    // A folder may be deleted at any moment, even between its creation and this read (a build
    // that makes and removes a temporary folder): an error here must never reach fs.watch's
    // callback, where it would end the process.
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      watcher.close();
      watchers.delete(dir);
      return;
    }
    for (const entry of entries) {
      if (entry.isDirectory()) watchTree(path.join(dir, entry.name));
    }
  };
  // A watched folder deleted and made again (`rm -rf dist && build`) is a new folder: its parent is
  // watched for that, and the new folder's tree is watched in place of the old one's.
  const parents: fs.FSWatcher[] = [];
  const rewatch = (root: string): void => {
    for (const [dir, watcher] of watchers) {
      if (dir === root || dir.startsWith(root + path.sep)) {
        watcher.close();
        watchers.delete(dir);
      }
    }
    watchTree(root);
    schedule(root);
  };
  for (const root of options.dirs) {
    watchTree(root);
    try {
      const parent = fs.watch(path.dirname(root), (_event, name) => {
        if (closed || name?.toString() !== path.basename(root)) return;
        // Only a folder's creation, deletion, rename or attributes reach its parent, not its files'
        // changes; the inode may be reused at once, so any such event renews the watch.
        if (isDirectory(root)) {
          rewatch(root);
        }
      });
      parent.on("error", () => parent.close());
      parents.push(parent);
    } catch {
      // The parent cannot be watched: a re-created folder then needs a restart.
    }
  }

  return {
    close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of [...watchers.values(), ...parents]) watcher.close();
    },
  };
}

/** Whether `file` is a folder now; false when it is gone or cannot be read (never throws). */
function isDirectory(file: string): boolean {
  try {
    return fs.statSync(file, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}
