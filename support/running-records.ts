// A file of records that running commands keep for other commands to find (npm start's
// .local-url.json, npm run local-aws's .local-aws.json): a JSON list, newest last, one entry per
// process. Written owner-only (an entry may hold a local key pair) and atomically; an entry whose
// process is gone is ignored by readers and dropped by the next writer.

import * as fs from "node:fs";
import { writeFileAtomic } from "./write-file-atomic";

/** One such file: where it is, what an entry looks like, and the line for a failed write. */
export interface RunningRecordFile<T extends { readonly pid: number }> {
  readonly file: string;
  readonly isRecord: (value: unknown) => value is T;
  /** The one line when the file cannot be written, given the error's code: what it was for, and the fix. */
  readonly cannotWrite: (code: string) => string;
}

/** Records `record` as the newest (replacing its own pid's entry, dropping those whose process is gone). */
export function addRunningRecord<T extends { readonly pid: number }>(records: RunningRecordFile<T>, record: T): void {
  const others = readAll(records).filter((entry) => entry.pid !== record.pid && isProcessAlive(entry.pid));
  writeAll(records, [...others, record]);
}

/** Removes `pid`'s own entry, if any: a process never removes another's. The file goes with the last entry. */
export function removeRunningRecord<T extends { readonly pid: number }>(records: RunningRecordFile<T>, pid: number): void {
  const all = readAll(records);
  if (!all.some((entry) => entry.pid === pid)) {
    return;
  }
  replaceAll(
    records,
    all.filter((entry) => entry.pid !== pid && isProcessAlive(entry.pid)),
  );
}

/**
 * Removes the entries whose process is gone (killed with SIGKILL, say, which runs no exit handler)
 * and returns them, so that the caller can name what it removed.
 */
export function removeStaleRunningRecords<T extends { readonly pid: number }>(records: RunningRecordFile<T>): T[] {
  const all = readAll(records);
  const stale = all.filter((entry) => !isProcessAlive(entry.pid));
  if (stale.length > 0) {
    replaceAll(
      records,
      all.filter((entry) => !stale.includes(entry)),
    );
  }
  return stale;
}

/** The entries whose process still runs, newest last. */
export function readRunningRecordList<T extends { readonly pid: number }>(records: RunningRecordFile<T>): T[] {
  return readAll(records).filter((entry) => isProcessAlive(entry.pid));
}

/**
 * Whether process `pid` exists: signal 0 checks without sending anything; EPERM means it exists
 * but belongs to another user.
 * @see https://nodejs.org/api/process.html#processkillpid-signal
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A positive whole number, as a process id is. */
export function isPid(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) > 0;
}

/** An access key id and its secret, as a record keeps a throwaway local pair. */
export function isKeyPair(value: unknown): value is { readonly accessKeyId: string; readonly secretAccessKey: string } {
  const pair = value as { accessKeyId?: unknown; secretAccessKey?: unknown } | null;
  return typeof pair?.accessKeyId === "string" && typeof pair.secretAccessKey === "string";
}

function replaceAll<T extends { readonly pid: number }>(records: RunningRecordFile<T>, rest: readonly T[]): void {
  if (rest.length === 0) {
    fs.rmSync(records.file, { force: true });
  } else {
    writeAll(records, rest);
  }
}

function writeAll<T extends { readonly pid: number }>(records: RunningRecordFile<T>, all: readonly T[]): void {
  try {
    writeFileAtomic(records.file, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
  } catch (error) {
    throw new Error(records.cannotWrite((error as NodeJS.ErrnoException).code ?? (error as Error).message));
  }
}

/** The entries in the file that are records; none when it is absent or not a list. */
function readAll<T extends { readonly pid: number }>(records: RunningRecordFile<T>): T[] {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(records.file, "utf8"));
  } catch {
    return [];
  }
  return Array.isArray(value) ? value.filter(records.isRecord) : [];
}
