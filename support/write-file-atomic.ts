// Writes a file whole or not at all: to a temporary name beside it, then renamed into place, so
// that a reader (another process included) never sees half a file, and a failed write leaves no
// partial file behind.

import * as fs from "node:fs";

/**
 * Writes `contents` to `file` through `<file>.<pid>.tmp` (the writing process's id, so that
 * writers in different processes never share a temporary file).
 * @throws the write's own error, with the temporary file removed.
 */
export function writeFileAtomic(file: string, contents: string | Uint8Array, options: { mode?: number } = {}): void {
  const staging = `${file}.${process.pid}.tmp`;
  try {
    fs.rmSync(staging, { force: true });
    fs.writeFileSync(staging, contents, options.mode === undefined ? {} : { mode: options.mode });
    fs.renameSync(staging, file);
  } catch (error) {
    fs.rmSync(staging, { force: true });
    throw error;
  }
}
