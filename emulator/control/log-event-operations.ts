// CloudWatch Logs' log streams and events: CreateLogStream, DescribeLogStreams, PutLogEvents,
// GetLogEvents and FilterLogEvents (what `aws logs tail` calls, with and without --follow), over
// the events log-events.ts keeps, with AWS's checks and errors.
// @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html
// @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html

import { parseFilterPattern } from "./filter-pattern";
import { EVENT_OVERHEAD_BYTES, filterPage, inEventOrder, MAX_PAGE_EVENTS, streamPage } from "./log-event-pages";
import type { LogEventInput, StoredLogEvent } from "./log-events";
import { findLogGroup, type LogGroup, logGroupArn } from "./log-groups";
import { namedLogGroup, optionalBoolean, optionalStreamNames, optionalText, optionalWhole, requiredText, streamName } from "./logs-input";
import type { ServiceCall } from "./service-call";
import { ServiceError } from "./service-error";

/** PutLogEvents' limits. */
const MAX_BATCH_EVENTS = 10_000;
const MAX_BATCH_BYTES = 1_048_576;
const MAX_BATCH_SPAN_MS = 24 * 3600_000;
const MAX_FUTURE_MS = 2 * 3600_000;
const MAX_AGE_MS = 14 * 24 * 3600_000;
/** FilterLogEvents refuses startFromHead false for a startTime before this. */
const NEWEST_FIRST_SINCE = Date.UTC(2024, 0, 1);
const MAX_STREAMS_PAGE = 50;
const ORDERS = ["LogStreamName", "LastEventTime"];

const invalid = (message: string): ServiceError => new ServiceError(400, "InvalidParameterException", message);
const noStream = (): ServiceError => new ServiceError(400, "ResourceNotFoundException", "The specified log stream does not exist.");

/** An event's id in FilterLogEvents: its place in the group's order, as a 56-digit string like AWS's. */
const eventIdOf = (event: StoredLogEvent): string => String(event.seq).padStart(56, "0");

function existingStream(call: ServiceCall, group: LogGroup, value: unknown): string {
  const name = streamName(value);
  if (!call.logEvents.hasStream(group.region, group.logGroupName, name)) throw noStream();
  return name;
}

/** PutLogEvents' `logEvents`: 1 to 10,000 events, each a timestamp and a non-empty message. */
function batchOf(value: unknown): LogEventInput[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalid(
      "1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  }
  if (value.length > MAX_BATCH_EVENTS) {
    throw invalid(
      `1 validation error detected: Value of ${value.length} events at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to ${MAX_BATCH_EVENTS}`,
    );
  }
  return value.map((event: unknown, i) => {
    const { timestamp, message } = (event ?? {}) as Record<string, unknown>;
    if (typeof timestamp !== "number" || !Number.isInteger(timestamp) || timestamp < 0) {
      throw invalid(
        `1 validation error detected: Value '${String(timestamp)}' at 'logEvents.${i + 1}.member.timestamp' failed to satisfy constraint: Member must be a whole number greater than or equal to 0`,
      );
    }
    if (typeof message !== "string" || message === "") {
      throw invalid(
        `1 validation error detected: Value '${String(message ?? "")}' at 'logEvents.${i + 1}.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1`,
      );
    }
    return { timestamp, message };
  });
}

/** Which events of a chronological batch AWS sets aside, by index, and why. */
function rejections(batch: readonly LogEventInput[], group: LogGroup, now: number) {
  const oldest = now - MAX_AGE_MS;
  const retained = group.retentionInDays === undefined ? -Infinity : now - group.retentionInDays * 24 * 3600_000;
  let tooOldEnd = -1;
  let expiredEnd = -1;
  let tooNewStart = batch.length;
  batch.forEach(({ timestamp }, i) => {
    if (timestamp < oldest) tooOldEnd = i;
    if (timestamp < retained) expiredEnd = i;
    if (timestamp > now + MAX_FUTURE_MS && i < tooNewStart) tooNewStart = i;
  });
  const info = {
    ...(tooNewStart < batch.length ? { tooNewLogEventStartIndex: tooNewStart } : {}),
    ...(tooOldEnd >= 0 ? { tooOldLogEventEndIndex: tooOldEnd } : {}),
    ...(expiredEnd >= 0 ? { expiredLogEventEndIndex: expiredEnd } : {}),
  };
  return { accepted: batch.slice(Math.max(tooOldEnd, expiredEnd) + 1, tooNewStart), info };
}

function streamSummaries(call: ServiceCall, group: LogGroup) {
  const { region, logGroupName } = group;
  const stats = new Map<string, { first: number; last: number; ingested: number }>();
  for (const e of call.logEvents.events(region, logGroupName)) {
    const s = stats.get(e.logStreamName);
    stats.set(
      e.logStreamName,
      s
        ? { first: Math.min(s.first, e.timestamp), last: Math.max(s.last, e.timestamp), ingested: Math.max(s.ingested, e.ingestionTime) }
        : { first: e.timestamp, last: e.timestamp, ingested: e.ingestionTime },
    );
  }
  return call.logEvents.streams(region, logGroupName).map((stream) => {
    const s = stats.get(stream.logStreamName);
    return {
      logStreamName: stream.logStreamName,
      creationTime: stream.creationTime,
      ...(s ? { firstEventTimestamp: s.first, lastEventTimestamp: s.last, lastIngestionTime: s.ingested } : {}),
      arn: `${logGroupArn(group)}:log-stream:${stream.logStreamName}`,
      storedBytes: 0,
    };
  });
}

type Operation = (input: Record<string, unknown>, call: ServiceCall) => unknown;

export const LOG_EVENT_OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateLogStream(input, call) {
    const group = findLogGroup(call.store, call.region, requiredText(input, "logGroupName"));
    const name = streamName(input.logStreamName);
    if (!call.logEvents.createStream(group.region, group.logGroupName, name)) {
      throw new ServiceError(400, "ResourceAlreadyExistsException", `The specified log stream already exists: ${name}`);
    }
    return {};
  },
  DescribeLogStreams(input, call) {
    const group = namedLogGroup(input, call.store, call.region);
    const prefixText = optionalText(input, "logStreamNamePrefix");
    const prefix = prefixText === undefined ? undefined : streamName(prefixText, "logStreamNamePrefix");
    const orderBy = optionalText(input, "orderBy") ?? "LogStreamName";
    if (!ORDERS.includes(orderBy)) {
      throw invalid(
        `1 validation error detected: Value '${orderBy}' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [${ORDERS.join(", ")}]`,
      );
    }
    if (orderBy === "LastEventTime" && prefix !== undefined) {
      throw invalid("Cannot order by LastEventTime with a logStreamNamePrefix.");
    }
    const limit = optionalWhole(input, "limit", 1, MAX_STREAMS_PAGE) ?? MAX_STREAMS_PAGE;
    const nextToken = optionalText(input, "nextToken");
    const offset = nextToken === undefined ? 0 : Number(/^s\/(\d{1,9})$/.exec(nextToken)?.[1] ?? Number.NaN);
    if (Number.isNaN(offset)) throw invalid(`The specified nextToken is invalid: ${JSON.stringify(nextToken)}`);
    const byName = (a: { logStreamName: string }, b: { logStreamName: string }) => (a.logStreamName < b.logStreamName ? -1 : 1);
    const streams = streamSummaries(call, group)
      .filter((s) => prefix === undefined || s.logStreamName.startsWith(prefix))
      .sort(orderBy === "LastEventTime" ? (a, b) => (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0) || byName(a, b) : byName);
    if (optionalBoolean(input, "descending") === true) streams.reverse();
    const page = streams.slice(offset, offset + limit);
    return { logStreams: page, ...(offset + limit < streams.length ? { nextToken: `s/${offset + limit}` } : {}) };
  },
  PutLogEvents(input, call) {
    const batch = batchOf(input.logEvents);
    const group = findLogGroup(call.store, call.region, requiredText(input, "logGroupName"));
    const stream = existingStream(call, group, input.logStreamName);
    for (let i = 1; i < batch.length; i++) {
      if (batch[i].timestamp < batch[i - 1].timestamp) {
        throw invalid(
          `Log events in a single PutLogEvents request must be in chronological order: event ${i + 1} (${batch[i].timestamp}) is before event ${i} (${batch[i - 1].timestamp}).`,
        );
      }
    }
    const bytes = batch.reduce((sum, e) => sum + Buffer.byteLength(e.message) + EVENT_OVERHEAD_BYTES, 0);
    if (bytes > MAX_BATCH_BYTES) {
      throw invalid(
        `Upload too large: ${bytes} bytes exceeds limit of ${MAX_BATCH_BYTES} (the messages in UTF-8 plus ${EVENT_OVERHEAD_BYTES} bytes each).`,
      );
    }
    const { accepted, info } = rejections(batch, group, Date.now());
    if (accepted.length > 1 && accepted[accepted.length - 1].timestamp - accepted[0].timestamp > MAX_BATCH_SPAN_MS) {
      throw invalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
    }
    const last = call.logEvents.put(group.region, group.logGroupName, stream, accepted);
    return {
      ...(last ? { nextSequenceToken: eventIdOf(last) } : {}),
      ...(Object.keys(info).length > 0 ? { rejectedLogEventsInfo: info } : {}),
    };
  },
  GetLogEvents(input, call) {
    const group = namedLogGroup(input, call.store, call.region);
    const stream = existingStream(call, group, input.logStreamName);
    const startTime = optionalWhole(input, "startTime", 0) ?? 0;
    const endTime = optionalWhole(input, "endTime", 0) ?? Number.POSITIVE_INFINITY;
    const limit = optionalWhole(input, "limit", 1, MAX_PAGE_EVENTS) ?? MAX_PAGE_EVENTS;
    const ordered = inEventOrder(
      call.logEvents
        .events(group.region, group.logGroupName)
        .filter((e) => e.logStreamName === stream && e.timestamp >= startTime && e.timestamp < endTime),
    );
    const page = streamPage(ordered, optionalText(input, "nextToken"), optionalBoolean(input, "startFromHead") ?? false, limit);
    return {
      events: page.events.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
      nextForwardToken: page.nextForwardToken,
      nextBackwardToken: page.nextBackwardToken,
    };
  },
  FilterLogEvents(input, call) {
    const group = namedLogGroup(input, call.store, call.region);
    const names = optionalStreamNames(input, "logStreamNames", 100);
    const prefixText = optionalText(input, "logStreamNamePrefix");
    if (names !== undefined && prefixText !== undefined) {
      throw invalid("logStreamNames and logStreamNamePrefix are mutually exclusive parameters: give one of them.");
    }
    const prefix = prefixText === undefined ? undefined : streamName(prefixText, "logStreamNamePrefix");
    for (const name of names ?? []) {
      if (!call.logEvents.hasStream(group.region, group.logGroupName, name)) throw noStream();
    }
    const startTime = optionalWhole(input, "startTime", 0);
    const endTime = optionalWhole(input, "endTime", 0) ?? Number.POSITIVE_INFINITY;
    const pattern = optionalText(input, "filterPattern");
    if (pattern !== undefined && pattern.length > 1024) {
      throw invalid(
        `1 validation error detected: Value '${pattern}' at 'filterPattern' failed to satisfy constraint: Member must have length less than or equal to 1024`,
      );
    }
    const matches = parseFilterPattern(pattern);
    const limit = optionalWhole(input, "limit", 1, MAX_PAGE_EVENTS) ?? MAX_PAGE_EVENTS;
    const startFromHead = optionalBoolean(input, "startFromHead") ?? true;
    if (!startFromHead && startTime !== undefined && startTime < NEWEST_FIRST_SINCE) {
      throw invalid(`startFromHead false needs a startTime on or after ${NEWEST_FIRST_SINCE} (2024-01-01T00:00:00Z); got ${startTime}.`);
    }
    const ordered = inEventOrder(
      call.logEvents
        .events(group.region, group.logGroupName)
        .filter(
          (e) =>
            (names === undefined || names.includes(e.logStreamName)) &&
            (prefix === undefined || e.logStreamName.startsWith(prefix)) &&
            e.timestamp >= (startTime ?? 0) &&
            e.timestamp <= endTime &&
            matches(e.message),
        ),
    );
    const page = filterPage(ordered, optionalText(input, "nextToken"), startFromHead, limit);
    return {
      events: page.events.map((e) => ({
        logStreamName: e.logStreamName,
        timestamp: e.timestamp,
        message: e.message,
        ingestionTime: e.ingestionTime,
        eventId: eventIdOf(e),
      })),
      // Always empty since 2020, as AWS returns it.
      searchedLogStreams: [],
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    };
  },
};
