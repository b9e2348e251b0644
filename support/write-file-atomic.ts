// Writes a file whole or not at all: to a temporary name beside it, then renamed into place, so
// that a reader (another process included) never sees half a file, and a failed write leaves no
// partial file behind. The bytes reach the disk (fsync) before the rename, and the rename after
// it (the folder synced), so a crash of the machine, not only of the process, leaves the old file
// or the new one, and an acknowledged write stays written.

import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Writes `contents` to `file` through `<file>.<pid>.tmp` (the writing process's id, so that
 * writers in different processes never share a temporary file).
 * @throws the write's own error, with the temporary file removed.
 */
export function writeFileAtomic(file: string, contents: string | Uint8Array, options: { mode?: number } = {}): void {
  const staging = `${file}.${process.pid}.tmp`;
  try {
    fs.rmSync(staging, { force: true });
    const fd = fs.openSync(staging, "w", options.mode);
    try {
      fs.writeFileSync(fd, contents);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(staging, file);
    syncFolder(path.dirname(file));
  } catch (error) {
    fs.rmSync(staging, { force: true });
    throw error;
  }
}

/** Syncs `dir`'s entries to disk, where the platform allows a folder to be opened (not Windows). */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // A folder that cannot be synced (Windows, some file systems): the rename stands as it is.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
