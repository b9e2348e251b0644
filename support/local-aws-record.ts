// The record `npm run local-aws` keeps at the project root while it runs (`.local-aws.json`,
// ignored by git): its endpoint, process id, state folder, and the throwaway key pair it checks
// signatures against when it made one, so that `npm run deploy -- --local` and the invoke tools
// find it on whatever port it listens. A list, newest last (running-records.ts keeps it).

import * as path from "node:path";
import {
  addRunningRecord,
  isKeyPair,
  isPid,
  type RunningRecordFile,
  readRunningRecordList,
  removeRunningRecord,
  removeStaleRunningRecords,
} from "./running-records";

export interface LocalAwsRecord {
  /** e.g. `http://127.0.0.1:4566`: what AWS_ENDPOINT_URL is set to. */
  readonly endpoint: string;
  /** The server's process id: a record whose process is gone is ignored. */
  readonly pid: number;
  /** The folder its state is kept in (`--state`). */
  readonly state: string;
  /**
   * The local-only key pair it made for its state folder because the AWS SDK's credential chain found
   * none; never real credentials. Absent when it checks signatures against your own.
   */
  readonly localCredentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** The certificate authority its CloudFront distributions' TLS is signed by, to trust for their https address. */
  readonly caFile?: string;
}

/** The record's file name, at the project root. */
export const LOCAL_AWS_RECORD_FILE = ".local-aws.json";

/**
 * Where the record is: at the project root, or in the folder LOCAL_AWS_RECORD_DIR names (tests
 * point their servers there, so that they never meet a developer's running local AWS).
 */
export function localAwsRecordPath(projectRoot: string): string {
  return path.join(process.env.LOCAL_AWS_RECORD_DIR || projectRoot, LOCAL_AWS_RECORD_FILE);
}

function awsRecords(projectRoot: string): RunningRecordFile<LocalAwsRecord> {
  const file = localAwsRecordPath(projectRoot);
  return {
    file,
    isRecord,
    cannotWrite: (code) => `Cannot record the local AWS in ${file} for npm run deploy -- --local (${code}): make ${projectRoot} writable.`,
  };
}

/** Records `record` as the newest running local AWS. */
export function writeLocalAwsRecord(projectRoot: string, record: LocalAwsRecord): void {
  addRunningRecord(awsRecords(projectRoot), record);
}

/** Removes `pid`'s own entry, if any. */
export function removeLocalAwsRecord(projectRoot: string, pid: number): void {
  removeRunningRecord(awsRecords(projectRoot), pid);
}

/**
 * The newest running local AWS's record, after removing the entries of those whose process is
 * gone (`kill -9`); undefined when none runs.
 */
export function findLocalAws(projectRoot: string): LocalAwsRecord | undefined {
  const records = awsRecords(projectRoot);
  removeStaleRunningRecords(records);
  return readRunningRecordList(records).at(-1);
}

function isRecord(entry: unknown): entry is LocalAwsRecord {
  const value = entry as Partial<LocalAwsRecord> | null;
  return (
    typeof value?.endpoint === "string" &&
    isPid(value.pid) &&
    typeof value.state === "string" &&
    (value.localCredentials === undefined || isKeyPair(value.localCredentials))
  );
}
