// IAM's roles: create, read, update, tag and delete a role, its inline policies, and the managed
// policies attached to it, with IAM's errors (NoSuchEntity, EntityAlreadyExists, DeleteConflict).
// @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html

import { mergeTags, name, now, path, policy, policyDocument, type Role, role, roles, roleXml, tagOperations } from "./iam-values";
import type { QueryParams } from "./query-protocol";
import { ACCOUNT_ID, awsId } from "./service-call";
import { ServiceError } from "./service-error";
import type { Store } from "./store";
import { XmlList, type XmlValue } from "./xml";

export type Operation = (params: QueryParams, store: Store) => { readonly [name: string]: XmlValue } | undefined;

const roleTags = tagOperations((params, store) => role(store, params.required("RoleName")));

export const ROLE_OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateRole(params, store) {
    const roleName = name(params, "RoleName");
    if (roles(store).has(roleName)) {
      throw new ServiceError(409, "EntityAlreadyExists", `Role with name ${roleName} already exists.`);
    }
    const rolePath = path(params);
    const created: Role = {
      RoleName: roleName,
      RoleId: awsId("AROA"),
      Arn: `arn:aws:iam::${ACCOUNT_ID}:role${rolePath}${roleName}`,
      Path: rolePath,
      CreateDate: now(),
      AssumeRolePolicyDocument: policyDocument(params, "AssumeRolePolicyDocument"),
      ...(params.get("Description") !== undefined ? { Description: params.get("Description") } : {}),
      MaxSessionDuration: params.integer("MaxSessionDuration") ?? 3600,
      ...(params.get("PermissionsBoundary") ? { PermissionsBoundary: params.get("PermissionsBoundary") } : {}),
      Tags: mergeTags([], params.tags()),
      InlinePolicies: {},
      Attached: [],
    };
    roles(store).set(roleName, created);
    return { Role: roleXml(created) };
  },
  GetRole: (params, store) => ({ Role: roleXml(role(store, params.required("RoleName"))) }),
  UpdateRole(params, store) {
    const r = role(store, params.required("RoleName"));
    // Checked before anything changes.
    const description = params.get("Description");
    const maxSessionDuration = params.integer("MaxSessionDuration") ?? r.MaxSessionDuration;
    if (description !== undefined) r.Description = description;
    r.MaxSessionDuration = maxSessionDuration;
    return {};
  },
  UpdateRoleDescription(params, store) {
    const r = role(store, params.required("RoleName"));
    r.Description = params.required("Description");
    return { Role: roleXml(r) };
  },
  UpdateAssumeRolePolicy(params, store) {
    role(store, params.required("RoleName")).AssumeRolePolicyDocument = policyDocument(params, "PolicyDocument");
    return undefined;
  },
  DeleteRole(params, store) {
    const r = role(store, params.required("RoleName"));
    if (Object.keys(r.InlinePolicies).length > 0 || r.Attached.length > 0) {
      throw new ServiceError(409, "DeleteConflict", "Cannot delete entity, must delete policies first.");
    }
    roles(store).delete(r.RoleName);
    return undefined;
  },
  TagRole: roleTags.tag,
  UntagRole: roleTags.untag,
  ListRoleTags: roleTags.list,
  PutRolePolicy(params, store) {
    const r = role(store, params.required("RoleName"));
    r.InlinePolicies = { ...r.InlinePolicies, [name(params, "PolicyName")]: policyDocument(params, "PolicyDocument") };
    return undefined;
  },
  GetRolePolicy(params, store) {
    const r = role(store, params.required("RoleName"));
    const policyName = params.required("PolicyName");
    const document = Object.hasOwn(r.InlinePolicies, policyName) ? r.InlinePolicies[policyName] : undefined;
    if (document === undefined) {
      throw new ServiceError(404, "NoSuchEntity", `The role policy with name ${policyName} cannot be found.`);
    }
    return { RoleName: r.RoleName, PolicyName: policyName, PolicyDocument: encodeURIComponent(document) };
  },
  DeleteRolePolicy(params, store) {
    const r = role(store, params.required("RoleName"));
    const policyName = params.required("PolicyName");
    if (!Object.hasOwn(r.InlinePolicies, policyName)) {
      throw new ServiceError(404, "NoSuchEntity", `The role policy with name ${policyName} cannot be found.`);
    }
    const { [policyName]: _gone, ...rest } = r.InlinePolicies;
    r.InlinePolicies = rest;
    return undefined;
  },
  ListRolePolicies: (params, store) => ({
    PolicyNames: new XmlList(Object.keys(role(store, params.required("RoleName")).InlinePolicies)),
    IsTruncated: false,
  }),
  AttachRolePolicy(params, store) {
    const r = role(store, params.required("RoleName"));
    const arn = params.required("PolicyArn");
    if (!arn.startsWith("arn:aws:iam::aws:policy/")) policy(store, arn);
    if (!r.Attached.includes(arn)) r.Attached.push(arn);
    return undefined;
  },
  DetachRolePolicy(params, store) {
    const r = role(store, params.required("RoleName"));
    const arn = params.required("PolicyArn");
    if (!r.Attached.includes(arn)) {
      throw new ServiceError(404, "NoSuchEntity", `Policy ${arn} was not found.`);
    }
    r.Attached = r.Attached.filter((a) => a !== arn);
    return undefined;
  },
  ListAttachedRolePolicies: (params, store) => ({
    AttachedPolicies: new XmlList(
      role(store, params.required("RoleName")).Attached.map((arn) => ({ PolicyName: arn.split("/").pop(), PolicyArn: arn })),
    ),
    IsTruncated: false,
  }),
  ListInstanceProfilesForRole(params, store) {
    role(store, params.required("RoleName"));
    return { InstanceProfiles: new XmlList([]), IsTruncated: false };
  },
};
