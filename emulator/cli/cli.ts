// `npm start`: find the function (function-source.ts), the credentials signatures are checked
// against (verifier-credentials.ts), serve it as a local Function URL, say how to call it
// (start-banner.ts), and with --watch serve each saved version (function-watcher.ts).

import * as path from "node:path";
import { BundleError } from "../../lib/bundling";
import { ConfigError } from "../../lib/config";
import {
  describeStaleRecords,
  removeLocalUrlRecord,
  removeStaleLocalUrlRecords,
  writeLocalUrlRecord,
} from "../../support/local-url-record";
import { UsageError } from "../../support/usage-error";
import { renewalOf, resolveVerifierCredentials } from "../auth/verifier-credentials";
import { MAX_STREAMED_RESPONSE_BYTES } from "../common/constants";
import { locateRuntime, RuntimeMissingError } from "../environment/runtime-command";
import { describeEnvVarsFile } from "../function/env-vars-file";
import { resolveFunction, watchPlan } from "../function/function-source";
import { watchFunction } from "../function/function-watcher";
import { trackRetiredBundles } from "../function/retired-bundles";
import { StackReadError } from "../function/stack-reader";
import { LAMBDA_RESPONSE_LIMITS } from "../invocation/response-limiter";
import { parseCliOptions, USAGE } from "./cli-options";
import { listenErrorMessage } from "./listen-error";
import { type LocalFunctionUrl, startLocalFunctionUrl } from "./local-function-url";
import { apiLines, startLines } from "./start-banner";

/** A running `npm start`: the URL, and how to stop it (and its watcher). */
export interface ServingCli {
  readonly local: LocalFunctionUrl;
  close(): Promise<void>;
}

/**
 * `npm start` without the process around it: parses `argv`, serves, prints the start lines to
 * `out`. Resolves undefined after `--help`. Tests call it in-process.
 */
export async function serveFromCommandLine(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
  projectRoot: string = path.join(__dirname, "..", ".."),
): Promise<ServingCli | undefined> {
  const options = parseCliOptions(argv, env);
  if (options.help) {
    out(USAGE);
    return undefined;
  }
  // Entries left by a server killed without cleaning up (kill -9) go first, each named.
  const removed = describeStaleRecords(removeStaleLocalUrlRecords(projectRoot));
  if (removed) {
    out(removed);
  }
  const fn = resolveFunction(options, env, projectRoot);
  if (options.envVars) {
    out(describeEnvVarsFile(options.envVars, fn.functionName));
  }
  // The Lambda API is always signed, as on AWS; the URL is when its auth type is AWS_IAM (which
  // watch mode may switch to).
  const servesApi = options.apiPort !== 0;
  const resolved = servesApi || fn.authType === "AWS_IAM" || options.watch ? await resolveVerifierCredentials(env) : undefined;
  const renewal = renewalOf(resolved, env);
  const runtime = locateRuntime(env);
  const local = await startLocalFunctionUrl({
    fn,
    runtime,
    host: options.host,
    port: options.port,
    maxEnvironments: options.maxEnvironments,
    credentials: resolved?.credentials,
    ...(renewal ? { renewCredentials: renewal } : {}),
    limits: options.bandwidth === "unlimited" ? { maxBytes: MAX_STREAMED_RESPONSE_BYTES } : LAMBDA_RESPONSE_LIMITS,
    ...(options.inspect !== undefined ? { inspectPort: options.inspect } : {}),
    apiPort: options.apiPort === 0 ? false : (options.apiPort ?? (options.port === 0 ? 0 : options.port + 1)),
    log: out,
  });
  // For `npm run invoke -- --local`, before the URL is announced; removed by close() (and on
  // exit by the process), and readers ignore a killed server's record.
  const record = {
    url: local.url,
    authType: fn.authType,
    region: fn.region,
    pid: process.pid,
    functionName: fn.functionName,
    ...(local.apiUrl ? { apiUrl: local.apiUrl } : {}),
    // Only a throwaway pair made for this run is ever written; real credentials never are.
    localCredentials: resolved?.source === "local-pair" ? resolved.credentials : undefined,
  };
  try {
    writeLocalUrlRecord(projectRoot, record);
  } catch (error) {
    out(`${(error as Error).message} npm run invoke -- --local will not find this URL; pass --url ${local.url}`);
  }
  for (const line of startLines(fn, options, local.url, resolved, runtime.transport)) {
    out(line);
  }
  if (local.apiUrl) {
    for (const line of apiLines(fn, local.apiUrl, resolved)) {
      out(line);
    }
  }
  const plan = options.watch ? watchPlan(options, env, projectRoot) : undefined;
  // Each rebuild writes a bundle folder; those of versions nothing runs any more are removed.
  const bundles = plan ? trackRetiredBundles(local.pool) : undefined;
  const watcher = plan
    ? watchFunction({
        dirs: plan.dirs,
        rebuild: (changed) => plan.rebuild(changed, local.pool.function),
        onReload: (next) => {
          local.reload(next);
          bundles?.reloaded();
        },
        log: out,
      })
    : undefined;
  return {
    local,
    async close() {
      removeLocalUrlRecord(projectRoot, process.pid);
      watcher?.close();
      await local.close();
      bundles?.close();
    },
  };
}

/** The exit code and the one line to print for an error that stopped `npm start`. */
export function exitFor(error: unknown): { code: number; message: string } {
  if (error instanceof UsageError) {
    return { code: 2, message: error.message };
  }
  if (
    error instanceof ConfigError ||
    error instanceof StackReadError ||
    error instanceof RuntimeMissingError ||
    error instanceof BundleError
  ) {
    return { code: 1, message: error.message };
  }
  const listenProblem = listenErrorMessage(error);
  if (listenProblem) {
    return { code: 1, message: listenProblem };
  }
  return { code: 1, message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}

if (require.main === module) {
  const projectRoot = path.join(__dirname, "..", "..");
  let serving: ServingCli | undefined;
  // Handled from the first moment, so a signal during startup also removes the record.
  const stop = (): void => {
    void (serving ? serving.close() : Promise.resolve()).then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  // However the process ends, its record goes with it.
  process.once("exit", () => removeLocalUrlRecord(projectRoot, process.pid));
  serveFromCommandLine(process.argv.slice(2), process.env, (line) => console.log(line), projectRoot).then(
    (started) => {
      serving = started;
    },
    (error: unknown) => {
      const { code, message } = exitFor(error);
      console.error(message);
      process.exit(code);
    },
  );
}
