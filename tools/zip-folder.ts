// Zips a folder deterministically, as `archive_file` zips the bundle: the offline terraform check
// stands in for the archive provider with it, and the bench measures the deployed zip's size.

import * as fs from "node:fs";
import * as path from "node:path";
import { type Zippable, zipSync } from "fflate";

/** Fixed entry time, so the zip's bytes depend on the files alone (zip cannot store earlier). */
const ZIP_EPOCH = new Date("1980-01-01T00:00:00Z");
/** Unix "host OS" in the zip's version-made-by field, so the mode bits are honoured. */
const ZIP_OS_UNIX = 3;

/** Zips every file under `sourceDir`, in path order, with fixed times and the given mode. */
export function zipFolder(sourceDir: string, fileMode: number): Uint8Array {
  const files: Zippable = {};
  const names = (fs.readdirSync(sourceDir, { recursive: true }) as string[])
    .filter((name) => fs.statSync(path.join(sourceDir, name)).isFile())
    .sort();
  for (const name of names) {
    files[name.split(path.sep).join("/")] = [
      fs.readFileSync(path.join(sourceDir, name)),
      { mtime: ZIP_EPOCH, os: ZIP_OS_UNIX, attrs: (0o100000 | fileMode) << 16, level: 9 },
    ];
  }
  return zipSync(files);
}
