// A function's log lines in its log group, as the AWS SDK's CloudWatch Logs client reads them:
// lines appended through LogEvents (what the registry of deployed functions calls) or sent with
// PutLogEvents, read with GetLogEvents, FilterLogEvents and DescribeLogStreams; kept across a
// restart without rewriting state.json; gone with their group; each refusal AWS's error.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  paginateFilterLogEvents,
} from "@aws-sdk/client-cloudwatch-logs";
import { type RunningLocalAws, serveLocalAws } from "../../../emulator/cli/local-aws";
import { LOG_EVENTS_DIR, MAX_EVENTS_PER_GROUP } from "../../../emulator/control/log-events";
import { STATE_FILE } from "../../../emulator/control/store";
import { LOCAL_AWS_CREDENTIALS as CREDENTIALS, LOCAL_AWS_ENV as ENV } from "../../helpers/local-aws-clients";

const GROUP = "/aws/lambda/fn";
const STREAM = "2026/01/01/[$LATEST]abc";

describe("log events in the local AWS", () => {
  let state: string;
  let aws: RunningLocalAws | undefined;
  let logs: CloudWatchLogsClient;

  async function start(): Promise<RunningLocalAws> {
    await aws?.close();
    aws = (await serveLocalAws(["--port", "0", "--state", state], ENV, () => {})) as RunningLocalAws;
    logs = new CloudWatchLogsClient({ endpoint: aws.endpoint, region: "us-east-1", credentials: CREDENTIALS, maxAttempts: 1 });
    return aws;
  }

  beforeEach(async () => {
    state = fs.mkdtempSync(path.join(os.tmpdir(), "ls-log-events-"));
    await start();
    await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  });
  afterEach(async () => {
    await aws?.close();
    aws = undefined;
    fs.rmSync(state, { recursive: true, force: true });
  });

  const messages = (events: { message?: string }[] | undefined) => (events ?? []).map((e) => e.message);
  const now = Date.now();

  test("lines appended for a function reach GetLogEvents in a stream made for them; a missing group drops them and says so", async () => {
    // GIVEN
    const running = aws as RunningLocalAws;
    // WHEN
    const appended = running.logEvents.append("us-east-1", GROUP, STREAM, [
      { timestamp: now, message: "START RequestId: r1 Version: $LATEST" },
      { timestamp: now + 1, message: "" },
      { timestamp: now + 2, message: "hello" },
    ]);
    const dropped = running.logEvents.append("us-east-1", "/aws/lambda/absent", STREAM, [{ timestamp: now, message: "lost" }]);
    const otherRegion = running.logEvents.append("eu-west-1", GROUP, STREAM, [{ timestamp: now, message: "lost" }]);
    // THEN
    expect([appended, dropped, otherRegion]).toEqual(["appended", "no-log-group", "no-log-group"]);
    const got = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: STREAM }));
    expect(got.events).toEqual([
      { timestamp: now, message: "START RequestId: r1 Version: $LATEST", ingestionTime: expect.any(Number) },
      { timestamp: now + 2, message: "hello", ingestionTime: expect.any(Number) },
    ]);
    await expect(logs.send(new DescribeLogStreamsCommand({ logGroupName: "/aws/lambda/absent" }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
  });

  test("GetLogEvents pages from the tail by default and from the head when asked; at either end the token comes back", async () => {
    // GIVEN
    await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: STREAM }));
    const logEvents = ["a", "b", "c", "d", "e"].map((message, i) => ({ timestamp: now + i, message }));
    await logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: STREAM, logEvents }));
    const get = (more: object) => logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: STREAM, limit: 2, ...more }));
    // WHEN / THEN: the tail, then backward
    const tail = await get({});
    expect(messages(tail.events)).toEqual(["d", "e"]);
    const before = await get({ nextToken: tail.nextBackwardToken });
    expect(messages(before.events)).toEqual(["b", "c"]);
    const first = await get({ nextToken: before.nextBackwardToken });
    expect(messages(first.events)).toEqual(["a"]);
    const pastStart = await get({ nextToken: first.nextBackwardToken });
    expect(pastStart).toMatchObject({ events: [], nextBackwardToken: first.nextBackwardToken });
    // Turning forward at the start reads from the first event again.
    expect(messages((await get({ nextToken: pastStart.nextForwardToken })).events)).toEqual(["a", "b"]);
    // From the head, forward, to the end and a new event after it.
    const head = await get({ startFromHead: true });
    expect(messages(head.events)).toEqual(["a", "b"]);
    const middle = await get({ nextToken: head.nextForwardToken });
    expect(messages(middle.events)).toEqual(["c", "d"]);
    const last = await get({ nextToken: middle.nextForwardToken });
    expect(messages(last.events)).toEqual(["e"]);
    const end = await get({ nextToken: last.nextForwardToken });
    expect(end).toMatchObject({ events: [], nextForwardToken: last.nextForwardToken });
    await logs.send(
      new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: STREAM, logEvents: [{ timestamp: now + 9, message: "f" }] }),
    );
    expect(messages((await get({ nextToken: end.nextForwardToken })).events)).toEqual(["f"]);
    // A time range: startTime included, endTime not.
    expect(messages((await get({ startFromHead: true, startTime: now + 1, endTime: now + 3, limit: 10 })).events)).toEqual(["b", "c"]);
  });

  test("FilterLogEvents interleaves streams by timestamp, pages with nextToken, and keeps to the time range, streams and pattern", async () => {
    // GIVEN two streams, written out of step
    const running = aws as RunningLocalAws;
    running.logEvents.append("us-east-1", GROUP, "one", [
      { timestamp: now, message: "START RequestId: 1" },
      { timestamp: now + 2, message: "ERROR timeout in db" },
      { timestamp: now + 4, message: "END RequestId: 1" },
    ]);
    running.logEvents.append("us-east-1", GROUP, "two", [
      { timestamp: now + 1, message: "WARN slow" },
      { timestamp: now + 3, message: "ERROR retry in db" },
    ]);
    const filter = (more: object) => logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, ...more }));
    // WHEN / THEN: everything, page by page, through the SDK's own paginator
    const pages = [];
    for await (const page of paginateFilterLogEvents({ client: logs, pageSize: 2 }, { logGroupName: GROUP, interleaved: true })) {
      pages.push(page);
    }
    expect(pages.map((p) => messages(p.events))).toEqual([
      ["START RequestId: 1", "WARN slow"],
      ["ERROR timeout in db", "ERROR retry in db"],
      ["END RequestId: 1"],
    ]);
    expect(pages[0]).toMatchObject({ searchedLogStreams: [] });
    expect(pages[0].events?.[1]).toMatchObject({ logStreamName: "two", timestamp: now + 1, eventId: expect.stringMatching(/^\d{56}$/) });
    // The same event has the same id on every call (`aws logs tail --follow` drops what it has seen by id).
    const again = await filter({ startTime: now + 1, endTime: now + 1 });
    expect(again.events?.map((e) => e.eventId)).toEqual([pages[0].events?.[1].eventId]);
    // Time range (both ends included), streams, and patterns.
    expect(messages((await filter({ startTime: now + 1, endTime: now + 3 })).events)).toEqual([
      "WARN slow",
      "ERROR timeout in db",
      "ERROR retry in db",
    ]);
    expect(messages((await filter({ logStreamNames: ["two"] })).events)).toEqual(["WARN slow", "ERROR retry in db"]);
    expect(messages((await filter({ logStreamNamePrefix: "on" })).events)).toHaveLength(3);
    expect(messages((await filter({ filterPattern: "ERROR db" })).events)).toEqual(["ERROR timeout in db", "ERROR retry in db"]);
    expect(messages((await filter({ filterPattern: "ERROR -retry" })).events)).toEqual(["ERROR timeout in db"]);
    expect(messages((await filter({ filterPattern: "?WARN ?timeout" })).events)).toEqual(["WARN slow", "ERROR timeout in db"]);
    expect(messages((await filter({ filterPattern: '"RequestId: 1"' })).events)).toEqual(["START RequestId: 1", "END RequestId: 1"]);
    expect(messages((await filter({ filterPattern: "error" })).events)).toEqual([]);
    // Newest first.
    expect(messages((await filter({ startFromHead: false, startTime: now, limit: 2 })).events)).toEqual([
      "END RequestId: 1",
      "ERROR retry in db",
    ]);
  });

  test("DescribeLogStreams names each stream with its first and last event, by name or by last event time", async () => {
    // GIVEN
    const running = aws as RunningLocalAws;
    running.logEvents.append("us-east-1", GROUP, "b", [{ timestamp: now, message: "x" }]);
    running.logEvents.append("us-east-1", GROUP, "a", [
      { timestamp: now + 5, message: "y" },
      { timestamp: now + 6, message: "z" },
    ]);
    await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: "c" }));
    // WHEN
    const byName = await logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP }));
    const byTime = await logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP, orderBy: "LastEventTime", descending: true }));
    const paged = await logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP, limit: 2 }));
    // THEN
    expect(byName.logStreams?.map((s) => s.logStreamName)).toEqual(["a", "b", "c"]);
    expect(byName.logStreams?.[0]).toEqual({
      logStreamName: "a",
      creationTime: expect.any(Number),
      firstEventTimestamp: now + 5,
      lastEventTimestamp: now + 6,
      lastIngestionTime: expect.any(Number),
      arn: `arn:aws:logs:us-east-1:000000000000:log-group:${GROUP}:log-stream:a`,
      storedBytes: 0,
    });
    expect(byName.logStreams?.[2]).not.toHaveProperty("firstEventTimestamp");
    expect(byTime.logStreams?.map((s) => s.logStreamName)).toEqual(["a", "b", "c"]);
    const rest = await logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP, limit: 2, nextToken: paged.nextToken }));
    expect([paged.logStreams?.length, rest.logStreams?.map((s) => s.logStreamName), rest.nextToken]).toEqual([2, ["c"], undefined]);
    await expect(
      logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP, orderBy: "LastEventTime", logStreamNamePrefix: "a" })),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
  });

  test("events survive a restart without state.json being rewritten for them, and leave with their group", async () => {
    // GIVEN
    const stateFile = path.join(state, STATE_FILE);
    const written = () => fs.statSync(stateFile, { bigint: true }).mtimeNs;
    const before = written();
    await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: STREAM }));
    await logs.send(
      new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: STREAM, logEvents: [{ timestamp: now, message: "kept" }] }),
    );
    (aws as RunningLocalAws).logEvents.append("us-east-1", GROUP, STREAM, [{ timestamp: now + 1, message: "also kept" }]);
    // THEN state.json was not written for them
    expect(written()).toBe(before);
    expect(fs.readFileSync(stateFile, "utf8")).not.toContain("kept");
    // WHEN restarted on the same folder
    await start();
    const got = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: STREAM, startFromHead: true }));
    expect(messages(got.events)).toEqual(["kept", "also kept"]);
    // WHEN the group is deleted and made again, before and after a restart
    await logs.send(new DeleteLogGroupCommand({ logGroupName: GROUP }));
    expect(fs.readdirSync(path.join(state, LOG_EVENTS_DIR))).toEqual([]);
    await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    expect((await logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP }))).logStreams).toEqual([]);
    await start();
    expect((await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP }))).events).toEqual([]);
  });

  test("a line cut short by a kill is skipped at start, and lines after it are kept", async () => {
    // GIVEN
    const running = aws as RunningLocalAws;
    running.logEvents.append("us-east-1", GROUP, STREAM, [{ timestamp: now, message: "whole" }]);
    const [file] = fs.readdirSync(path.join(state, LOG_EVENTS_DIR));
    fs.appendFileSync(path.join(state, LOG_EVENTS_DIR, file), '{"s":"x","t":1,"i');
    // WHEN
    const restarted = await start();
    restarted.logEvents.append("us-east-1", GROUP, STREAM, [{ timestamp: now + 1, message: "after" }]);
    await start();
    // THEN
    const got = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP }));
    expect(messages(got.events)).toEqual(["whole", "after"]);
  });

  test("a group keeps its newest events up to the cap, across restarts, and its file stays bounded", async () => {
    // GIVEN
    const running = aws as RunningLocalAws;
    const batch = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({ timestamp: now + from + i, message: `line ${from + i}` }));
    // WHEN three batches, the whole of the cap each
    for (const from of [0, MAX_EVENTS_PER_GROUP, 2 * MAX_EVENTS_PER_GROUP]) {
      running.logEvents.append("us-east-1", GROUP, STREAM, batch(from, MAX_EVENTS_PER_GROUP));
    }
    // THEN
    const [file] = fs.readdirSync(path.join(state, LOG_EVENTS_DIR));
    const lines = fs.readFileSync(path.join(state, LOG_EVENTS_DIR, file), "utf8").split("\n").length;
    expect(lines).toBeLessThanOrEqual(2 * MAX_EVENTS_PER_GROUP + 3);
    await start();
    const oldest = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: STREAM, startFromHead: true, limit: 1 }));
    expect(messages(oldest.events)).toEqual([`line ${2 * MAX_EVENTS_PER_GROUP}`]);
    const newest = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: STREAM, limit: 1 }));
    expect(messages(newest.events)).toEqual([`line ${3 * MAX_EVENTS_PER_GROUP - 1}`]);
  });

  describe("refusals, as AWS names them", () => {
    beforeEach(async () => {
      await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: STREAM }));
    });
    const put = (logEvents: { timestamp: number; message: string }[], more: object = {}) =>
      logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: STREAM, logEvents, ...more }));

    test.each([
      [
        "a missing group",
        () => logs.send(new GetLogEventsCommand({ logGroupName: "/nope", logStreamName: STREAM })),
        "ResourceNotFoundException",
        /log group does not exist/,
      ],
      [
        "a missing stream",
        () => logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: "nope" })),
        "ResourceNotFoundException",
        /log stream does not exist/,
      ],
      [
        "a missing stream named to FilterLogEvents",
        () => logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, logStreamNames: ["nope"] })),
        "ResourceNotFoundException",
        /log stream/,
      ],
      [
        "PutLogEvents to a missing stream",
        () => put([{ timestamp: now, message: "x" }], { logStreamName: "nope" }),
        "ResourceNotFoundException",
        /log stream does not exist/,
      ],
      [
        "a stream that exists",
        () => logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: STREAM })),
        "ResourceAlreadyExistsException",
        /already exists: 2026/,
      ],
      [
        "a stream name with a colon",
        () => logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: "a:b" })),
        "InvalidParameterException",
        /Value 'a:b' at 'logStreamName'/,
      ],
      [
        "events out of order",
        () =>
          put([
            { timestamp: now, message: "b" },
            { timestamp: now - 1, message: "a" },
          ]),
        "InvalidParameterException",
        /chronological order: event 2 \(\d+\)/,
      ],
      ["an empty batch", () => put([]), "InvalidParameterException", /'logEvents'.*greater than or equal to 1/],
      ["an empty message", () => put([{ timestamp: now, message: "" }]), "InvalidParameterException", /'logEvents.1.member.message'/],
      [
        "a batch over 1 MB",
        () => put([{ timestamp: now, message: "x".repeat(1_048_576) }]),
        "InvalidParameterException",
        /1048602 bytes exceeds limit of 1048576/,
      ],
      [
        "a batch over 24 hours",
        () =>
          put([
            { timestamp: now - 25 * 3600_000, message: "a" },
            { timestamp: now, message: "b" },
          ]),
        "InvalidParameterException",
        /24 hours/,
      ],
      [
        "a bad nextToken",
        () => logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, nextToken: "garbage" })),
        "InvalidParameterException",
        /nextToken is invalid: "garbage"/,
      ],
      [
        "a JSON filter pattern",
        () => logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: "{ $.level = 1 }" })),
        "InvalidParameterException",
        /\{ \$\.level = 1 \}/,
      ],
      [
        "both stream names and a prefix",
        () => logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, logStreamNames: [STREAM], logStreamNamePrefix: "2" })),
        "InvalidParameterException",
        /mutually exclusive/,
      ],
      [
        "a limit over 10,000",
        () => logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, limit: 10_001 })),
        "InvalidParameterException",
        /Value '10001' at 'limit'/,
      ],
      [
        "newest first from before 2024",
        () => logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, startFromHead: false, startTime: 0 })),
        "InvalidParameterException",
        /startTime on or after/,
      ],
    ])("%s", async (_what, call, name, message) => {
      await expect(call()).rejects.toMatchObject({ name, message: expect.stringMatching(message) });
    });

    test("PutLogEvents sets aside events too old and too new, by index, and keeps the rest", async () => {
      // GIVEN
      await logs.send(new PutRetentionPolicyCommand({ logGroupName: GROUP, retentionInDays: 1 }));
      // WHEN
      const answer = await put([
        { timestamp: now - 2 * 24 * 3600_000, message: "expired" },
        { timestamp: now, message: "kept" },
        { timestamp: now + 3 * 3600_000, message: "too new" },
      ]);
      // THEN
      expect(answer).toMatchObject({ rejectedLogEventsInfo: { expiredLogEventEndIndex: 0, tooNewLogEventStartIndex: 2 } });
      const got = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: STREAM }));
      expect(messages(got.events)).toEqual(["kept"]);
    });
  });
});
