// Synthesizes the stack for a given environment, the way `cdktf synth` would.

import { Testing } from "cdktf";
import { readConfig } from "../../lib/config";
import { LambdaStreamingStack } from "../../lib/lambda-streaming-stack";

/** The stack built from `env` (as if it were process.env). */
export function stackFor(env: Record<string, string> = {}): LambdaStreamingStack {
  return new LambdaStreamingStack(Testing.app(), readConfig(env));
}

/** The synthesized Terraform JSON, as a string for the matchers. */
export function synthFor(env: Record<string, string> = {}): string {
  return Testing.synth(stackFor(env));
}

/** The synthesized Terraform JSON, parsed. */
export function synthJson(env: Record<string, string> = {}): TerraformJson {
  return JSON.parse(synthFor(env)) as TerraformJson;
}

export interface TerraformJson {
  terraform: { backend: Record<string, Record<string, unknown>>; required_providers: Record<string, { source: string; version: string }> };
  provider: Record<string, Record<string, unknown>[]>;
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data: Record<string, Record<string, Record<string, unknown>>>;
  output: Record<string, { value: string }>;
}

/** The only resource of `type` in the JSON; fails if there is not exactly one. */
export function onlyResource(json: TerraformJson, type: string): Record<string, unknown> {
  const all = Object.values(json.resource[type] ?? {});
  if (all.length !== 1) {
    throw new Error(`expected exactly one ${type}, found ${all.length}`);
  }
  return all[0];
}

/**
 * The document a synthesized policy argument holds: JSON text (JSON.stringify), or
 * `${jsonencode({...})}` as cdktf writes Fn.jsonencode, whose object syntax is HCL's (`"key" =
 * value`, a bare reference for a value that is only a reference); read back as JSON, a bare
 * reference as its `${…}` string. Anything else fails the test that reads it.
 */
export function policyDocument(value: unknown): { Version: string; Statement: Record<string, unknown>[] } {
  const text = String(value);
  const encoded = /^\$\{jsonencode\((\{[\s\S]*\})\)\}$/.exec(text);
  if (!encoded) {
    return JSON.parse(text);
  }
  return JSON.parse(encoded[1].replace(/" = ([A-Za-z_][\w-]*(?:\.[\w-]+)+)/g, '": "$${$1}"').replace(/" = /g, '": '));
}
