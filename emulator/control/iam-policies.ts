// IAM's managed policies: create, read, version, tag and delete, as terraform's aws_iam_policy
// makes them, with IAM's errors (NoSuchEntity, EntityAlreadyExists, DeleteConflict, LimitExceeded).
// @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html

import type { Operation } from "./iam-roles";
import {
  MAX_POLICY_VERSIONS,
  mergeTags,
  name,
  now,
  type Policy,
  type PolicyVersion,
  path,
  policies,
  policy,
  policyDocument,
  policyXml,
  roles,
  tagOperations,
  versionXml,
} from "./iam-values";
import { ACCOUNT_ID, awsId } from "./service-call";
import { ServiceError } from "./service-error";
import { XmlList } from "./xml";

const policyTags = tagOperations((params, store) => policy(store, params.required("PolicyArn")));

export const POLICY_OPERATIONS: Readonly<Record<string, Operation>> = {
  CreatePolicy(params, store) {
    const policyName = name(params, "PolicyName");
    const policyPath = path(params);
    const arn = `arn:aws:iam::${ACCOUNT_ID}:policy${policyPath}${policyName}`;
    if (policies(store).has(arn)) {
      throw new ServiceError(409, "EntityAlreadyExists", `A policy called ${policyName} already exists. Duplicate names are not allowed.`);
    }
    const created = now();
    const p: Policy = {
      PolicyName: policyName,
      PolicyId: awsId("ANPA"),
      Arn: arn,
      Path: policyPath,
      CreateDate: created,
      UpdateDate: created,
      ...(params.get("Description") !== undefined ? { Description: params.get("Description") } : {}),
      DefaultVersionId: "v1",
      Versions: [{ VersionId: "v1", Document: policyDocument(params, "PolicyDocument"), CreateDate: created }],
      NextVersion: 2,
      Tags: mergeTags([], params.tags()),
    };
    policies(store).set(arn, p);
    return { Policy: policyXml(p) };
  },
  GetPolicy(params, store) {
    const p = policy(store, params.required("PolicyArn"));
    return { Policy: policyXml(p, [...roles(store).values()].filter((r) => r.Attached.includes(p.Arn)).length) };
  },
  GetPolicyVersion(params, store) {
    const p = policy(store, params.required("PolicyArn"));
    const versionId = params.required("VersionId");
    const version = p.Versions.find((v) => v.VersionId === versionId);
    if (version === undefined) {
      throw new ServiceError(404, "NoSuchEntity", `Policy ${p.Arn} version ${versionId} does not exist or is not attachable.`);
    }
    return { PolicyVersion: versionXml(p, version) };
  },
  ListPolicyVersions(params, store) {
    const p = policy(store, params.required("PolicyArn"));
    return { Versions: new XmlList([...p.Versions].reverse().map((v) => versionXml(p, v))), IsTruncated: false };
  },
  CreatePolicyVersion(params, store) {
    const p = policy(store, params.required("PolicyArn"));
    if (p.Versions.length >= MAX_POLICY_VERSIONS) {
      throw new ServiceError(
        409,
        "LimitExceeded",
        `A managed policy can have up to ${MAX_POLICY_VERSIONS} versions. Before you create a new version, you must delete an existing version.`,
      );
    }
    const version: PolicyVersion = {
      VersionId: `v${p.NextVersion}`,
      Document: policyDocument(params, "PolicyDocument"),
      CreateDate: now(),
    };
    p.Versions.push(version);
    p.NextVersion += 1;
    if (params.get("SetAsDefault") === "true") {
      p.DefaultVersionId = version.VersionId;
    }
    p.UpdateDate = version.CreateDate;
    return { PolicyVersion: versionXml(p, version) };
  },
  SetDefaultPolicyVersion(params, store) {
    const p = policy(store, params.required("PolicyArn"));
    const versionId = params.required("VersionId");
    if (!p.Versions.some((v) => v.VersionId === versionId)) {
      throw new ServiceError(404, "NoSuchEntity", `Policy ${p.Arn} version ${versionId} does not exist.`);
    }
    p.DefaultVersionId = versionId;
    return undefined;
  },
  DeletePolicyVersion(params, store) {
    const p = policy(store, params.required("PolicyArn"));
    const versionId = params.required("VersionId");
    if (versionId === p.DefaultVersionId) {
      throw new ServiceError(409, "DeleteConflict", "Cannot delete the default version of a policy.");
    }
    if (!p.Versions.some((v) => v.VersionId === versionId)) {
      throw new ServiceError(404, "NoSuchEntity", `Policy ${p.Arn} version ${versionId} does not exist.`);
    }
    p.Versions = p.Versions.filter((v) => v.VersionId !== versionId);
    return undefined;
  },
  DeletePolicy(params, store) {
    const p = policy(store, params.required("PolicyArn"));
    if (p.Versions.length > 1) {
      throw new ServiceError(
        409,
        "DeleteConflict",
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
      );
    }
    if ([...roles(store).values()].some((r) => r.Attached.includes(p.Arn))) {
      throw new ServiceError(409, "DeleteConflict", "Cannot delete a policy attached to entities.");
    }
    policies(store).delete(p.Arn);
    return undefined;
  },
  TagPolicy: policyTags.tag,
  UntagPolicy: policyTags.untag,
  ListPolicyTags: policyTags.list,
  ListEntitiesForPolicy(params, store) {
    const p = policy(store, params.required("PolicyArn"));
    const attached = [...roles(store).values()].filter((r) => r.Attached.includes(p.Arn));
    return {
      PolicyGroups: new XmlList([]),
      PolicyUsers: new XmlList([]),
      PolicyRoles: new XmlList(attached.map((r) => ({ RoleName: r.RoleName, RoleId: r.RoleId }))),
      IsTruncated: false,
    };
  },
};
