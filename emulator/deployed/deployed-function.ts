// A function deployed into the local AWS, as the emulator's layers run it: the control plane's
// record (its configuration as Lambda returns it, and its Function URL's) turned into the
// FunctionConfig npm start serves, with the unpacked zip as its task root.

import type { InvokeMode } from "../../protocol/function-url-modes";
import type { CorsConfig, FunctionConfig } from "../common/function-config";
import type { UrlConfig } from "../control/lambda-access";
import type { StoredFunction } from "../control/lambda-functions";

/** What a function without a URL is served as (by the Lambda API only): AWS's defaults for a URL. */
const NO_URL = { AuthType: "AWS_IAM", InvokeMode: "BUFFERED" } as const;

/** The FunctionConfig of `stored`, run from `bundleDir`, its URL as `url` configures it. */
export function deployedFunctionConfig(stored: StoredFunction, url: UrlConfig | undefined, bundleDir: string): FunctionConfig {
  const c = stored.configuration;
  const variables = (c.Environment as { Variables?: Record<string, string> } | undefined)?.Variables ?? {};
  const cors = url?.Cors === undefined ? undefined : corsOf(url.Cors);
  return {
    functionName: String(c.FunctionName),
    region: stored.region,
    handler: String(c.Handler),
    runtime: String(c.Runtime),
    memoryMb: Number(c.MemorySize),
    timeoutSeconds: Number(c.Timeout),
    environment: { ...variables },
    ...(stored.reservedConcurrency !== undefined ? { reservedConcurrency: stored.reservedConcurrency } : {}),
    bundleDir,
    invokeMode: (url?.InvokeMode ?? NO_URL.InvokeMode) as InvokeMode,
    authType: url?.AuthType === "NONE" ? "NONE" : "AWS_IAM",
    ...(cors ? { cors } : {}),
  };
}

/** A URL's `Cors` (AllowOrigins, AllowMethods, …) as the Function URL door applies it. */
function corsOf(cors: Record<string, unknown>): CorsConfig {
  const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);
  return {
    allowOrigins: list(cors.AllowOrigins),
    allowMethods: list(cors.AllowMethods),
    allowHeaders: list(cors.AllowHeaders),
    exposeHeaders: list(cors.ExposeHeaders),
    allowCredentials: cors.AllowCredentials === true,
    ...(typeof cors.MaxAge === "number" ? { maxAge: cors.MaxAge } : {}),
  };
}

/** `arn:aws:lambda:<region>:<account>:function:<name>` → its Region and name. */
export function regionAndName(functionArn: string): { region: string; name: string } {
  const parts = functionArn.split(":");
  return { region: parts[3] ?? "", name: parts[6] ?? "" };
}
