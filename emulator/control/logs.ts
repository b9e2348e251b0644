// CloudWatch Logs, in JSON 1.1 (`X-Amz-Target: Logs_20140328.<Operation>`): the function's log
// group, its retention and tags, read back as DescribeLogGroups gives them; its streams and events
// are log-event-operations.ts's.
// @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_Operations.html

import { jsonBody, jsonSignatureError, sendJson, sendJson11Error } from "./json-protocol";
import { LOG_EVENT_OPERATIONS } from "./log-event-operations";
import { findLogGroup, findLogGroupByArn, type LogGroup, logGroupArn, logGroupKey, logGroups } from "./log-groups";
import { requiredText } from "./logs-input";
import type { Service, ServiceCall } from "./service-call";
import { ServiceError } from "./service-error";
import { withoutTags } from "./tags";

/** The retention periods AWS accepts, in days. @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

function tagMap(value: unknown, field: string): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value) || Object.values(value).some((v) => typeof v !== "string")) {
    throw new ServiceError(400, "InvalidParameterException", `${field} must be a map of strings`);
  }
  return Object.fromEntries(Object.entries(value as Record<string, string>));
}

function describe(g: LogGroup): Record<string, unknown> {
  return {
    logGroupName: g.logGroupName,
    creationTime: g.creationTime,
    ...(g.retentionInDays !== undefined ? { retentionInDays: g.retentionInDays } : {}),
    metricFilterCount: 0,
    arn: `${logGroupArn(g)}:*`,
    logGroupArn: logGroupArn(g),
    storedBytes: 0,
    logGroupClass: g.logGroupClass,
  };
}

type Operation = (input: Record<string, unknown>, call: ServiceCall) => unknown;

const GROUP_OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateLogGroup(input, { store, region }) {
    const name = requiredText(input, "logGroupName");
    if (!/^[\w\-/.#]{1,512}$/.test(name)) {
      throw new ServiceError(
        400,
        "InvalidParameterException",
        `1 validation error detected: Value '${name}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`,
      );
    }
    if (logGroups(store).has(logGroupKey(region, name))) {
      throw new ServiceError(400, "ResourceAlreadyExistsException", "The specified log group already exists");
    }
    const logGroupClass = typeof input.logGroupClass === "string" ? input.logGroupClass : "STANDARD";
    logGroups(store).set(logGroupKey(region, name), {
      logGroupName: name,
      region,
      creationTime: Date.now(),
      tags: tagMap(input.tags, "tags"),
      logGroupClass,
    });
    return {};
  },
  DeleteLogGroup(input, { store, region, logEvents }) {
    const g = findLogGroup(store, region, requiredText(input, "logGroupName"));
    // Its events first: a stop between the two leaves a group without events, never events
    // without a group (and LogEvents.open removes a file whose group is gone).
    logEvents.dropGroup(region, g.logGroupName);
    logGroups(store).delete(logGroupKey(region, g.logGroupName));
    return {};
  },
  PutRetentionPolicy(input, { store, region }) {
    const g = findLogGroup(store, region, requiredText(input, "logGroupName"));
    const days = input.retentionInDays;
    if (typeof days !== "number" || !RETENTION_DAYS.includes(days)) {
      throw new ServiceError(
        400,
        "InvalidParameterException",
        `1 validation error detected: Value '${String(days)}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(", ")}]`,
      );
    }
    g.retentionInDays = days;
    return {};
  },
  DeleteRetentionPolicy(input, { store, region }) {
    delete findLogGroup(store, region, requiredText(input, "logGroupName")).retentionInDays;
    return {};
  },
  DescribeLogGroups(input, { store, region }) {
    const prefix = typeof input.logGroupNamePrefix === "string" ? input.logGroupNamePrefix : "";
    const pattern = typeof input.logGroupNamePattern === "string" ? input.logGroupNamePattern : undefined;
    const found = [...logGroups(store).values()]
      .filter(
        (g) => g.region === region && g.logGroupName.startsWith(prefix) && (pattern === undefined || g.logGroupName.includes(pattern)),
      )
      .sort((a, b) => (a.logGroupName < b.logGroupName ? -1 : 1));
    return { logGroups: found.map(describe) };
  },
  ListTagsLogGroup: (input, { store, region }) => ({ tags: findLogGroup(store, region, requiredText(input, "logGroupName")).tags }),
  TagLogGroup(input, { store, region }) {
    const g = findLogGroup(store, region, requiredText(input, "logGroupName"));
    g.tags = { ...g.tags, ...tagMap(input.tags, "tags") };
    return {};
  },
  UntagLogGroup(input, { store, region }) {
    const g = findLogGroup(store, region, requiredText(input, "logGroupName"));
    const keys = Array.isArray(input.tags) ? (input.tags as string[]) : [];
    g.tags = withoutTags(g.tags, keys);
    return {};
  },
  ListTagsForResource: (input, { store }) => ({ tags: findLogGroupByArn(store, requiredText(input, "resourceArn")).tags }),
  TagResource(input, { store }) {
    const g = findLogGroupByArn(store, requiredText(input, "resourceArn"));
    g.tags = { ...g.tags, ...tagMap(input.tags, "tags") };
    return {};
  },
  UntagResource(input, { store }) {
    const g = findLogGroupByArn(store, requiredText(input, "resourceArn"));
    const keys = Array.isArray(input.tagKeys) ? (input.tagKeys as string[]) : [];
    g.tags = withoutTags(g.tags, keys);
    return {};
  },
};

const OPERATIONS: Readonly<Record<string, Operation>> = { ...GROUP_OPERATIONS, ...LOG_EVENT_OPERATIONS };

/** What leaves the store's tables as they were: reads, and the streams and events LogEvents keeps itself. */
const keepsState = (operation: string): boolean => /^(Describe|List|Get)/.test(operation) || Object.hasOwn(LOG_EVENT_OPERATIONS, operation);

export const logs: Service = {
  name: "logs",
  handle(call, res) {
    const target = String(call.headers["x-amz-target"] ?? "");
    const operation = target.startsWith("Logs_20140328.") ? target.slice("Logs_20140328.".length) : "";
    const run = Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
    if (run === undefined) {
      throw new ServiceError(400, "UnknownOperationException", `Unknown operation ${JSON.stringify(target)}`);
    }
    const result = run(jsonBody(call.body), call);
    if (!keepsState(operation)) {
      call.store.commit();
    }
    sendJson(res, 200, result, "application/x-amz-json-1.1");
  },
  sendError: (res, error) => sendJson11Error(res, error),
  signatureError: (failure) => {
    const error = jsonSignatureError(failure);
    // CloudWatch Logs answers an unknown key with 400, not 403.
    return error.code === "UnrecognizedClientException" ? new ServiceError(400, error.code, error.message) : error;
  },
};
