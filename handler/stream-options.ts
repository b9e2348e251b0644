// Reads and validates the 🚗 stream's query parameters (`count`, `chunk`, `delay`) from a
// Function URL event. Pure: no I/O, so every rule is testable without a runtime.

/** One query parameter's allowed range and default. */
interface ParameterRule {
  readonly min: number;
  readonly max: number;
  readonly default: number;
  readonly unit: string;
}

/**
 * The classic response-streaming example body is `new Array(1024 * 1024).join('🚗')`:
 * 1,048,575 cars (the join puts a car *between* 1,048,576 empty strings), 4,194,300 bytes.
 * @see https://aws.amazon.com/blogs/compute/introducing-aws-lambda-response-streaming/
 */
const DEFAULT_CAR_COUNT = 1024 * 1024 - 1;

/** The character the response repeats: 🚗 (U+1F697). Change it here and only here. */
export const CAR = "🚗";

/** UTF-8 bytes of one CAR, derived from it, so a different character cannot disagree with it. */
export const CAR_BYTES = new TextEncoder().encode(CAR).length;

/**
 * A streamed response may be at most 200 MiB (raised from 20 MiB in July 2025).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
const MAX_STREAM_BYTES = 200 * 1024 * 1024;

const PARAMETER_RULES = {
  count: { min: 0, max: Math.floor(MAX_STREAM_BYTES / CAR_BYTES), default: DEFAULT_CAR_COUNT, unit: "cars" },
  chunk: { min: 1, max: 65_536, default: 1_024, unit: "cars per write" },
  delay: { min: 0, max: 1_000, default: 0, unit: "milliseconds between writes" },
} as const satisfies Record<string, ParameterRule>;

export type ParameterName = keyof typeof PARAMETER_RULES;

/** What the handler streams: `count` cars, `chunk` per write, `delay` ms apart. */
export interface StreamOptions {
  readonly count: number;
  readonly chunk: number;
  readonly delay: number;
}

export type ParseResult = { readonly ok: true; readonly options: StreamOptions } | { readonly ok: false; readonly error: string };

/** The parts of a payload 2.0 event this module reads. */
export interface QuerySource {
  readonly rawQueryString?: string;
  readonly queryStringParameters?: Record<string, string | undefined> | null;
}

const INTEGER = /^(0|[1-9][0-9]*)$/;

/**
 * Turns the event's query string into stream options, or an error message that names the
 * parameter, the value received and the allowed range.
 *
 * `rawQueryString` is read first because it is the only place a repeated parameter shows up as
 * such: Function URLs join repeated values with commas in `queryStringParameters`.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads
 */
export function parseStreamOptions(event: QuerySource): ParseResult {
  const values = collectValues(event);
  const options: Record<string, number> = {};
  for (const [name, rule] of Object.entries(PARAMETER_RULES) as [ParameterName, ParameterRule][]) {
    const received = values.get(name) ?? [];
    if (received.length > 1) {
      return {
        ok: false,
        error: `${name} was given ${received.length} times (${received.map((v) => JSON.stringify(v)).join(", ")}); give it once, ${describeRange(rule)}`,
      };
    }
    if (received.length === 0) {
      options[name] = rule.default;
      continue;
    }
    const value = received[0];
    const parsed = INTEGER.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < rule.min || parsed > rule.max) {
      return {
        ok: false,
        error: `${name} must be ${describeRange(rule)} (got ${JSON.stringify(value)})`,
      };
    }
    options[name] = parsed;
  }
  return { ok: true, options: options as unknown as StreamOptions };
}

/** How many `write` calls a stream of these options makes. */
export function countWrites(options: StreamOptions): number {
  return Math.ceil(options.count / options.chunk);
}

/**
 * The error to answer with when the paced stream could not finish before the function times
 * out, or undefined when it fits. Every write waits `delay` ms, so the stream needs at least
 * writes × delay milliseconds.
 */
export function checkFitsInTime(options: StreamOptions, remainingMs: number): string | undefined {
  const needed = countWrites(options) * options.delay;
  if (needed <= remainingMs) {
    return undefined;
  }
  return (
    `count=${options.count}, chunk=${options.chunk} and delay=${options.delay} need ${countWrites(options)} writes × ${options.delay} ms = ${needed} ms, ` +
    `but the function has ${remainingMs} ms left before its timeout; lower count or delay, raise chunk, or raise the function's timeout`
  );
}

function describeRange(rule: ParameterRule): string {
  return `an integer from ${rule.min} to ${rule.max} (${rule.unit}, default ${rule.default})`;
}

function collectValues(event: QuerySource): Map<string, string[]> {
  const values = new Map<string, string[]>();
  if (typeof event.rawQueryString === "string") {
    for (const [name, value] of new URLSearchParams(event.rawQueryString)) {
      values.set(name, [...(values.get(name) ?? []), value]);
    }
    return values;
  }
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined) {
      values.set(name, [value]);
    }
  }
  return values;
}
