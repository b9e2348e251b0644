// The environment a function's runtime process gets: the variables Lambda sets, the function's
// own, and nothing of the developer's shell. Reserved keys are refused, as Lambda refuses them.
// @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime

import { randomBytes } from "node:crypto";
import * as os from "node:os";
import { LOCAL_ACCOUNT_ID } from "../common/constants";

/** Keys Lambda sets itself and refuses in a function's configuration ("reserved"). */
export const RESERVED_ENVIRONMENT_KEYS: readonly string[] = [
  "_HANDLER",
  "_X_AMZN_TRACE_ID",
  "AWS_DEFAULT_REGION",
  "AWS_REGION",
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_ACCESS_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API",
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
];

/** A function's environment names a key Lambda reserves. */
export class ReservedVariableError extends Error {
  constructor(
    readonly key: string,
    source: string,
  ) {
    super(
      `${source} sets ${key}, which Lambda reserves for itself and refuses at deploy time ` +
        `(reserved: ${RESERVED_ENVIRONMENT_KEYS.join(", ")}). Remove it or rename it.`,
    );
    this.name = "ReservedVariableError";
  }
}

/**
 * Throws ReservedVariableError for the first reserved key in `variables`; `source` says where
 * they came from ("the stack's aws_lambda_function", "--env-vars env.json").
 */
export function refuseReservedKeys(variables: Readonly<Record<string, string>>, source: string): void {
  const reserved = Object.keys(variables).find((key) => RESERVED_ENVIRONMENT_KEYS.includes(key));
  if (reserved !== undefined) {
    throw new ReservedVariableError(reserved, source);
  }
}

/** What the environment is built from. */
export interface FunctionEnvironmentSource {
  readonly functionName: string;
  readonly region: string;
  readonly runtime: string;
  readonly memoryMb: number;
  readonly handler: string;
  readonly bundleDir: string;
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * The runtime process's whole environment. Only PATH comes from the developer's shell (the
 * runtime client's child processes need one); HOME does not, as in Lambda. The AWS SDK inside
 * the function must not find the developer's keys: shared files point at the null device, the
 * instance metadata endpoint is off, and no AWS variable of the shell is passed on.
 */
export function lambdaEnvironment(
  fn: FunctionEnvironmentSource,
  runtimeApi: string,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const today = new Date().toISOString().slice(0, 10).replace(/-/g, "/");
  return {
    // Lambda lets a function override these (they are not reserved).
    PATH: base.PATH,
    LANG: "en_US.UTF-8",
    TZ: ":UTC",
    ...fn.environment,
    AWS_REGION: fn.region,
    AWS_DEFAULT_REGION: fn.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${today}/[$LATEST]${randomBytes(16).toString("hex")}`,
    AWS_LAMBDA_RUNTIME_API: runtimeApi,
    LAMBDA_TASK_ROOT: fn.bundleDir,
    _HANDLER: fn.handler,
    // Local only: no credentials from ~/.aws or from the machine's role reach the function.
    AWS_SHARED_CREDENTIALS_FILE: os.devNull,
    AWS_CONFIG_FILE: os.devNull,
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

/** The function's ARN as Lambda passes it to the runtime. */
export function functionArn(fn: { readonly region: string; readonly functionName: string }): string {
  return `arn:aws:lambda:${fn.region}:${LOCAL_ACCOUNT_ID}:function:${fn.functionName}`;
}
