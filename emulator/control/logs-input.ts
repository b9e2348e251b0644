// CloudWatch Logs' request fields, checked as AWS checks them, each refusal naming the field and
// the value: required and optional names, times, limits, flags, lists, and the log group a request
// names (logGroupName, or logGroupIdentifier: a name or an ARN).
// @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/CommonErrors.html

import { findLogGroup, findLogGroupByArn, type LogGroup } from "./log-groups";
import { ServiceError } from "./service-error";
import type { Store } from "./store";

type Input = Record<string, unknown>;

const invalid = (message: string): ServiceError => new ServiceError(400, "InvalidParameterException", message);
const constraint = (value: unknown, field: string, rule: string): ServiceError =>
  invalid(`1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: Member must ${rule}`);
/** A field of the wrong JSON type, as AWS's JSON 1.1 deserializer refuses it. */
const wrongType = (value: unknown, field: string, type: string): ServiceError =>
  new ServiceError(400, "SerializationException", `${JSON.stringify(value)} at '${field}' is not ${type}`);

/** A field that must be a non-empty string. */
export function requiredText(input: Input, field: string): string {
  const value = input[field];
  if (typeof value !== "string" || value === "") {
    throw invalid(`1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

export function optionalText(input: Input, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw wrongType(value, field, "a string");
  return value;
}

/** A whole number from `min` to `max` (a time in ms, a limit). */
export function optionalWhole(input: Input, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) throw wrongType(value, field, "a whole number");
  if (value < min) throw constraint(value, field, `have value greater than or equal to ${min}`);
  if (value > max) throw constraint(value, field, `have value less than or equal to ${max}`);
  return value;
}

export function optionalBoolean(input: Input, field: string): boolean | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw wrongType(value, field, "a boolean");
  return value;
}

/** A log stream's name: 1 to 512 characters, no `:` or `*`. */
export function streamName(value: unknown, field = "logStreamName"): string {
  if (typeof value !== "string" || value === "") {
    throw invalid(`1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`);
  }
  if (value.length > 512) throw constraint(value, field, "have length less than or equal to 512");
  if (/[:*]/.test(value)) throw constraint(value, field, "satisfy regular expression pattern: [^:*]*");
  return value;
}

/** A list of log stream names, 1 to `max` of them. */
export function optionalStreamNames(input: Input, field: string, max: number): string[] | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw wrongType(value, field, "a list");
  if (value.length < 1) throw constraint("[]", field, "have length greater than or equal to 1");
  if (value.length > max) throw constraint(`[${value.join(", ")}]`, field, `have length less than or equal to ${max}`);
  return value.map((name, i) => streamName(name, `${field}.${i + 1}.member`));
}

/**
 * The log group a read names: `logGroupName` or `logGroupIdentifier` (a name or an ARN), one of
 * them, or AWS's InvalidParameterException.
 */
export function namedLogGroup(input: Input, store: Store, region: string): LogGroup {
  const name = optionalText(input, "logGroupName");
  const identifier = optionalText(input, "logGroupIdentifier");
  if (name !== undefined && identifier !== undefined) {
    throw invalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  }
  if (identifier !== undefined) {
    return identifier.startsWith("arn:") ? findLogGroupByArn(store, identifier) : findLogGroup(store, region, identifier);
  }
  if (name === undefined || name === "") {
    throw invalid("Either logGroupName or logGroupIdentifier must be specified.");
  }
  return findLogGroup(store, region, name);
}
