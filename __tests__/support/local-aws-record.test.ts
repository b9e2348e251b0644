import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  findLocalAws,
  LOCAL_AWS_RECORD_FILE,
  type LocalAwsRecord,
  localAwsRecordPath,
  removeLocalAwsRecord,
  writeLocalAwsRecord,
} from "../../support/local-aws-record";

const ROOT = path.join(__dirname, "..", "..");
const RECORD: LocalAwsRecord = { endpoint: "http://127.0.0.1:4566", pid: process.pid, state: "/somewhere/.local-aws" };

/** The id of a process that has already exited. */
function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ["-e", ""]);
  if (!pid) throw new Error("could not start a process");
  return pid;
}

/** Resolves when `check` holds, checked now and on each change in `dir` (an event, not a poll). */
function whenInFolder(dir: string, check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const watcher = fs.watch(dir, () => {
      if (check()) {
        watcher.close();
        resolve();
      }
    });
    if (check()) {
      watcher.close();
      resolve();
    }
  });
}

describe("the local AWS record", () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "ls-aws-record-"));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test("is written to .local-aws.json, owner-only, and read back with the pair made for the run", () => {
    const record = { ...RECORD, localCredentials: { accessKeyId: "AKIALOCAL", secretAccessKey: "s" } };
    writeLocalAwsRecord(root, record);
    expect(fs.readdirSync(root)).toEqual([LOCAL_AWS_RECORD_FILE]);
    expect(fs.statSync(path.join(root, LOCAL_AWS_RECORD_FILE)).mode & 0o777).toBe(0o600);
    expect(findLocalAws(root)).toEqual(record);
  });

  test("is absent when none was written, or when an entry is not a record", () => {
    expect(findLocalAws(root)).toBeUndefined();
    fs.writeFileSync(path.join(root, LOCAL_AWS_RECORD_FILE), JSON.stringify([{ ...RECORD, endpoint: 4566 }]));
    expect(findLocalAws(root)).toBeUndefined();
    fs.writeFileSync(path.join(root, LOCAL_AWS_RECORD_FILE), JSON.stringify([{ ...RECORD, localCredentials: { accessKeyId: 1 } }]));
    expect(findLocalAws(root)).toBeUndefined();
  });

  test("ignores, and removes, the entry of a local AWS whose process is gone (kill -9)", () => {
    writeLocalAwsRecord(root, { ...RECORD, pid: deadPid() });
    expect(findLocalAws(root)).toBeUndefined();
    expect(fs.existsSync(path.join(root, LOCAL_AWS_RECORD_FILE))).toBe(false);
  });

  test("is removed by its own process only", () => {
    writeLocalAwsRecord(root, RECORD);
    removeLocalAwsRecord(root, RECORD.pid + 1);
    expect(findLocalAws(root)).toEqual(RECORD);
    removeLocalAwsRecord(root, RECORD.pid);
    expect(fs.existsSync(path.join(root, LOCAL_AWS_RECORD_FILE))).toBe(false);
  });

  test("a record that cannot be written is one line naming the file and the fix", () => {
    const missing = path.join(root, "missing");
    expect(() => writeLocalAwsRecord(missing, RECORD)).toThrow(
      `Cannot record the local AWS in ${path.join(missing, LOCAL_AWS_RECORD_FILE)} for npm run deploy -- --local (ENOENT): make ${missing} writable.`,
    );
  });

  test("LOCAL_AWS_RECORD_DIR moves it out of the project", () => {
    const before = process.env.LOCAL_AWS_RECORD_DIR;
    process.env.LOCAL_AWS_RECORD_DIR = root;
    try {
      expect(localAwsRecordPath("/project")).toBe(path.join(root, LOCAL_AWS_RECORD_FILE));
    } finally {
      if (before === undefined) delete process.env.LOCAL_AWS_RECORD_DIR;
      else process.env.LOCAL_AWS_RECORD_DIR = before;
    }
  });

  test("npm run local-aws writes it once it listens (endpoint, pid, state, its pair) and removes it when stopped", async () => {
    const home = path.join(root, "home");
    fs.mkdirSync(home);
    const child = spawn(
      process.execPath,
      [
        "-r",
        require.resolve("esbuild-register"),
        path.join(ROOT, "emulator", "cli", "local-aws.ts"),
        "--port",
        "0",
        "--state",
        path.join(root, "state"),
      ],
      {
        env: {
          PATH: process.env.PATH,
          HOME: home,
          AWS_EC2_METADATA_DISABLED: "true",
          AWS_CONFIG_FILE: path.join(home, "none"),
          AWS_SHARED_CREDENTIALS_FILE: path.join(home, "none"),
          LOCAL_AWS_RECORD_DIR: root,
        },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      let out = "";
      const printed = new Promise<void>((resolve) =>
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes("No AWS credentials found")) resolve();
        }),
      );
      const file = path.join(root, LOCAL_AWS_RECORD_FILE);
      await whenInFolder(root, () => fs.existsSync(file));
      const [record] = JSON.parse(fs.readFileSync(file, "utf8")) as LocalAwsRecord[];
      expect(record).toMatchObject({ pid: child.pid, state: path.join(root, "state") });
      expect(record.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      // The pair it made (no credentials in its environment), which it printed too.
      expect(record.localCredentials?.accessKeyId).toMatch(/^AKIA/);
      await printed;
      expect(out).toContain(`AWS_ACCESS_KEY_ID=${record.localCredentials?.accessKeyId} `);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(fs.existsSync(file)).toBe(false);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    }
  });
});
