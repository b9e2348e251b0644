// `npm start`: synthesize the stack (or read a given stack or bundle folder), serve its function
// as a local Function URL, and print one line with the URL and the curl command to call it.

import * as path from "node:path";
import { ConfigError, DEFAULTS, readConfig } from "../lib/config";
import { type CliOptions, parseCliOptions, USAGE } from "./cli-options";
import { MAX_STREAMED_RESPONSE_BYTES } from "./constants";
import { RuntimeMissingError, StackReadError, UsageError } from "./errors";
import { locateRuntime } from "./execution-environment";
import { listenErrorMessage } from "./listen-error";
import { isLoopback, startLocalFunctionUrl } from "./local-function-url";
import { removeLocalUrlRecord, writeLocalUrlRecord } from "./local-url-record";
import { LAMBDA_RESPONSE_LIMITS } from "./response-limiter";
import { describeTransport, type RuntimeTransport } from "./runtime-client/transport-choice";
import type { VerifierCredentials } from "./sigv4-verifier";
import { type FunctionConfig, readStack } from "./stack-reader";

/**
 * The function to serve: from the stack (synthesized now unless --stack names one) or --bundle.
 * cdktf is loaded only to synthesize, so a server for a given stack or bundle stays small.
 */
export function resolveFunction(options: CliOptions, env: NodeJS.ProcessEnv, projectRoot: string): FunctionConfig {
  let fn: FunctionConfig;
  if (options.bundle && options.handler) {
    fn = {
      functionName: path.basename(options.bundle),
      region: env.AWS_REGION || DEFAULTS.region,
      handler: options.handler,
      runtime: BUNDLE_RUNTIME,
      memoryMb: DEFAULTS.memoryMb,
      timeoutSeconds: DEFAULTS.timeoutSeconds,
      environment: { NODE_OPTIONS: "--enable-source-maps" },
      bundleDir: options.bundle,
      // What AWS creates when nothing sets the URL's invoke mode.
      invokeMode: "BUFFERED",
      authType: DEFAULTS.functionUrlAuth,
    };
  } else {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const synthesize = (): string =>
      (require("../lib/synthesize") as typeof import("../lib/synthesize")).synthesizeStack(
        readConfig(env),
        path.join(projectRoot, "cdktf.out"),
      );
    const stackDir = options.stack ?? synthesize();
    fn = readStack(stackDir);
  }
  return {
    ...fn,
    ...(options.invokeMode ? { invokeMode: options.invokeMode } : {}),
    ...(options.auth ? { authType: options.auth } : {}),
    ...(options.timeout ? { timeoutSeconds: options.timeout } : {}),
    ...(options.memory ? { memoryMb: options.memory } : {}),
  };
}

/** What `--bundle` runs on: the stack's runtime (lib/streaming-function.ts), Node.js 22. */
const BUNDLE_RUNTIME = "nodejs22.x";

/** The credentials signatures are checked against: this shell's AWS_ACCESS_KEY_ID and secret. */
export function credentialsFrom(env: NodeJS.ProcessEnv): VerifierCredentials | undefined {
  if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) {
    return undefined;
  }
  return {
    accessKeyId: env.AWS_ACCESS_KEY_ID,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
  };
}

/** The exact curl command that calls `url`: signed for AWS_IAM, plain for NONE. */
export function curlCommand(fn: FunctionConfig, url: string, credentials: VerifierCredentials | undefined): string {
  if (fn.authType === "NONE") {
    return `curl -N ${url}`;
  }
  const token = credentials?.sessionToken ? ` -H "x-amz-security-token: $AWS_SESSION_TOKEN"` : "";
  return `curl -N --aws-sigv4 "aws:amz:${fn.region}:lambda" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"${token} ${url}`;
}

/** What `npm start` prints once the URL serves: the URL and a curl line, then any caveat. */
export function startLines(
  fn: FunctionConfig,
  options: CliOptions,
  url: string,
  credentials: VerifierCredentials | undefined,
  transport: RuntimeTransport = "node",
): string[] {
  const lines = [
    `Local Function URL for ${fn.functionName} (${fn.invokeMode}, ${fn.authType}, ${fn.handler} on Node.js 22, aws-lambda-ric over its ${describeTransport(transport)}) at ${url}  ·  try: ${curlCommand(fn, url, credentials)}`,
  ];
  if (options.bundle && !options.invokeMode) {
    lines.push(
      "Invoke mode BUFFERED: nothing sets it for --bundle, and AWS creates a URL BUFFERED; add --invoke-mode RESPONSE_STREAM to stream.",
    );
  }
  lines.push(
    options.bandwidth === "unlimited"
      ? "Bandwidth: unlimited (--bandwidth unlimited); Lambda caps a streamed response at 2 MB/s after its first 6 MB."
      : "Bandwidth: as Lambda, a streamed response's first 6 MB uncapped, then 2 MB/s (--bandwidth unlimited lifts the cap).",
  );
  if (!isLoopback(options.host)) {
    lines.push(
      `Warning: --host ${options.host} is not a loopback address: other machines can reach this URL${fn.authType === "NONE" ? ", and its auth type is NONE" : ""}.`,
    );
  }
  return lines;
}

async function main(): Promise<void> {
  const options = parseCliOptions(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const fn = resolveFunction(options, process.env, path.join(__dirname, ".."));
  const credentials = credentialsFrom(process.env);
  if (fn.authType === "AWS_IAM" && !credentials) {
    throw new UsageError(
      "The URL's auth type is AWS_IAM, so requests are checked against AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from this shell, and they are not set. " +
        "Export a pair (any pair works locally, e.g. AWS_ACCESS_KEY_ID=AKIDLOCAL AWS_SECRET_ACCESS_KEY=local-secret) or use --auth NONE.",
    );
  }
  const runtime = locateRuntime();
  const local = await startLocalFunctionUrl({
    fn,
    runtime,
    host: options.host,
    port: options.port,
    maxEnvironments: options.maxEnvironments,
    credentials,
    limits: options.bandwidth === "unlimited" ? { maxBytes: MAX_STREAMED_RESPONSE_BYTES } : LAMBDA_RESPONSE_LIMITS,
  });
  // For `npm run invoke -- --local`, before the URL is announced; removed on exit (readers
  // ignore a killed server's record).
  const projectRoot = path.join(__dirname, "..");
  const record = { url: local.url, authType: fn.authType, region: fn.region, pid: process.pid, localCredentials: undefined };
  try {
    writeLocalUrlRecord(projectRoot, record);
  } catch (error) {
    console.warn(`${(error as Error).message} npm run invoke -- --local will not find this URL; pass --url ${local.url}`);
  }
  process.once("exit", () => removeLocalUrlRecord(projectRoot, process.pid));
  for (const line of startLines(fn, options, local.url, credentials, runtime.transport)) {
    console.log(line);
  }
  const stop = (): void => {
    removeLocalUrlRecord(projectRoot, process.pid);
    void local.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    if (error instanceof UsageError) {
      console.error(error.message);
      process.exit(2);
    }
    if (error instanceof ConfigError || error instanceof StackReadError || error instanceof RuntimeMissingError) {
      console.error(error.message);
      process.exit(1);
    }
    const listenProblem = listenErrorMessage(error);
    if (listenProblem) {
      console.error(listenProblem);
      process.exit(1);
    }
    console.error(error);
    process.exit(1);
  });
}
