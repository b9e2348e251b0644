// The log events of every log group, by stream: what a deployed function prints and what
// PutLogEvents sends, kept beside the store (not in state.json, which is written whole per change)
// as one append-only JSON-lines file per group under `<state>/logs/`, read back at start.
// Bounded: a group keeps its newest MAX_EVENTS_PER_GROUP events and MAX_BYTES_PER_GROUP bytes of
// messages, the oldest dropped first; its file is rewritten from memory once it holds twice that.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../../support/write-file-atomic";
import { logGroupKey, logGroups } from "./log-groups";
import type { Store } from "./store";
import { StateError } from "./store";

/** The newest events a log group keeps; older ones are dropped (AWS keeps them for the retention). */
export const MAX_EVENTS_PER_GROUP = 10_000;
/** The bytes of messages (UTF-8) a log group keeps, newest first. */
export const MAX_BYTES_PER_GROUP = 8 * 1024 * 1024;
/** The folder under the state folder that holds the groups' files. */
export const LOG_EVENTS_DIR = "logs";

/** An event as a caller gives it: when it happened (ms since the epoch) and its line. */
export interface LogEventInput {
  readonly timestamp: number;
  readonly message: string;
}

/** An event as kept: its stream, when it was ingested, and its place in the group's order. */
export interface StoredLogEvent extends LogEventInput {
  readonly logStreamName: string;
  readonly ingestionTime: number;
  /** Increases with each event the group ingests: the tie-break after the timestamp, and the event's id. */
  readonly seq: number;
}

export interface StoredLogStream {
  readonly logStreamName: string;
  readonly creationTime: number;
}

/**
 * What `append` did: `appended`, or `no-log-group` when the group does not exist, and the lines
 * were dropped. Lambda writes to a missing group only when the function's role may
 * `logs:CreateLogGroup`; the local AWS does not evaluate roles, so it never makes the group.
 */
export type AppendResult = "appended" | "no-log-group";

/** One line of a group's file: the header, a stream, or an event. */
type FileLine =
  | { readonly region: string; readonly logGroupName: string }
  | { readonly stream: string; readonly created: number }
  | { readonly s: string; readonly t: number; readonly i: number; readonly n: number; readonly m: string };

class GroupLog {
  readonly streams = new Map<string, StoredLogStream>();
  events: StoredLogEvent[] = [];
  bytes = 0;
  nextSeq = 0;
  fileLines = 0;

  constructor(
    readonly file: string,
    readonly region: string,
    readonly logGroupName: string,
  ) {}

  /** Keeps `event` in memory, dropping the oldest past the bounds. */
  keep(event: StoredLogEvent): void {
    this.events.push(event);
    this.bytes += Buffer.byteLength(event.message);
    this.nextSeq = Math.max(this.nextSeq, event.seq + 1);
    let drop = 0;
    let bytes = this.bytes;
    while (drop < this.events.length - 1 && (this.events.length - drop > MAX_EVENTS_PER_GROUP || bytes > MAX_BYTES_PER_GROUP)) {
      bytes -= Buffer.byteLength(this.events[drop].message);
      drop++;
    }
    if (drop > 0) {
      this.events = this.events.slice(drop);
      this.bytes = bytes;
    }
  }

  /** The file's lines for what is in memory: the header, the streams, the events. */
  lines(): string[] {
    const lines: FileLine[] = [{ region: this.region, logGroupName: this.logGroupName }];
    for (const s of this.streams.values()) lines.push({ stream: s.logStreamName, created: s.creationTime });
    for (const e of this.events) lines.push({ s: e.logStreamName, t: e.timestamp, i: e.ingestionTime, n: e.seq, m: e.message });
    return lines.map((line) => JSON.stringify(line));
  }
}

export class LogEvents {
  private readonly groups = new Map<string, GroupLog>();

  private constructor(
    private readonly store: Store,
    private readonly dir: string,
  ) {}

  /**
   * The log events kept under `store`'s folder. A file whose group the store no longer holds (a
   * stop between DeleteLogGroup's two steps) is removed; a line cut short by a kill is skipped,
   * and the file rewritten without it.
   */
  static open(store: Store): LogEvents {
    const dir = path.join(store.dir, LOG_EVENTS_DIR);
    fs.mkdirSync(dir, { recursive: true });
    const events = new LogEvents(store, dir);
    for (const name of fs.readdirSync(dir)) {
      if (name.endsWith(".jsonl")) events.load(path.join(dir, name));
    }
    return events;
  }

  /**
   * What a deployed function printed, to `streamName` of the group (made if missing, as Lambda
   * does); empty lines are skipped, since an event's message is at least one character.
   */
  append(region: string, groupName: string, streamName: string, events: readonly LogEventInput[]): AppendResult {
    if (!logGroups(this.store).has(logGroupKey(region, groupName))) {
      return "no-log-group";
    }
    this.createStream(region, groupName, streamName);
    this.put(region, groupName, streamName, events);
    return "appended";
  }

  /** Makes the stream; false if it exists already. The group must exist. */
  createStream(region: string, groupName: string, streamName: string, now = Date.now()): boolean {
    const group = this.groupLog(region, groupName);
    if (group.streams.has(streamName)) {
      return false;
    }
    group.streams.set(streamName, { logStreamName: streamName, creationTime: now });
    this.write(group, [{ stream: streamName, created: now }]);
    return true;
  }

  /** Adds `events` to a stream that exists; returns the last one kept, if any. */
  put(region: string, groupName: string, streamName: string, events: readonly LogEventInput[]): StoredLogEvent | undefined {
    const group = this.groupLog(region, groupName);
    const ingestionTime = Date.now();
    const lines: FileLine[] = [];
    let last: StoredLogEvent | undefined;
    for (const { timestamp, message } of events) {
      if (message === "") continue;
      last = { logStreamName: streamName, timestamp, message, ingestionTime, seq: group.nextSeq };
      group.keep(last);
      lines.push({ s: streamName, t: timestamp, i: ingestionTime, n: last.seq, m: message });
    }
    this.write(group, lines);
    return last;
  }

  /** The group's streams, in the order they were made. */
  streams(region: string, groupName: string): readonly StoredLogStream[] {
    return [...(this.groups.get(logGroupKey(region, groupName))?.streams.values() ?? [])];
  }

  hasStream(region: string, groupName: string, streamName: string): boolean {
    return this.groups.get(logGroupKey(region, groupName))?.streams.has(streamName) ?? false;
  }

  /** The group's events, in the order they were ingested. */
  events(region: string, groupName: string): readonly StoredLogEvent[] {
    return this.groups.get(logGroupKey(region, groupName))?.events ?? [];
  }

  /** Forgets the group's streams and events, and removes its file: before the group is deleted or made anew. */
  dropGroup(region: string, groupName: string): void {
    this.groups.delete(logGroupKey(region, groupName));
    fs.rmSync(this.fileOf(region, groupName), { force: true });
  }

  private groupLog(region: string, groupName: string): GroupLog {
    const key = logGroupKey(region, groupName);
    let group = this.groups.get(key);
    if (group === undefined) {
      group = new GroupLog(this.fileOf(region, groupName), region, groupName);
      this.groups.set(key, group);
      this.rewrite(group);
    }
    return group;
  }

  /** A name the file system takes for any group name (up to 512 characters, with `/`). */
  private fileOf(region: string, groupName: string): string {
    return path.join(this.dir, `${createHash("sha256").update(logGroupKey(region, groupName)).digest("hex")}.jsonl`);
  }

  private write(group: GroupLog, lines: readonly FileLine[]): void {
    if (lines.length === 0) return;
    if (group.fileLines + lines.length > 2 * (MAX_EVENTS_PER_GROUP + group.streams.size) + 1) {
      this.rewrite(group);
      return;
    }
    fs.appendFileSync(group.file, `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`, { mode: 0o600 });
    group.fileLines += lines.length;
  }

  private rewrite(group: GroupLog): void {
    const lines = group.lines();
    writeFileAtomic(group.file, `${lines.join("\n")}\n`, { mode: 0o600 });
    group.fileLines = lines.length;
  }

  private load(file: string): void {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (error) {
      throw new StateError(
        `Cannot read the local AWS's log events ${file} (${(error as NodeJS.ErrnoException).code}): check its permissions, or move it away (its log group's events go with it).`,
      );
    }
    const lines = text.split("\n");
    let header: { region?: unknown; logGroupName?: unknown } | undefined;
    try {
      header = JSON.parse(lines[0]) as typeof header;
    } catch {
      header = undefined;
    }
    if (typeof header?.region !== "string" || typeof header.logGroupName !== "string") {
      fs.rmSync(file, { force: true });
      return;
    }
    const { region, logGroupName } = header as { region: string; logGroupName: string };
    if (!logGroups(this.store).has(logGroupKey(region, logGroupName)) || file !== this.fileOf(region, logGroupName)) {
      fs.rmSync(file, { force: true });
      return;
    }
    const group = new GroupLog(file, region, logGroupName);
    let skipped = false;
    for (const text of lines.slice(1, -1)) {
      const line = parseLine(text);
      if (line === undefined) {
        skipped = true;
      } else if ("stream" in line) {
        group.streams.set(line.stream, { logStreamName: line.stream, creationTime: line.created });
      } else if ("s" in line && group.streams.has(line.s)) {
        group.keep({ logStreamName: line.s, timestamp: line.t, ingestionTime: line.i, seq: line.n, message: line.m });
      }
    }
    this.groups.set(logGroupKey(region, logGroupName), group);
    group.fileLines = lines.length - 1;
    if (skipped || lines[lines.length - 1] !== "") {
      this.rewrite(group);
    }
  }
}

function parseLine(text: string): FileLine | undefined {
  let line: Record<string, unknown>;
  try {
    line = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof line?.stream === "string" && typeof line.created === "number") {
    return line as FileLine;
  }
  const isEvent =
    typeof line?.s === "string" &&
    typeof line.t === "number" &&
    typeof line.i === "number" &&
    typeof line.n === "number" &&
    typeof line.m === "string";
  return isEvent ? (line as FileLine) : undefined;
}
