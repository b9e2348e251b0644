// The record `npm start` keeps at the project root while it serves (`.local-url.json`, ignored by
// git): its URL, auth type, Region and process id, so that `npm run invoke -- --local` finds it on
// whatever port it listens. Written owner-only and atomically; removed by its own server on exit.

import * as fs from "node:fs";
import * as path from "node:path";
import { AUTH_TYPES, type AuthType } from "./stack-reader";

export interface LocalUrlRecord {
  /** e.g. `http://127.0.0.1:3000/` */
  readonly url: string;
  readonly authType: AuthType;
  /** The Region signatures are checked for. */
  readonly region: string;
  /** The server's process id: a record whose process is gone is ignored. */
  readonly pid: number;
  /**
   * A throwaway, local-only key pair `npm start` made for this run because the AWS SDK's
   * credential chain found none; never real credentials. Absent otherwise.
   */
  readonly localCredentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** The record's file name, at the project root. */
export const LOCAL_URL_RECORD_FILE = ".local-url.json";

export function localUrlRecordPath(projectRoot: string): string {
  return path.join(projectRoot, LOCAL_URL_RECORD_FILE);
}

/**
 * Writes `record` (mode 0600: it may hold a local key pair) to a temporary name, then renames it
 * into place, so a reader never sees half a record.
 */
export function writeLocalUrlRecord(projectRoot: string, record: LocalUrlRecord): void {
  const file = localUrlRecordPath(projectRoot);
  const staging = `${file}.${record.pid}.tmp`;
  try {
    fs.rmSync(staging, { force: true });
    fs.writeFileSync(staging, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(staging, file);
  } catch (error) {
    fs.rmSync(staging, { force: true });
    throw new Error(
      `Cannot record the local URL in ${file} for npm run invoke -- --local (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): make ${projectRoot} writable.`,
    );
  }
}

/** Removes the record if it is `pid`'s own: a server never removes another server's record. */
export function removeLocalUrlRecord(projectRoot: string, pid: number): void {
  if (readRecordFile(localUrlRecordPath(projectRoot))?.pid === pid) {
    fs.rmSync(localUrlRecordPath(projectRoot), { force: true });
  }
}

/** The record of a running server; undefined when there is none, or its process is gone. */
export function readLocalUrlRecord(projectRoot: string): LocalUrlRecord | undefined {
  const record = readRecordFile(localUrlRecordPath(projectRoot));
  return record && isAlive(record.pid) ? record : undefined;
}

/** The record in `file`, or undefined when it is absent or not a record. */
function readRecordFile(file: string): LocalUrlRecord | undefined {
  let value: Partial<LocalUrlRecord>;
  try {
    value = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  const credentials = value?.localCredentials;
  const valid =
    typeof value?.url === "string" &&
    AUTH_TYPES.includes(value.authType as AuthType) &&
    typeof value.region === "string" &&
    Number.isInteger(value.pid) &&
    (value.pid as number) > 0 &&
    (credentials === undefined || (typeof credentials.accessKeyId === "string" && typeof credentials.secretAccessKey === "string"));
  return valid ? (value as LocalUrlRecord) : undefined;
}

/**
 * Whether process `pid` exists: signal 0 checks without sending anything; EPERM means it
 * exists but belongs to another user.
 * @see https://nodejs.org/api/process.html#processkillpid-signal
 */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
