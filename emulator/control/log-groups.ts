// CloudWatch Logs' log groups as the local AWS keeps them: the record in the store's
// `logs.groups` table, its key and ARN, and how a request names one (a name, or an ARN).

import { ACCOUNT_ID } from "./service-call";
import { ServiceError } from "./service-error";
import type { Store } from "./store";

export interface LogGroup {
  readonly logGroupName: string;
  readonly region: string;
  readonly creationTime: number;
  retentionInDays?: number;
  tags: Record<string, string>;
  readonly logGroupClass: string;
}

/** The log groups of every Region, by `logGroupKey`. */
export const logGroups = (store: Store) => store.table<LogGroup>("logs.groups");

export const logGroupKey = (region: string, name: string): string => `${region}/${name}`;

export const logGroupArn = (group: LogGroup): string => `arn:aws:logs:${group.region}:${ACCOUNT_ID}:log-group:${group.logGroupName}`;

/** The log group `name` in `region`, or AWS's ResourceNotFoundException. */
export function findLogGroup(store: Store, region: string, name: string): LogGroup {
  const found = logGroups(store).get(logGroupKey(region, name));
  if (found === undefined) {
    throw new ServiceError(400, "ResourceNotFoundException", "The specified log group does not exist.");
  }
  return found;
}

/** The log group an ARN names (`arn:aws:logs:<region>:<account>:log-group:<name>`, with or without `:*`). */
export function findLogGroupByArn(store: Store, arn: string): LogGroup {
  const match = /^arn:aws:logs:([a-z0-9-]+):(\d{12}):log-group:(.+?)(:\*)?$/.exec(arn);
  if (match && match[2] !== ACCOUNT_ID) {
    // One account: another account's log group is not found here.
    throw new ServiceError(400, "ResourceNotFoundException", "The specified log group does not exist.");
  }
  if (!match) {
    throw new ServiceError(400, "InvalidParameterException", `Invalid resourceArn: ${arn}`);
  }
  return findLogGroup(store, match[1], match[3]);
}
