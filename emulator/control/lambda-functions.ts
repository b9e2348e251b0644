// Lambda's functions as the control plane keeps them: CreateFunction, GetFunction(Configuration),
// UpdateFunctionCode and UpdateFunctionConfiguration, DeleteFunction, concurrency and tags, each
// read back with the defaults AWS fills in (PackageType, Architectures, TracingConfig,
// EphemeralStorage, LoggingConfig, SnapStart, State Active, LastUpdateStatus Successful, a new
// RevisionId per change), so a second terraform plan finds nothing to change.
// @see https://docs.aws.amazon.com/lambda/latest/api/API_FunctionConfiguration.html

import { randomUUID } from "node:crypto";
import { zipFrom } from "./function-code";
import { ACCOUNT_ID } from "./service-call";
import { ServiceError } from "./service-error";
import type { Store } from "./store";

/** What is kept of a function: its configuration as AWS returns it, and where its code is. */
export interface StoredFunction {
  readonly region: string;
  configuration: Record<string, unknown>;
  tags: Record<string, string>;
  /** Hex SHA-256 of the zip in the store. */
  codeSha: string;
  reservedConcurrency?: number;
}

export const functions = (store: Store) => store.table<StoredFunction>("lambda.functions");
export const functionKey = (region: string, name: string): string => `${region}/${name}`;

/** Lambda's timestamps: `2024-01-02T03:04:05.678+0000`. */
function lastModified(): string {
  return new Date().toISOString().replace("Z", "+0000");
}

/** The function a FunctionName names (a name, an ARN, or a partial ARN; `$LATEST` only), or ResourceNotFoundException. */
export function findFunction(store: Store, region: string, functionName: string): StoredFunction {
  const match = /^(?:arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:|(\d{12}):function:)?([\w-]+)(?::\$LATEST)?$/.exec(
    decodePathPart(functionName),
  );
  const arnRegion = match?.[1];
  if (arnRegion !== undefined && arnRegion !== region) {
    throw notReachable(arnRegion, region);
  }
  const account = match?.[2] ?? match?.[3] ?? ACCOUNT_ID;
  const name = match?.[4];
  // One account: another account's function is not found here.
  const found = name === undefined || account !== ACCOUNT_ID ? undefined : functions(store).get(functionKey(region, name));
  if (found === undefined) {
    throw new ServiceError(
      404,
      "ResourceNotFoundException",
      `Function not found: arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${name ?? functionName}`,
    );
  }
  return found;
}

/**
 * What Lambda answers for an ARN of another Region than the one signed for (as aws/aws-cli#3954
 * quotes it): functions are regional.
 */
export function notReachable(arnRegion: string, region: string): ServiceError {
  return new ServiceError(404, "ResourceNotFoundException", `Functions from '${arnRegion}' are not reachable in this region ('${region}')`);
}

/** PreconditionFailedException, for a RevisionId that is not the latest. */
export function revisionMismatch(what: "GetFunction" | "GetPolicy"): ServiceError {
  return new ServiceError(
    412,
    "PreconditionFailedException",
    `The Revision Id provided does not match the latest Revision Id. Call the ${what}/GetAlias API to retrieve the latest Revision Id`,
  );
}

export function invalidValue(message: string): ServiceError {
  return new ServiceError(400, "InvalidParameterValueException", message);
}

/** `value` as a JSON object, or InvalidParameterValueException naming `field`. */
function plainObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalidValue(`${field} must be an object.`);
  return value as Record<string, unknown>;
}

/** `value` as a map of strings (environment variables, tags), or InvalidParameterValueException naming `field`. */
export function stringMap(value: unknown, field: string): Record<string, string> {
  const map = plainObject(value, field);
  if (Object.values(map).some((v) => typeof v !== "string")) throw invalidValue(`${field} must map names to strings.`);
  return { ...(map as Record<string, string>) };
}

/** A FunctionName or ARN from a path, decoded; an escape that is not one is a name that does not exist. */
export function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new ServiceError(404, "ResourceNotFoundException", `The resource you requested does not exist: ${part}`);
  }
}

/** Architectures as AWS takes them: one of x86_64 or arm64. */
function architecturesOf(value: unknown): string[] {
  if (!Array.isArray(value) || value.length !== 1 || !["x86_64", "arm64"].includes(value[0])) {
    throw invalidValue(`Architectures must be ["x86_64"] or ["arm64"] (got ${JSON.stringify(value)})`);
  }
  return value as string[];
}

/** The settings CreateFunction and UpdateFunctionConfiguration share, checked as AWS checks them. */
function settings(input: Record<string, unknown>, store: Store, name: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (input.Role !== undefined) {
    const role = String(input.Role);
    const roles = store.table<{ Arn: string }>("iam.roles");
    if (![...roles.values()].some((r) => r.Arn === role)) {
      throw invalidValue("The role defined for the function cannot be assumed by Lambda.");
    }
    out.Role = role;
  }
  if (input.Timeout !== undefined) {
    if (!Number.isInteger(input.Timeout) || (input.Timeout as number) < 1 || (input.Timeout as number) > 900) {
      throw invalidValue(
        `1 validation error detected: Value '${String(input.Timeout)}' at 'timeout' failed to satisfy constraint: Member must have value between 1 and 900`,
      );
    }
    out.Timeout = input.Timeout;
  }
  if (input.MemorySize !== undefined) {
    if (!Number.isInteger(input.MemorySize) || (input.MemorySize as number) < 128 || (input.MemorySize as number) > 10_240) {
      throw invalidValue(
        `1 validation error detected: Value '${String(input.MemorySize)}' at 'memorySize' failed to satisfy constraint: Member must have value between 128 and 10240`,
      );
    }
    out.MemorySize = input.MemorySize;
  }
  for (const field of ["Runtime", "Handler", "Description"] as const) {
    if (input[field] !== undefined) out[field] = String(input[field]);
  }
  if (input.Environment !== undefined) {
    out.Environment = { Variables: stringMap(plainObject(input.Environment, "Environment").Variables ?? {}, "Environment.Variables") };
  }
  if (input.TracingConfig !== undefined)
    out.TracingConfig = { Mode: plainObject(input.TracingConfig, "TracingConfig").Mode ?? "PassThrough" };
  if (input.EphemeralStorage !== undefined)
    out.EphemeralStorage = { Size: plainObject(input.EphemeralStorage, "EphemeralStorage").Size ?? 512 };
  if (input.LoggingConfig !== undefined) {
    // What AWS fills in for what the request leaves out; JSON logs get their levels.
    const given = plainObject(input.LoggingConfig, "LoggingConfig");
    const json = given.LogFormat === "JSON" ? { ApplicationLogLevel: "INFO", SystemLogLevel: "INFO" } : {};
    out.LoggingConfig = { LogFormat: "Text", LogGroup: `/aws/lambda/${name}`, ...json, ...given };
  }
  if (input.Layers !== undefined) {
    if (!Array.isArray(input.Layers) || input.Layers.some((arn) => typeof arn !== "string"))
      throw invalidValue("Layers must be a list of layer version ARNs.");
    out.Layers = (input.Layers as string[]).map((Arn) => ({ Arn, CodeSize: 0 }));
  }
  return out;
}

/** A stored configuration's defaults for what the request left unsaid. */
function withDefaults(name: string, region: string, given: Record<string, unknown>): Record<string, unknown> {
  return {
    FunctionName: name,
    FunctionArn: `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${name}`,
    Description: "",
    Timeout: 3,
    MemorySize: 128,
    Version: "$LATEST",
    TracingConfig: { Mode: "PassThrough" },
    PackageType: "Zip",
    Architectures: ["x86_64"],
    EphemeralStorage: { Size: 512 },
    SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" },
    LoggingConfig: { LogFormat: "Text", LogGroup: `/aws/lambda/${name}` },
    ...given,
  };
}

function codeFields(zip: Buffer, sha: string): Record<string, unknown> {
  return { CodeSize: zip.length, CodeSha256: Buffer.from(sha, "hex").toString("base64") };
}

/** The configuration as AWS returns it: settled (Active, Successful), with this change's RevisionId. */
function settled(configuration: Record<string, unknown>): Record<string, unknown> {
  return { ...configuration, State: "Active", LastUpdateStatus: "Successful", LastModified: lastModified(), RevisionId: randomUUID() };
}

export async function createFunction(input: Record<string, unknown>, store: Store, region: string): Promise<Record<string, unknown>> {
  const name = typeof input.FunctionName === "string" ? input.FunctionName : "";
  if (!/^[\w-]{1,64}$/.test(name)) {
    throw invalidValue(
      `1 validation error detected: Value '${name}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+`,
    );
  }
  if ((input.PackageType ?? "Zip") !== "Zip") {
    throw invalidValue("Container images (PackageType Image) are not supported by the local AWS: use a zip.");
  }
  for (const field of ["Role", "Runtime", "Handler"]) {
    if (input[field] === undefined) throw invalidValue(`The ${field} parameter is required for a function of PackageType Zip.`);
  }
  const architectures = architecturesOf(input.Architectures ?? ["x86_64"]);
  const given = settings(input, store, name);
  const tags = input.Tags === undefined ? {} : stringMap(input.Tags, "Tags");
  if (functions(store).has(functionKey(region, name))) {
    throw new ServiceError(409, "ResourceConflictException", `Function already exist: ${name}`);
  }
  const zip = await zipFrom(plainObject(input.Code ?? {}, "Code"), "CreateFunction");
  // Checked again after the zip was read: another request may have taken the name meanwhile.
  if (functions(store).has(functionKey(region, name))) {
    throw new ServiceError(409, "ResourceConflictException", `Function already exist: ${name}`);
  }
  const sha = store.putCode(zip);
  const stored: StoredFunction = {
    region,
    configuration: settled(withDefaults(name, region, { ...given, Architectures: architectures, ...codeFields(zip, sha) })),
    tags,
    codeSha: sha,
  };
  functions(store).set(functionKey(region, name), stored);
  store.commit();
  return stored.configuration;
}

export async function updateFunctionCode(
  found: StoredFunction,
  input: Record<string, unknown>,
  store: Store,
): Promise<Record<string, unknown>> {
  // Everything is checked before anything changes.
  if (typeof input.RevisionId === "string" && input.RevisionId !== found.configuration.RevisionId) {
    throw revisionMismatch("GetFunction");
  }
  const architectures = input.Architectures === undefined ? undefined : architecturesOf(input.Architectures);
  const zip = await zipFrom(input, "UpdateFunctionCode");
  // Looked up again after the zip was read: a delete meanwhile wins.
  const fn = findFunction(store, found.region, String(found.configuration.FunctionName));
  const sha = store.putCode(zip);
  const previous = fn.codeSha;
  fn.codeSha = sha;
  fn.configuration = settled({ ...fn.configuration, ...(architectures ? { Architectures: architectures } : {}), ...codeFields(zip, sha) });
  store.commit();
  // The code it replaced goes, once no function holds those bytes.
  if (previous !== sha && ![...functions(store).values()].some((other) => other.codeSha === previous)) store.dropCode(previous);
  return fn.configuration;
}

export function updateFunctionConfiguration(fn: StoredFunction, input: Record<string, unknown>, store: Store): Record<string, unknown> {
  if (typeof input.RevisionId === "string" && input.RevisionId !== fn.configuration.RevisionId) {
    throw revisionMismatch("GetFunction");
  }
  fn.configuration = settled({ ...fn.configuration, ...settings(input, store, String(fn.configuration.FunctionName)) });
  store.commit();
  return fn.configuration;
}

/** GetFunction's answer: the configuration, where the code is, the tags and the reserved concurrency. */
export function getFunction(fn: StoredFunction, store: Store): Record<string, unknown> {
  return {
    Configuration: fn.configuration,
    Code: { RepositoryType: "S3", Location: `file://${store.codePath(fn.codeSha)}` },
    Tags: fn.tags,
    ...(fn.reservedConcurrency !== undefined ? { Concurrency: { ReservedConcurrentExecutions: fn.reservedConcurrency } } : {}),
  };
}
