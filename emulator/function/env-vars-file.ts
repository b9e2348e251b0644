// `--env-vars FILE`: local values for the function's environment, in AWS SAM's JSON shape
// (`sam local start-api --env-vars`): `Parameters` applies to every function, a key equal to the
// function's name to that function alone. Values overlay the stack's environment; a reserved key
// is refused, as Lambda refuses it.
// @see https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-using-invoke.html#serverless-sam-cli-using-invoke-environment-file

import * as fs from "node:fs";
import { UsageError } from "../../support/usage-error";
import { ReservedVariableError, refuseReservedKeys } from "../environment/function-variables";

/** SAM's shape, as each error shows it. */
const SHAPE = '{"Parameters": {"NAME": "value"}, "<function name>": {"NAME": "value"}}';

/** The variables `file` gives the function named `functionName`: `Parameters`, then its own key. */
export function readEnvVarsFile(file: string, functionName: string): Record<string, string> {
  const sections = readSections(file);
  const variables = { ...sections.get("Parameters"), ...sections.get(functionName) };
  try {
    refuseReservedKeys(variables, `--env-vars ${file}`);
  } catch (error) {
    throw error instanceof ReservedVariableError ? new UsageError(error.message) : error;
  }
  return variables;
}

/**
 * npm start's line about `file`: the names it sets for the function named `functionName` (values
 * are not shown: they may be secrets), or a warning when it gives it nothing, no `Parameters` and
 * no entry of its name (SAM applies neither, silently).
 */
export function describeEnvVarsFile(file: string, functionName: string): string {
  const sections = readSections(file);
  if (sections.has("Parameters") || sections.has(functionName)) {
    const names = Object.keys(readEnvVarsFile(file, functionName)).sort();
    return `--env-vars ${file}: ${names.length === 0 ? "no variables" : names.join(", ")} for ${functionName}, over the stack's`;
  }
  const others = [...sections.keys()].map((key) => JSON.stringify(key)).join(", ");
  return (
    `--env-vars ${file}: no "Parameters" and no entry named "${functionName}" (the function served), so none of its values apply` +
    `${others ? ` (its entries: ${others})` : ""}; name an entry "${functionName}", or put values for every function under "Parameters"`
  );
}

/** Every section of the file, each NAME: value with values as strings; anything else is one UsageError line. */
function readSections(file: string): Map<string, Record<string, string>> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(
      `--env-vars ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); pass a JSON file such as env.json`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--env-vars ${file}: not valid JSON (${(error as Error).message}); expected AWS SAM's shape ${SHAPE}`);
  }
  if (!isObject(json)) {
    throw new UsageError(`--env-vars ${file}: expected a JSON object such as {"Parameters": {"NAME": "value"}}, got ${describe(json)}`);
  }
  // A Map: a function named `__proto__` or `constructor` is a section like any other.
  return new Map(Object.entries(json).map(([key, value]) => [key, section(key, value, file)]));
}

/** One section's variables as strings; numbers and booleans are written out, as SAM does. */
function section(key: string, value: unknown, file: string): Record<string, string> {
  if (!isObject(value)) {
    // package.json and other JSON files are not SAM's shape: their first non-object value says so.
    throw new UsageError(
      `--env-vars ${file}: "${key}" must be an object of NAME: value, got ${describe(value)}; expected AWS SAM's shape ${SHAPE}`,
    );
  }
  // Null-prototype: a variable named `__proto__` is kept, not taken for the object's prototype.
  const variables: Record<string, string> = Object.create(null);
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
      throw new UsageError(`--env-vars ${file}: "${key}.${name}" must be a string, number or boolean, got ${describe(v)}`);
    }
    variables[name] = String(v);
  }
  return variables;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  const kind = Array.isArray(value) ? "array" : typeof value;
  return `${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind}`;
}
