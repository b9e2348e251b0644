// Reads the function and its Function URL from a synthesized stack folder (cdk.tf.json), so that
// what runs locally is what Terraform would deploy: handler, runtime, memory, timeout,
// environment, reserved concurrency, invoke mode, auth type, CORS, the bundle folder, and whether
// a CloudFront distribution signs its requests to the URL (PUBLIC_ACCESS=cloudfront).

import * as fs from "node:fs";
import * as path from "node:path";
import { AUTH_TYPES, INVOKE_MODES, type InvokeMode } from "../../protocol/function-url-modes";
import type { FunctionConfig } from "../common/function-config";
import { ReservedVariableError, refuseReservedKeys } from "../environment/function-variables";

/** The synthesized stack cannot be served: it lacks a function, a URL or a bundle. */
export class StackReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackReadError";
  }
}

type Block = Record<string, unknown>;

/** Terraform's defaults for arguments the JSON leaves out. @see https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/lambda_function */
const TERRAFORM_DEFAULTS = { memoryMb: 128, timeoutSeconds: 3, invokeMode: "BUFFERED" as InvokeMode };

/** Reads `<stackDir>/cdk.tf.json`. */
export function readStack(stackDir: string): FunctionConfig {
  const file = path.join(stackDir, "cdk.tf.json");
  if (!fs.existsSync(file)) {
    // cdktf's output folder holds stacks/<name>/cdk.tf.json: name the stacks it does hold.
    const stacksDir = path.join(stackDir, "stacks");
    const inside = fs.existsSync(stacksDir)
      ? fs.readdirSync(stacksDir).filter((name) => fs.existsSync(path.join(stacksDir, name, "cdk.tf.json")))
      : [];
    const hint = inside.length > 0 ? `Pass --stack ${path.join(stacksDir, inside[0])}` : "Pass --stack cdktf.out/stacks/<name>";
    throw new StackReadError(`No synthesized stack at ${stackDir} (no cdk.tf.json). ${hint}, or run \`npm run synth\`.`);
  }
  let json: {
    resource?: Record<string, Record<string, Block>>;
    data?: Record<string, Record<string, Block>>;
    provider?: Record<string, Block[]>;
  };
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new StackReadError(`${file} is not valid JSON (${(error as Error).message}); synthesize the stack again with \`npm run synth\`.`);
  }
  const functions = Object.entries(json.resource?.aws_lambda_function ?? {});
  if (functions.length !== 1) {
    throw new StackReadError(
      `${file} has ${functions.length} aws_lambda_function resources; the local Function URL serves a stack with exactly one.`,
    );
  }
  const [functionId, fn] = functions[0];
  const [urlId, url] = Object.entries(json.resource?.aws_lambda_function_url ?? {}).find(
    ([, u]) => String(u.function_name).includes(`aws_lambda_function.${functionId}.`) || u.function_name === fn.function_name,
  ) ?? [undefined, undefined];
  if (!url) {
    throw new StackReadError(`${file} has no aws_lambda_function_url for ${String(fn.function_name)}; there is no URL to serve.`);
  }
  const env = Object.fromEntries(
    Object.entries(((fn.environment as Block | undefined)?.variables ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
  );
  try {
    refuseReservedKeys(env, `${file}: the function's environment`);
  } catch (error) {
    throw error instanceof ReservedVariableError ? new StackReadError(error.message) : error;
  }
  const cors = url.cors as Block | undefined;
  const reserved = fn.reserved_concurrent_executions;
  return {
    functionName: String(fn.function_name),
    region: String(json.provider?.aws?.[0]?.region ?? "us-east-1"),
    handler: String(fn.handler),
    runtime: String(fn.runtime),
    memoryMb: wholeNumberIn(fn.memory_size ?? TERRAFORM_DEFAULTS.memoryMb, 128, 10_240, "memory_size", file),
    timeoutSeconds: wholeNumberIn(fn.timeout ?? TERRAFORM_DEFAULTS.timeoutSeconds, 1, 900, "timeout", file),
    environment: env,
    ...(typeof reserved === "number" && reserved >= 0 ? { reservedConcurrency: reserved } : {}),
    bundleDir: bundleDirOf(fn, json.data ?? {}, stackDir, file),
    invokeMode: oneOf(url.invoke_mode ?? TERRAFORM_DEFAULTS.invokeMode, INVOKE_MODES, "invoke_mode", file),
    authType: oneOf(url.authorization_type, AUTH_TYPES, "authorization_type", file),
    ...(cors
      ? {
          cors: {
            allowOrigins: (cors.allow_origins as string[] | undefined) ?? [],
            allowMethods: (cors.allow_methods as string[] | undefined) ?? [],
            allowHeaders: (cors.allow_headers as string[] | undefined) ?? [],
            exposeHeaders: (cors.expose_headers as string[] | undefined) ?? [],
            allowCredentials: cors.allow_credentials === true,
            ...(typeof cors.max_age === "number" ? { maxAge: cors.max_age } : {}),
          },
        }
      : {}),
    ...(signedByCloudFront(json.resource ?? {}, urlId) ? { publicAccess: "cloudfront" as const } : {}),
  };
}

/**
 * Whether a distribution's origin is this URL's host, signed by an origin access control for
 * Lambda that always signs: what lib/function-url-distribution.ts synthesizes.
 */
function signedByCloudFront(resources: Record<string, Record<string, Block>>, urlId: string): boolean {
  const accessControls = resources.aws_cloudfront_origin_access_control ?? {};
  return Object.values(resources.aws_cloudfront_distribution ?? {}).some((distribution) =>
    ((distribution.origin as Block[] | undefined) ?? []).some((origin) => {
      const oac = /^\$\{aws_cloudfront_origin_access_control\.([^.]+)\.id\}$/.exec(String(origin.origin_access_control_id))?.[1];
      const control = oac === undefined ? undefined : accessControls[oac];
      return (
        String(origin.domain_name).includes(`aws_lambda_function_url.${urlId}.`) &&
        control?.origin_access_control_origin_type === "lambda" &&
        control.signing_behavior === "always"
      );
    }),
  );
}

/** The folder the function's zip is made from: `filename` → data.archive_file → `source_dir`. */
function bundleDirOf(fn: Block, data: Record<string, Record<string, Block>>, stackDir: string, file: string): string {
  const archive = /^\$\{data\.archive_file\.([^.]+)\.output_path\}$/.exec(String(fn.filename));
  const sourceDir = archive ? data.archive_file?.[archive[1]]?.source_dir : undefined;
  if (typeof sourceDir !== "string") {
    throw new StackReadError(
      `${file}: the function's filename ${JSON.stringify(fn.filename)} is not an archive_file of a source_dir, so there is no bundle folder to run. Serve a folder with --bundle DIR --handler FILE.EXPORT instead.`,
    );
  }
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not a JavaScript template
  const dir = path.resolve(stackDir, sourceDir.replace("${path.module}", "."));
  if (!fs.existsSync(dir)) {
    throw new StackReadError(`The bundle folder ${dir} named by ${file} does not exist; synthesize the stack again.`);
  }
  return dir;
}

/** `value` if it is one of `allowed`; anything else stops the server (fail closed). */
function oneOf<T extends string>(value: unknown, allowed: readonly T[], attribute: string, file: string): T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) {
    return value as T;
  }
  throw new StackReadError(
    `${file}: the function URL's ${attribute} is ${JSON.stringify(value)}; the local Function URL serves only ${allowed.join(" or ")}. Fix the stack and synthesize it again.`,
  );
}

/**
 * A whole number within Lambda's limits; anything else (an unresolved `${…}` reference, say) stops
 * the server rather than run with no memory limit or a timeout of NaN.
 */
function wholeNumberIn(value: unknown, min: number, max: number, attribute: string, file: string): number {
  const n = typeof value === "number" ? value : typeof value === "string" && /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new StackReadError(
      `${file}: the function's ${attribute} is ${JSON.stringify(value)}; the local Function URL needs a whole number from ${min} to ${max}. Fix the stack and synthesize it again.`,
    );
  }
  return n;
}
