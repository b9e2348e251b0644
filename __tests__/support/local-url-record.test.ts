import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  describeStaleRecords,
  LOCAL_URL_RECORD_FILE,
  type LocalUrlRecord,
  readLocalUrlRecord,
  removeLocalUrlRecord,
  removeStaleLocalUrlRecords,
  writeLocalUrlRecord,
} from "../../support/local-url-record";

const RECORD: LocalUrlRecord = { url: "http://127.0.0.1:4321/", authType: "AWS_IAM", region: "eu-west-1", pid: process.pid };

/** The id of a process that has already exited. */
function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ["-e", ""]);
  if (!pid) throw new Error("could not start a process");
  return pid;
}

describe("the local URL record", () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "ls-record-"));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test("is written to .local-url.json, owner-only, with no staging file left, and read back", () => {
    const record = { ...RECORD, localCredentials: { accessKeyId: "AKIDTHROWAWAY", secretAccessKey: "s" } };
    writeLocalUrlRecord(root, record);
    expect(fs.readdirSync(root)).toEqual([LOCAL_URL_RECORD_FILE]);
    expect(fs.statSync(path.join(root, LOCAL_URL_RECORD_FILE)).mode & 0o777).toBe(0o600);
    expect(readLocalUrlRecord(root)).toEqual(record);
  });

  test("is absent when none was written, or when it is not a record", () => {
    expect(readLocalUrlRecord(root)).toBeUndefined();
    fs.writeFileSync(path.join(root, LOCAL_URL_RECORD_FILE), "{not json");
    expect(readLocalUrlRecord(root)).toBeUndefined();
    fs.writeFileSync(path.join(root, LOCAL_URL_RECORD_FILE), JSON.stringify(RECORD));
    expect(readLocalUrlRecord(root)).toBeUndefined();
    fs.writeFileSync(path.join(root, LOCAL_URL_RECORD_FILE), JSON.stringify([{ ...RECORD, authType: "PUBLIC" }]));
    expect(readLocalUrlRecord(root)).toBeUndefined();
  });

  test("names the newest of several running servers; when it stops, the one before is found again", () => {
    // Two live processes: this test's and its parent's.
    const first = { ...RECORD, pid: process.ppid, url: "http://127.0.0.1:3000/" };
    writeLocalUrlRecord(root, first);
    writeLocalUrlRecord(root, RECORD);
    expect(readLocalUrlRecord(root)).toEqual(RECORD);
    writeLocalUrlRecord(root, { ...RECORD, url: "http://127.0.0.1:5555/" });
    expect(readLocalUrlRecord(root)?.url).toBe("http://127.0.0.1:5555/");
    removeLocalUrlRecord(root, RECORD.pid);
    expect(readLocalUrlRecord(root)).toEqual(first);
  });

  test("drops entries whose process is gone when it writes", () => {
    const dead = { ...RECORD, pid: deadPid() };
    fs.writeFileSync(path.join(root, LOCAL_URL_RECORD_FILE), JSON.stringify([RECORD, dead]));
    expect(readLocalUrlRecord(root)).toEqual(RECORD);
    writeLocalUrlRecord(root, { ...RECORD, pid: process.ppid });
    expect(JSON.parse(fs.readFileSync(path.join(root, LOCAL_URL_RECORD_FILE), "utf8"))).toEqual([RECORD, { ...RECORD, pid: process.ppid }]);
  });

  test("is ignored once its server's process is gone", () => {
    writeLocalUrlRecord(root, { ...RECORD, pid: deadPid() });
    expect(readLocalUrlRecord(root)).toBeUndefined();
  });

  test("a killed server's entries are removed on request and returned, to be named; the file goes with the last", () => {
    const dead = { ...RECORD, pid: deadPid(), url: "http://127.0.0.1:3000/" };
    fs.writeFileSync(path.join(root, LOCAL_URL_RECORD_FILE), JSON.stringify([dead, RECORD]));
    expect(removeStaleLocalUrlRecords(root)).toEqual([dead]);
    expect(JSON.parse(fs.readFileSync(path.join(root, LOCAL_URL_RECORD_FILE), "utf8"))).toEqual([RECORD]);
    expect(removeStaleLocalUrlRecords(root)).toEqual([]);
    fs.writeFileSync(path.join(root, LOCAL_URL_RECORD_FILE), JSON.stringify([dead]));
    expect(removeStaleLocalUrlRecords(root)).toEqual([dead]);
    expect(fs.readdirSync(root)).toEqual([]);
    expect(describeStaleRecords([dead])).toBe(
      `Removed a stale entry from .local-url.json: npm start (pid ${dead.pid}, http://127.0.0.1:3000/) is no longer running (it was stopped without cleaning up, as kill -9 does).`,
    );
    expect(describeStaleRecords([dead, dead])).toMatch(/^Removed 2 stale entries from .local-url.json: npm start \(pid \d+, [^;]+; pid /);
    expect(describeStaleRecords([])).toBeUndefined();
  });

  test("is removed only by its own server", () => {
    writeLocalUrlRecord(root, RECORD);
    removeLocalUrlRecord(root, RECORD.pid + 1);
    expect(readLocalUrlRecord(root)).toEqual(RECORD);
    removeLocalUrlRecord(root, RECORD.pid);
    expect(fs.existsSync(path.join(root, LOCAL_URL_RECORD_FILE))).toBe(false);
    removeLocalUrlRecord(root, RECORD.pid);
  });

  test("a folder it cannot write to gets an error naming the file and the fix", () => {
    const missing = path.join(root, "missing");
    expect(() => writeLocalUrlRecord(missing, RECORD)).toThrow(
      `Cannot record the local URL in ${path.join(missing, LOCAL_URL_RECORD_FILE)} for npm run invoke -- --local (ENOENT): make ${missing} writable.`,
    );
  });
});
