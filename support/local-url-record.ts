// The record `npm start` keeps at the project root while it serves (`.local-url.json`, ignored by
// git): its URL, auth type, Region and process id, and its Lambda API's endpoint and function
// name, so that `npm run invoke -- --local` finds it on whatever port it listens. The file lists
// every running server, newest last: one that stops (a test's, say) takes out only its own entry,
// and the one before it is found again (running-records.ts keeps the list, owner-only and atomic).

import * as path from "node:path";
import { AUTH_TYPES, type AuthType } from "../protocol/function-url-modes";
import {
  addRunningRecord,
  isKeyPair,
  isPid,
  type RunningRecordFile,
  readRunningRecordList,
  removeRunningRecord,
  removeStaleRunningRecords,
} from "./running-records";

export interface LocalUrlRecord {
  /** e.g. `http://127.0.0.1:3000/` */
  readonly url: string;
  readonly authType: AuthType;
  /** The Region signatures are checked for. */
  readonly region: string;
  /** The server's process id: a record whose process is gone is ignored. */
  readonly pid: number;
  /** The local Lambda API's endpoint (Invoke, InvokeWithResponseStream), e.g. `http://127.0.0.1:3001`, when it serves one. */
  readonly apiUrl?: string;
  /** The name of the function it serves, which the Lambda API answers to. */
  readonly functionName?: string;
  /**
   * A throwaway, local-only key pair `npm start` made for this run because the AWS SDK's
   * credential chain found none; never real credentials. Absent otherwise.
   */
  readonly localCredentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** The record's file name, at the project root. */
export const LOCAL_URL_RECORD_FILE = ".local-url.json";

/**
 * Where the record is: at the project root, or in the folder LOCAL_URL_RECORD_DIR names (the
 * project's own tests point the servers they start there, so that they never meet, nor rewrite,
 * the record of a developer's running `npm start`).
 */
export function localUrlRecordPath(projectRoot: string): string {
  return path.join(process.env.LOCAL_URL_RECORD_DIR || projectRoot, LOCAL_URL_RECORD_FILE);
}

/** The record file at `projectRoot` (or LOCAL_URL_RECORD_DIR), as running-records.ts keeps it. */
function urlRecords(projectRoot: string): RunningRecordFile<LocalUrlRecord> {
  const file = localUrlRecordPath(projectRoot);
  return {
    file,
    isRecord,
    cannotWrite: (code) => `Cannot record the local URL in ${file} for npm run invoke -- --local (${code}): make ${projectRoot} writable.`,
  };
}

/** Records `record` as the newest running server (see running-records.ts: owner-only, atomic). */
export function writeLocalUrlRecord(projectRoot: string, record: LocalUrlRecord): void {
  addRunningRecord(urlRecords(projectRoot), record);
}

/** Removes `pid`'s own entry, if any: a server never removes another server's. */
export function removeLocalUrlRecord(projectRoot: string, pid: number): void {
  removeRunningRecord(urlRecords(projectRoot), pid);
}

/**
 * Removes the entries whose server's process is gone (killed with SIGKILL, say, which runs no exit
 * handler) and returns them, so the caller can name what it removed: such an entry points at a
 * URL nothing serves and may hold that run's local key pair. The file goes when nothing is left.
 */
export function removeStaleLocalUrlRecords(projectRoot: string): LocalUrlRecord[] {
  return removeStaleRunningRecords(urlRecords(projectRoot));
}

/** One line naming the stale entries removed from the record, or undefined when there were none. */
export function describeStaleRecords(stale: readonly LocalUrlRecord[]): string | undefined {
  if (stale.length === 0) {
    return undefined;
  }
  const which = stale.map((entry) => `pid ${entry.pid}, ${entry.url}`).join("; ");
  return `Removed ${stale.length === 1 ? "a stale entry" : `${stale.length} stale entries`} from ${LOCAL_URL_RECORD_FILE}: npm start (${which}) is no longer running (it was stopped without cleaning up, as kill -9 does).`;
}

/** The newest running server's record; undefined when there is none, or its process is gone. */
export function readLocalUrlRecord(projectRoot: string): LocalUrlRecord | undefined {
  return readRunningRecords(projectRoot).at(-1);
}

/** Every running server's record, newest last. */
export function readRunningRecords(projectRoot: string): LocalUrlRecord[] {
  return readRunningRecordList(urlRecords(projectRoot));
}

function isRecord(entry: unknown): entry is LocalUrlRecord {
  const value = entry as Partial<LocalUrlRecord> | null;
  const credentials = value?.localCredentials;
  return (
    typeof value?.url === "string" &&
    AUTH_TYPES.includes(value.authType as AuthType) &&
    typeof value.region === "string" &&
    isPid(value.pid) &&
    (value.apiUrl === undefined || typeof value.apiUrl === "string") &&
    (value.functionName === undefined || typeof value.functionName === "string") &&
    (credentials === undefined || isKeyPair(credentials))
  );
}
