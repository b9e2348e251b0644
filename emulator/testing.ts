// For your own tests: a streaming handler served as a local Function URL on a free port, inside
// AWS's runtime interface client on Node.js 22, with Lambda's limits and a log you can wait on.
// What this project's end-to-end tests do, in one call; see the README, "Test your own streaming handler".

import * as path from "node:path";
import { BUNDLE_FILE, bundleHandler } from "../lib/bundling";
import { DEFAULTS } from "../lib/config";
import { FUNCTION_ENVIRONMENT } from "../lib/lambda-runtime";
import type { InvokeMode } from "../protocol/function-url-modes";
import { startLocalFunctionUrl } from "./cli/local-function-url";
import { LAMBDA_RESPONSE_LIMITS } from "./invocation/response-limiter";

export interface TestFunctionUrlOptions {
  /** The folder Lambda would unzip: your bundled handler (JavaScript). */
  readonly handlerDir: string;
  /** Lambda's handler string, `file.export`, e.g. `index.handler`. */
  readonly handler: string;
  /** @default "RESPONSE_STREAM" */
  readonly invokeMode?: InvokeMode;
  /** The function's timeout, 1 to 900. @default 60 (this project's) */
  readonly timeoutSeconds?: number;
  /** Memory size: a runtime process whose memory passes it is stopped. @default 256 (this project's) */
  readonly memoryMb?: number;
  /** The function's own environment variables, after Lambda's. */
  readonly environment?: Readonly<Record<string, string>>;
}

export interface TestFunctionUrl {
  /** e.g. `http://127.0.0.1:41234/`; auth type NONE, so call it unsigned. */
  readonly url: string;
  /** Every line the URL and the function logged so far: START, your output, END, REPORT, errors. */
  readonly logs: string[];
  /**
   * Resolves with the first logged line matching `pattern` (already logged or yet to come);
   * rejects after `deadlineMs` with the log so far. Wait on this, not on a sleep: e.g. the
   * `REPORT` line comes once the function has finished, after the response has ended.
   */
  waitForLog(pattern: RegExp, deadlineMs?: number): Promise<string>;
  /** Stops the server and every runtime process. Call it in `afterAll`. */
  close(): Promise<void>;
}

/**
 * Serves the handler in `handlerDir` as a local Function URL on a free loopback port, with auth
 * type NONE and Lambda's limits on a streamed response (200 MiB, 2 MB/s after the first 6 MB).
 * Needs the optional dependencies aws-lambda-ric and node@22 (`npm install`).
 */
export async function startTestFunctionUrl(options: TestFunctionUrlOptions): Promise<TestFunctionUrl> {
  const logs: string[] = [];
  const waiters = new Set<() => void>();
  const local = await startLocalFunctionUrl({
    fn: {
      functionName: path.basename(path.resolve(options.handlerDir)),
      region: DEFAULTS.region,
      handler: options.handler,
      runtime: "nodejs22.x",
      memoryMb: options.memoryMb ?? DEFAULTS.memoryMb,
      timeoutSeconds: options.timeoutSeconds ?? DEFAULTS.timeoutSeconds,
      environment: options.environment ?? {},
      bundleDir: options.handlerDir,
      invokeMode: options.invokeMode ?? "RESPONSE_STREAM",
      authType: "NONE",
    },
    port: 0,
    limits: LAMBDA_RESPONSE_LIMITS,
    log: (line) => {
      logs.push(line);
      for (const check of [...waiters]) check();
    },
  });
  return {
    url: local.url,
    logs,
    waitForLog: (pattern, deadlineMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const found = logs.find((line) => pattern.test(line));
          if (found !== undefined) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no log line matched ${pattern} within ${deadlineMs} ms; the log:\n${logs.join("\n")}`));
        }, deadlineMs);
        waiters.add(check);
        check();
      }),
    close: () => local.close(),
  };
}

/**
 * Bundles the TypeScript (or JavaScript) handler at `entry` with esbuild, as `npm run synth` does
 * (into `.build/` beside the entry's folder), and serves its export `exportName` (default
 * `handler`) with {@link startTestFunctionUrl}, with the stack's own environment first (source
 * maps on, so a stack trace names your .ts files), then `environment`.
 */
export function bundleAndStart(
  entry: string,
  options: Omit<TestFunctionUrlOptions, "handlerDir" | "handler"> & { readonly exportName?: string } = {},
): Promise<TestFunctionUrl> {
  const { exportName = "handler", environment, ...rest } = options;
  const file = path.basename(BUNDLE_FILE, ".js");
  return startTestFunctionUrl({
    ...rest,
    environment: { ...FUNCTION_ENVIRONMENT, ...environment },
    handlerDir: bundleHandler(entry),
    handler: `${file}.${exportName}`,
  });
}
