// IAM's values as IAM checks and returns them: names, paths, policy documents (URL-encoded when
// read back), tags, timestamps; the roles and policies tables, and each record's XML.
// @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html

import type { QueryParams } from "./query-protocol";
import { ServiceError } from "./service-error";
import type { Store } from "./store";
import { XmlList, type XmlValue } from "./xml";

/** AWS keeps at most five versions of a managed policy. */
export const MAX_POLICY_VERSIONS = 5;

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export interface Role {
  readonly RoleName: string;
  readonly RoleId: string;
  readonly Arn: string;
  readonly Path: string;
  readonly CreateDate: string;
  AssumeRolePolicyDocument: string;
  Description?: string;
  MaxSessionDuration: number;
  PermissionsBoundary?: string;
  Tags: Tag[];
  /** Inline policies by name. */
  InlinePolicies: Record<string, string>;
  /** ARNs of attached managed policies. */
  Attached: string[];
}

export interface PolicyVersion {
  readonly VersionId: string;
  readonly Document: string;
  readonly CreateDate: string;
}

export interface Policy {
  readonly PolicyName: string;
  readonly PolicyId: string;
  readonly Arn: string;
  readonly Path: string;
  readonly CreateDate: string;
  UpdateDate: string;
  Description?: string;
  DefaultVersionId: string;
  Versions: PolicyVersion[];
  NextVersion: number;
  Tags: Tag[];
}

export const roles = (store: Store) => store.table<Role>("iam.roles");
export const policies = (store: Store) => store.table<Policy>("iam.policies");

/** IAM's timestamps: ISO 8601 in UTC, to the second. */
export function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function name(params: QueryParams, field: string): string {
  const value = params.required(field);
  if (!/^[\w+=,.@-]{1,128}$/.test(value)) {
    throw new ServiceError(
      400,
      "ValidationError",
      `The specified value for ${field.charAt(0).toLowerCase() + field.slice(1)} is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-`,
    );
  }
  return value;
}

export function policyDocument(params: QueryParams, field: string): string {
  const document = params.required(field);
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    throw new ServiceError(400, "MalformedPolicyDocument", "This policy contains invalid Json");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ServiceError(400, "MalformedPolicyDocument", "The policy is not a JSON object");
  }
  return document;
}

export function role(store: Store, roleName: string): Role {
  const found = roles(store).get(roleName);
  if (found === undefined) {
    throw new ServiceError(404, "NoSuchEntity", `The role with name ${roleName} cannot be found.`);
  }
  return found;
}

export function policy(store: Store, arn: string): Policy {
  const found = policies(store).get(arn);
  if (found === undefined) {
    throw new ServiceError(404, "NoSuchEntity", `Policy ${arn} does not exist or is not attachable.`);
  }
  return found;
}

export function path(params: QueryParams): string {
  const value = params.get("Path") ?? "/";
  if (!/^\/([\x21-\x7e]*\/)?$/.test(value)) {
    throw new ServiceError(
      400,
      "ValidationError",
      "The specified value for path is invalid. It must begin and end with / and contain only printable ASCII characters.",
    );
  }
  return value;
}

export function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const byKey = new Map(existing.map((tag) => [tag.Key, tag]));
  for (const tag of added) byKey.set(tag.Key, tag);
  if (byKey.size > 50) {
    throw new ServiceError(409, "LimitExceeded", "The number of tags has reached the maximum limit of 50.");
  }
  return [...byKey.values()];
}

/**
 * TagX, UntagX and ListXTags for the record `find` reads from a request (a role by RoleName, a
 * policy by PolicyArn): IAM's three tag operations, alike for both.
 */
export function tagOperations(find: (params: QueryParams, store: Store) => { Tags: Tag[] }) {
  return {
    tag(params: QueryParams, store: Store): undefined {
      const found = find(params, store);
      found.Tags = mergeTags(found.Tags, params.tags());
      return undefined;
    },
    untag(params: QueryParams, store: Store): undefined {
      const found = find(params, store);
      const keys = new Set(params.list("TagKeys"));
      found.Tags = found.Tags.filter((tag) => !keys.has(tag.Key));
      return undefined;
    },
    list: (params: QueryParams, store: Store) => ({
      Tags: new XmlList(find(params, store).Tags.map((t) => ({ ...t }))),
      IsTruncated: false,
    }),
  };
}

export const tagList = (tags: readonly Tag[]): XmlList | undefined =>
  tags.length === 0 ? undefined : new XmlList(tags.map((t) => ({ Key: t.Key, Value: t.Value })));

export function roleXml(r: Role): { readonly [name: string]: XmlValue } {
  return {
    Path: r.Path,
    RoleName: r.RoleName,
    RoleId: r.RoleId,
    Arn: r.Arn,
    CreateDate: r.CreateDate,
    AssumeRolePolicyDocument: encodeURIComponent(r.AssumeRolePolicyDocument),
    Description: r.Description,
    MaxSessionDuration: r.MaxSessionDuration,
    PermissionsBoundary: r.PermissionsBoundary
      ? { PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: r.PermissionsBoundary }
      : undefined,
    Tags: tagList(r.Tags),
    RoleLastUsed: {},
  };
}

/** A managed policy as IAM returns it; `attachments`: how many roles it is attached to. */
export function policyXml(p: Policy, attachments = 0): { readonly [name: string]: XmlValue } {
  return {
    PolicyName: p.PolicyName,
    PolicyId: p.PolicyId,
    Arn: p.Arn,
    Path: p.Path,
    DefaultVersionId: p.DefaultVersionId,
    AttachmentCount: attachments,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    Description: p.Description,
    CreateDate: p.CreateDate,
    UpdateDate: p.UpdateDate,
    Tags: tagList(p.Tags),
  };
}

export function versionXml(p: Policy, v: PolicyVersion): { readonly [name: string]: XmlValue } {
  return {
    Document: encodeURIComponent(v.Document),
    VersionId: v.VersionId,
    IsDefaultVersion: v.VersionId === p.DefaultVersionId,
    CreateDate: v.CreateDate,
  };
}
