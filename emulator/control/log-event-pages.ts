// Pages of log events as GetLogEvents and FilterLogEvents return them: events ordered by
// timestamp, then by ingestion; a page of up to `limit` events and 1 MB; and the tokens that
// continue it. A token is a position between two events and a direction (`f/<timestamp>/<seq>`
// forward, `b/…` backward), so it stays valid while events are added.
// @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html

import type { StoredLogEvent } from "./log-events";
import { ServiceError } from "./service-error";

/** The most a page holds: 10,000 events, and 1 MB counted as PutLogEvents counts a batch. */
export const MAX_PAGE_EVENTS = 10_000;
const MAX_PAGE_BYTES = 1_048_576;
/** What a page counts per event beside its message, as PutLogEvents does. */
export const EVENT_OVERHEAD_BYTES = 26;

interface Position {
  readonly timestamp: number;
  readonly seq: number;
}

interface Token extends Position {
  readonly forward: boolean;
}

/** Before every event: where a stream with no events starts and ends. */
const ORIGIN: Position = { timestamp: -1, seq: 0 };

const compare = (a: Position, b: Position): number => a.timestamp - b.timestamp || a.seq - b.seq;

/** `events` in the order both reads return them: by timestamp, then as ingested. */
export const inEventOrder = (events: readonly StoredLogEvent[]): StoredLogEvent[] => [...events].sort(compare);

const write = (forward: boolean, at: Position): string => `${forward ? "f" : "b"}/${at.timestamp}/${at.seq}`;

function parseToken(token: string): Token {
  const match = /^([fb])\/(-?\d{1,16})\/(-?\d{1,16})$/.exec(token);
  if (!match) {
    throw new ServiceError(400, "InvalidParameterException", `The specified nextToken is invalid: ${JSON.stringify(token)}`);
  }
  return { forward: match[1] === "f", timestamp: Number(match[2]), seq: Number(match[3]) };
}

/** Up to `limit` events and 1 MB from the front of `events`. */
function take(events: readonly StoredLogEvent[], limit: number): StoredLogEvent[] {
  const page: StoredLogEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    bytes += Buffer.byteLength(event.message) + EVENT_OVERHEAD_BYTES;
    if (page.length === limit || (page.length > 0 && bytes > MAX_PAGE_BYTES)) break;
    page.push(event);
  }
  return page;
}

/** The events of `ordered` (in event order) past the token, nearest first. */
function ahead(ordered: readonly StoredLogEvent[], token: Token | undefined, forward: boolean): StoredLogEvent[] {
  if (forward) return token ? ordered.filter((e) => compare(e, token) > 0) : [...ordered];
  return (token ? ordered.filter((e) => compare(e, token) < 0) : [...ordered]).reverse();
}

export interface StreamPage {
  readonly events: readonly StoredLogEvent[];
  readonly nextForwardToken: string;
  readonly nextBackwardToken: string;
}

/**
 * GetLogEvents: from the head or the tail (`startFromHead`), or where `nextToken` says, in its
 * direction; the page in event order. At the end of the stream a token comes back as it was sent.
 */
export function streamPage(
  ordered: readonly StoredLogEvent[],
  nextToken: string | undefined,
  startFromHead: boolean,
  limit: number,
): StreamPage {
  const token = nextToken === undefined ? undefined : parseToken(nextToken);
  const forward = token ? token.forward : startFromHead;
  const nearestFirst = take(ahead(ordered, token, forward), limit);
  const page = forward ? nearestFirst : nearestFirst.reverse();
  if (page.length > 0) {
    return { events: page, nextForwardToken: write(true, page[page.length - 1]), nextBackwardToken: write(false, page[0]) };
  }
  // Nothing past the token: it comes back, and the other direction turns at the same place.
  const at = token ?? ORIGIN;
  return {
    events: page,
    nextForwardToken: token?.forward === false ? write(true, { timestamp: at.timestamp, seq: at.seq - 1 }) : write(true, at),
    nextBackwardToken: token?.forward === true ? write(false, { timestamp: at.timestamp, seq: at.seq + 1 }) : write(false, at),
  };
}

export interface FilterPage {
  readonly events: readonly StoredLogEvent[];
  readonly nextToken?: string;
}

/**
 * FilterLogEvents: the matching events, oldest first (or newest first when `startFromHead` is
 * false), from where `nextToken` says; a nextToken only while more remain.
 */
export function filterPage(
  ordered: readonly StoredLogEvent[],
  nextToken: string | undefined,
  startFromHead: boolean,
  limit: number,
): FilterPage {
  const token = nextToken === undefined ? undefined : parseToken(nextToken);
  const forward = token ? token.forward : startFromHead;
  const remaining = ahead(ordered, token, forward);
  const page = take(remaining, limit);
  return page.length < remaining.length ? { events: page, nextToken: write(forward, page[page.length - 1]) } : { events: page };
}
