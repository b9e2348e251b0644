// Who may reach a function: its Function URL configuration (auth type, invoke mode, CORS) and its
// resource-based policy (AddPermission's statements), kept beside the function and gone with it.
// @see https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunctionUrlConfig.html
// @see https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html

import { randomUUID } from "node:crypto";
import { functionKey, functions, invalidValue, revisionMismatch, type StoredFunction } from "./lambda-functions";
import type { ServiceCall } from "./service-call";
import { ServiceError } from "./service-error";
import type { Store } from "./store";

/** A Function URL's configuration, as GetFunctionUrlConfig returns it. */
export interface UrlConfig {
  FunctionUrl: string;
  FunctionArn: string;
  AuthType: string;
  InvokeMode: string;
  Cors?: Record<string, unknown>;
  CreationTime: string;
  LastModifiedTime: string;
}

/** A function's resource-based policy: AddPermission's statements. */
export interface FunctionPolicy {
  statements: Record<string, unknown>[];
  revisionId: string;
}

/** The URL configurations and the policies, by function ARN. */
export const urls = (store: Store) => store.table<UrlConfig>("lambda.urls");
export const policies = (store: Store) => store.table<FunctionPolicy>("lambda.policies");

function key(fn: StoredFunction): string {
  return String(fn.configuration.FunctionArn);
}

function urlSettings(input: Record<string, unknown>, previous?: UrlConfig): Pick<UrlConfig, "AuthType" | "InvokeMode" | "Cors"> {
  const authType = input.AuthType ?? previous?.AuthType;
  if (authType !== "AWS_IAM" && authType !== "NONE") {
    throw invalidValue(
      `1 validation error detected: Value '${String(authType)}' at 'authType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM]`,
    );
  }
  const invokeMode = input.InvokeMode ?? previous?.InvokeMode ?? "BUFFERED";
  if (invokeMode !== "BUFFERED" && invokeMode !== "RESPONSE_STREAM") {
    throw invalidValue(
      `1 validation error detected: Value '${String(invokeMode)}' at 'invokeMode' failed to satisfy constraint: Member must satisfy enum value set: [BUFFERED, RESPONSE_STREAM]`,
    );
  }
  const cors = input.Cors !== undefined ? (input.Cors as Record<string, unknown>) : previous?.Cors;
  return { AuthType: authType, InvokeMode: invokeMode, ...(cors !== undefined ? { Cors: cors } : {}) };
}

function now(): string {
  return new Date().toISOString();
}

function urlConfig(fn: StoredFunction, store: Store): UrlConfig {
  const found = urls(store).get(key(fn));
  if (found === undefined) {
    throw new ServiceError(404, "ResourceNotFoundException", "The resource you requested does not exist.");
  }
  return found;
}

export async function createUrlConfig(fn: StoredFunction, input: Record<string, unknown>, call: ServiceCall): Promise<UrlConfig> {
  const { store } = call;
  const exists = (): ServiceError =>
    new ServiceError(
      409,
      "ResourceConflictException",
      `Failed to create function url config for [functionArn = ${key(fn)}]. Error message:  FunctionUrlConfig exists for this Lambda function`,
    );
  if (urls(store).has(key(fn))) {
    throw exists();
  }
  const settings = urlSettings(input);
  // The URL answers at an address of its own, opened now and kept in the configuration.
  const opened = await call.hosting.openFunctionUrl(key(fn));
  // Checked again once the address is open: another request may have created the URL meanwhile.
  if (urls(store).has(key(fn)) || !functions(store).has(functionKey(fn.region, String(fn.configuration.FunctionName)))) {
    await opened.release();
    throw urls(store).has(key(fn)) ? exists() : new ServiceError(404, "ResourceNotFoundException", `Function not found: ${key(fn)}`);
  }
  const created = now();
  const config: UrlConfig = {
    FunctionUrl: opened.address,
    FunctionArn: key(fn),
    ...settings,
    CreationTime: created,
    LastModifiedTime: created,
  };
  urls(store).set(key(fn), config);
  try {
    store.commit();
  } catch (error) {
    // Not kept: not answered either.
    urls(store).delete(key(fn));
    await opened.release();
    throw error;
  }
  return config;
}

export const getUrlConfig = urlConfig;

export function updateUrlConfig(fn: StoredFunction, input: Record<string, unknown>, store: Store): UrlConfig {
  const config = urlConfig(fn, store);
  Object.assign(config, urlSettings(input, config), { LastModifiedTime: now() });
  store.commit();
  return config;
}

export function deleteUrlConfig(fn: StoredFunction, store: Store): void {
  urlConfig(fn, store);
  urls(store).delete(key(fn));
  store.commit();
}

/** `Principal` as AWS keeps it in a statement: `*`, a service, or an account as its root ARN. */
function principal(value: string): unknown {
  if (value === "*") return "*";
  if (/^\d{12}$/.test(value)) return { AWS: `arn:aws:iam::${value}:root` };
  if (value.startsWith("arn:")) return { AWS: value };
  return { Service: value };
}

export function addPermission(fn: StoredFunction, input: Record<string, unknown>, store: Store): { Statement: string } {
  const sid = typeof input.StatementId === "string" ? input.StatementId : "";
  if (!/^[\w-]{1,100}$/.test(sid)) {
    throw invalidValue(
      `1 validation error detected: Value '${sid}' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)`,
    );
  }
  for (const field of ["Action", "Principal"]) {
    if (typeof input[field] !== "string" || input[field] === "") throw invalidValue(`${field} is required.`);
  }
  const policy = policies(store).get(key(fn)) ?? { statements: [], revisionId: randomUUID() };
  if (typeof input.RevisionId === "string" && input.RevisionId !== policy.revisionId) {
    throw revisionMismatch("GetPolicy");
  }
  if (policy.statements.some((s) => s.Sid === sid)) {
    throw new ServiceError(
      409,
      "ResourceConflictException",
      `The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
    );
  }
  const condition: Record<string, Record<string, string>> = {};
  const add = (operator: string, name: string, value: unknown): void => {
    if (typeof value === "string" && value !== "") condition[operator] = { ...condition[operator], [name]: value };
  };
  add("StringEquals", "AWS:SourceAccount", input.SourceAccount);
  add("StringEquals", "aws:PrincipalOrgID", input.PrincipalOrgID);
  add("StringEquals", "lambda:FunctionUrlAuthType", input.FunctionUrlAuthType);
  add("StringEquals", "lambda:EventSourceToken", input.EventSourceToken);
  add("ArnLike", "AWS:SourceArn", input.SourceArn);
  if (input.InvokedViaFunctionUrl === true) add("Bool", "lambda:InvokedViaFunctionUrl", "true");
  const action = String(input.Action);
  const statement = {
    Sid: sid,
    Effect: "Allow",
    Principal: principal(String(input.Principal)),
    Action: action.includes(":") ? action : `lambda:${action}`,
    Resource: key(fn),
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
  policy.statements.push(statement);
  policy.revisionId = randomUUID();
  policies(store).set(key(fn), policy);
  store.commit();
  return { Statement: JSON.stringify(statement) };
}

export function getPolicy(fn: StoredFunction, store: Store): { Policy: string; RevisionId: string } {
  const policy = policies(store).get(key(fn));
  if (policy === undefined || policy.statements.length === 0) {
    throw new ServiceError(404, "ResourceNotFoundException", "The resource you requested does not exist.");
  }
  return { Policy: JSON.stringify({ Version: "2012-10-17", Id: "default", Statement: policy.statements }), RevisionId: policy.revisionId };
}

export function removePermission(fn: StoredFunction, sid: string, revisionId: string | null, store: Store): void {
  const policy = policies(store).get(key(fn));
  if (policy === undefined || !policy.statements.some((s) => s.Sid === sid)) {
    throw new ServiceError(404, "ResourceNotFoundException", `Statement ${sid} is not found in resource policy.`);
  }
  if (revisionId !== null && revisionId !== policy.revisionId) {
    throw revisionMismatch("GetPolicy");
  }
  policy.statements = policy.statements.filter((s) => s.Sid !== sid);
  policy.revisionId = randomUUID();
  store.commit();
}

/** What goes with a deleted function: its URL and its policy. */
export function forgetAccess(fn: StoredFunction, store: Store): void {
  urls(store).delete(key(fn));
  policies(store).delete(key(fn));
}
