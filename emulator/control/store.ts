// The local AWS's state: named tables of plain records (roles, policies, log groups, functions,
// …), each service owning its own, kept in one file under the state folder and written whole or
// not at all after every change, before the change is acknowledged; code kept beside it by its
// SHA-256. A restart, or a kill -9 between two requests, loses nothing that was answered.
// Nothing here knows HTTP or any service's wire format.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../../support/write-file-atomic";

/** The state file's name in the state folder, and the format it holds. */
export const STATE_FILE = "state.json";
const STATE_VERSION = 1;

/** A state file that cannot be read as this version's state: one line naming it and the way out. */
export class StateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StateError";
  }
}

interface StateFile {
  readonly version: number;
  readonly tables: { readonly [table: string]: ReadonlyArray<readonly [string, unknown]> };
}

export class Store {
  private readonly tables = new Map<string, Map<string, unknown>>();
  private readonly committed: Array<() => void> = [];

  private constructor(readonly dir: string) {}

  /**
   * The state kept in `dir` (made when missing). A file that is not this state, or cannot be
   * read, is a StateError: never silently emptied.
   */
  static open(dir: string): Store {
    const store = new Store(path.resolve(dir));
    fs.mkdirSync(path.join(store.dir, "code"), { recursive: true });
    const file = path.join(store.dir, STATE_FILE);
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        return store;
      }
      throw new StateError(
        `Cannot read the local AWS's state ${file} (${(error as NodeJS.ErrnoException).code}): check its permissions, or pass another --state DIR.`,
      );
    }
    let parsed: StateFile;
    try {
      parsed = JSON.parse(text) as StateFile;
    } catch (error) {
      throw new StateError(
        `The local AWS's state ${file} is not valid JSON (${(error as Error).message}): it was not written by this tool, or was edited. Move it away to start empty, or pass another --state DIR.`,
      );
    }
    if (parsed?.version !== STATE_VERSION || typeof parsed.tables !== "object" || parsed.tables === null) {
      throw new StateError(
        `The local AWS's state ${file} is not version ${STATE_VERSION} state (version ${JSON.stringify(parsed?.version)}): move it away to start empty, or pass another --state DIR.`,
      );
    }
    for (const [name, rows] of Object.entries(parsed.tables)) {
      if (!Array.isArray(rows)) {
        throw new StateError(
          `The local AWS's state ${file} has a table ${JSON.stringify(name)} that is not a list: move the file away to start empty.`,
        );
      }
      if (!rows.every((row) => Array.isArray(row) && row.length === 2 && typeof row[0] === "string")) {
        throw new StateError(
          `The local AWS's state ${file} has a table ${JSON.stringify(name)} whose rows are not [key, record] pairs: move the file away to start empty.`,
        );
      }
      store.tables.set(name, new Map(rows as [string, unknown][]));
    }
    return store;
  }

  /** The table named `name` (made empty on first use): records by their key. */
  table<T>(name: string): Map<string, T> {
    let table = this.tables.get(name);
    if (table === undefined) {
      table = new Map();
      this.tables.set(name, table);
    }
    return table as Map<string, T>;
  }

  /** Writes every table, whole, to the state file: call after each change, before answering. */
  commit(): void {
    const tables: Record<string, [string, unknown][]> = {};
    for (const [name, table] of this.tables) {
      tables[name] = [...table.entries()];
    }
    const state: StateFile = { version: STATE_VERSION, tables };
    writeFileAtomic(path.join(this.dir, STATE_FILE), `${JSON.stringify(state)}\n`, { mode: 0o600 });
    for (const listener of this.committed) listener();
  }

  /** Calls `listener` after every commit: what serves the state (the deployed functions) follows it. */
  onCommit(listener: () => void): void {
    this.committed.push(listener);
  }

  /** Keeps `bytes` (a function's zip) by its SHA-256 and returns the hash, hex. */
  putCode(bytes: Uint8Array): string {
    const sha = createHash("sha256").update(bytes).digest("hex");
    const file = this.codePath(sha);
    if (!fs.existsSync(file)) {
      writeFileAtomic(file, bytes);
    }
    return sha;
  }

  /**
   * Removes the zip with SHA-256 `sha` (hex): after the state no longer names it. Its unpacked
   * folder may still run an invocation in flight: what serves the functions removes it
   * ({@link dropUnpacked}) once nothing can.
   */
  dropCode(sha: string): void {
    fs.rmSync(this.codePath(sha), { force: true });
  }

  /** The SHA-256s (hex) of the code unpacked in the state folder. */
  unpackedShas(): string[] {
    return fs.readdirSync(path.join(this.dir, "code")).filter((name) => /^[0-9a-f]{64}$/.test(name));
  }

  /** Removes the unpacked folder of the code with SHA-256 `sha` (hex). */
  dropUnpacked(sha: string): void {
    fs.rmSync(this.unpackedPath(sha), { recursive: true, force: true });
  }

  /** The folder the code with SHA-256 `sha` (hex) is unpacked into, for the function to run from. */
  unpackedPath(sha: string): string {
    return this.codePath(sha).replace(/\.zip$/, "");
  }

  /** Where the code with SHA-256 `sha` (hex) is kept. */
  codePath(sha: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha)) {
      throw new Error(`not a SHA-256: ${sha}`);
    }
    return path.join(this.dir, "code", `${sha}.zip`);
  }
}
