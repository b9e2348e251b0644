// Names derived from the function's name, kept within what AWS accepts. A function name may be
// 64 characters long, but `<name>-role` would then be 69, over IAM's limit for role names; such a
// name is shortened with a stable hash of the whole function name, so it stays the same on every
// synth and differs between functions that share a long prefix. Names that fit are unchanged.

import { createHash } from "node:crypto";

/** @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (RoleName: 1 to 64) */
export const ROLE_NAME_MAX = 64;

/** @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html (PolicyName: 1 to 128) */
export const POLICY_NAME_MAX = 128;

const HASH_LENGTH = 8;

/**
 * `${base}${suffix}` if it is at most `max` characters; otherwise the start of `base`, `-`, the
 * first 8 hex digits of SHA-256(base), and `suffix`, exactly `max` characters long.
 */
export function boundedName(base: string, suffix: string, max: number): string {
  const name = `${base}${suffix}`;
  if (name.length <= max) {
    return name;
  }
  const hash = createHash("sha256").update(base).digest("hex").slice(0, HASH_LENGTH);
  return `${base.slice(0, max - suffix.length - HASH_LENGTH - 1)}-${hash}${suffix}`;
}

/** The execution role's name: `<function>-role`, shortened when that is over 64 characters. */
export function roleName(functionName: string): string {
  return boundedName(functionName, "-role", ROLE_NAME_MAX);
}

/** The invoker policy's name: `<function>-invoke-url` (at most 75 characters, within 128). */
export function invokerPolicyName(functionName: string): string {
  return boundedName(functionName, "-invoke-url", POLICY_NAME_MAX);
}

/** @see https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginAccessControlConfig.html (Name: up to 64) */
export const ORIGIN_ACCESS_CONTROL_NAME_MAX = 64;

/** The origin access control's name: `<function>-oac`, shortened when that is over 64 characters. */
export function originAccessControlName(functionName: string): string {
  return boundedName(functionName, "-oac", ORIGIN_ACCESS_CONTROL_NAME_MAX);
}
