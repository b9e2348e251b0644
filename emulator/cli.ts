// `npm start`: find the function (function-source.ts), the credentials signatures are checked
// against (verifier-credentials.ts), serve it as a local Function URL, say how to call it
// (start-banner.ts), and with --watch serve each saved version (function-watcher.ts).

import * as path from "node:path";
import { ConfigError } from "../lib/config";
import { parseCliOptions, USAGE } from "./cli-options";
import { MAX_STREAMED_RESPONSE_BYTES } from "./constants";
import { RuntimeMissingError, StackReadError, UsageError } from "./errors";
import { locateRuntime } from "./execution-environment";
import { resolveFunction, watchPlan } from "./function-source";
import { watchFunction } from "./function-watcher";
import { listenErrorMessage } from "./listen-error";
import { startLocalFunctionUrl } from "./local-function-url";
import { LAMBDA_RESPONSE_LIMITS } from "./response-limiter";
import { startLines } from "./start-banner";
import { resolveVerifierCredentials } from "./verifier-credentials";

async function main(): Promise<void> {
  const options = parseCliOptions(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const projectRoot = path.join(__dirname, "..");
  const fn = resolveFunction(options, process.env, projectRoot);
  // Resolved whenever signatures may need checking (watch mode may switch a stack to AWS_IAM).
  const resolved = fn.authType === "AWS_IAM" || options.watch ? await resolveVerifierCredentials(process.env) : undefined;
  const credentials = resolved?.credentials;
  const runtime = locateRuntime();
  const local = await startLocalFunctionUrl({
    fn,
    runtime,
    host: options.host,
    port: options.port,
    maxEnvironments: options.maxEnvironments,
    credentials,
    limits: options.bandwidth === "unlimited" ? { maxBytes: MAX_STREAMED_RESPONSE_BYTES } : LAMBDA_RESPONSE_LIMITS,
    ...(options.inspect !== undefined ? { inspectPort: options.inspect } : {}),
  });
  for (const line of startLines(fn, options, local.url, resolved, runtime.transport)) {
    console.log(line);
  }
  const plan = options.watch ? watchPlan(options, process.env, projectRoot) : undefined;
  const watcher = plan
    ? watchFunction({
        dirs: plan.dirs,
        rebuild: (changed) => plan.rebuild(changed, local.pool.function),
        onReload: (next) => local.reload(next),
        log: (line) => console.log(line),
      })
    : undefined;
  const stop = (): void => {
    watcher?.close();
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
