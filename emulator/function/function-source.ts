// Where the served function comes from: the project's stack (synthesized now, or a given stack
// folder) or a handler folder (--bundle), with the command line's overrides and --env-vars on top.
// Watch mode asks it again after each save: a handler edit is re-bundled in-process (esbuild, well
// under a second); a stack edit is re-synthesized in a child process, so lib/ is loaded afresh.

import { execFile } from "node:child_process";
import * as path from "node:path";
import { BUNDLE_CACHE_DIR, storedBundleOf } from "../../lib/bundle-store";
import { DEFAULTS, readConfig } from "../../lib/config";
import { FUNCTION_ENVIRONMENT, RUNTIME } from "../../lib/lambda-runtime";
import type { AuthType, InvokeMode } from "../../protocol/function-url-modes";
import type { FunctionConfig } from "../common/function-config";
import type { BundleTarget } from "./bundle-target";
import { readEnvVarsFile } from "./env-vars-file";
import type { Rebuilt } from "./function-watcher";
import { readStack } from "./stack-reader";

/** Where the function comes from and what the command line overrides (npm start's flags give it). */
export interface FunctionSource {
  /** A synthesized stack folder; absent: synthesize the project's stack. */
  readonly stack?: string;
  /** A folder served as it is, or an entry to bundle, instead of a stack. */
  readonly bundle?: BundleTarget;
  readonly invokeMode?: InvokeMode;
  readonly auth?: AuthType;
  readonly timeout?: number;
  readonly memory?: number;
  /** A JSON file of local environment values, in AWS SAM's shape. */
  readonly envVars?: string;
}

/**
 * The function to serve: from the stack (synthesized now unless --stack names one) or --bundle.
 * cdktf is loaded only to synthesize, so a server for a given stack or bundle stays small.
 */
export function resolveFunction(options: FunctionSource, env: NodeJS.ProcessEnv, projectRoot: string): FunctionConfig {
  if (options.bundle) {
    return withOverrides(
      {
        ...(isStackEntry(options.bundle, projectRoot)
          ? stackSettings(env)
          : {
              functionName: options.bundle.name,
              region: env.AWS_REGION || DEFAULTS.region,
              memoryMb: DEFAULTS.memoryMb,
              timeoutSeconds: DEFAULTS.timeoutSeconds,
              // What AWS creates when nothing sets the URL's invoke mode.
              invokeMode: "BUFFERED" as const,
              authType: DEFAULTS.functionUrlAuth,
            }),
        handler: options.bundle.handler,
        runtime: RUNTIME,
        environment: { ...FUNCTION_ENVIRONMENT },
        bundleDir: bundledFolder(options.bundle, projectRoot),
      },
      options,
    );
  }
  const synthesize = (): string =>
    (require("../../lib/synthesize") as typeof import("../../lib/synthesize")).synthesizeStack(
      readConfig(env),
      path.join(projectRoot, "cdktf.out"),
    );
  return withOverrides(readStackBundle(options.stack ?? synthesize()), options);
}

/** `--bundle handler/index.ts` (or `--bundle handler`): the project's own handler, the stack's entry. */
function isStackEntry(target: BundleTarget, projectRoot: string): boolean {
  return target.kind === "entry" && path.resolve(target.entry) === path.join(path.resolve(projectRoot), "handler", "index.ts");
}

/**
 * What the stack gives its function, read from the configuration without a synth: its name (so
 * env.json's entry for it applies), Region, memory, timeout, the URL's auth type, and the URL's
 * invoke mode, RESPONSE_STREAM (lib/streaming-function.ts), so it streams as deployed.
 */
function stackSettings(
  env: NodeJS.ProcessEnv,
): Pick<FunctionConfig, "functionName" | "region" | "memoryMb" | "timeoutSeconds" | "invokeMode" | "authType"> {
  const config = readConfig(env);
  return {
    functionName: config.functionName,
    region: config.region,
    memoryMb: config.memoryMb,
    timeoutSeconds: config.timeoutSeconds,
    invokeMode: "RESPONSE_STREAM",
    authType: config.functionUrlAuth,
  };
}

/**
 * The function in the stack at `stackDir`, its bundle served from the `.build/` of the project
 * that synthesized it (`<project>/cdktf.out/stacks/<name>`): the same bytes as the stack's asset
 * copy, at the depth the source map's relative paths are made for, so a stack trace names the
 * real source files. A stack folder of another shape is served as it is.
 */
function readStackBundle(stackDir: string): FunctionConfig {
  const fn = readStack(stackDir);
  const stacks = path.dirname(path.resolve(stackDir));
  if (path.basename(stacks) !== "stacks") {
    return fn;
  }
  const project = path.dirname(path.dirname(stacks));
  return { ...fn, bundleDir: storedBundleOf(fn.bundleDir, path.join(project, BUNDLE_CACHE_DIR)) };
}

/**
 * The folder to serve for --bundle: the folder itself, or the entry bundled as the stack's handler
 * is, kept in this project's `.build/` (never in the entry's own project).
 */
function bundledFolder(target: BundleTarget, projectRoot: string): string {
  if (target.kind === "folder") {
    return target.dir;
  }
  const { bundleHandler } = require("../../lib/bundling") as typeof import("../../lib/bundling");
  return bundleHandler(target.entry, projectRoot);
}

/** The command line's overrides and --env-vars, on top of what the stack or bundle says. */
export function withOverrides(fn: FunctionConfig, options: FunctionSource): FunctionConfig {
  return {
    ...fn,
    ...(options.invokeMode ? { invokeMode: options.invokeMode } : {}),
    ...(options.auth ? { authType: options.auth } : {}),
    ...(options.timeout ? { timeoutSeconds: options.timeout } : {}),
    ...(options.memory ? { memoryMb: options.memory } : {}),
    ...(options.envVars ? { environment: { ...fn.environment, ...readEnvVarsFile(options.envVars, fn.functionName) } } : {}),
  };
}

/** What watch mode watches, and how it builds the function again after a save. */
export interface WatchPlan {
  readonly dirs: readonly string[];
  rebuild(changed: readonly string[], current: FunctionConfig): Promise<Rebuilt>;
}

/**
 * For a --bundle folder: the folder itself; its files are loaded as they are, so new environments
 * are the reload. For a --bundle entry: the entry's folder, bundled again. For the project:
 * handler/ (re-bundled) and lib/ and main.ts's folder (re-synthesized).
 */
export function watchPlan(options: FunctionSource, env: NodeJS.ProcessEnv, projectRoot: string): WatchPlan {
  const target = options.bundle;
  if (target?.kind === "folder") {
    return {
      dirs: [target.dir],
      rebuild: async (_changed, current) => ({
        fn: withOverrides({ ...current }, options),
        what: "new environments load the folder again",
      }),
    };
  }
  if (target?.kind === "entry") {
    return {
      dirs: [path.dirname(target.entry)],
      rebuild: async (_changed, current) => ({
        fn: { ...current, bundleDir: bundledFolder(target, projectRoot) },
        what: "entry bundled again",
      }),
    };
  }
  if (options.stack) {
    return {
      dirs: [options.stack],
      rebuild: async () => ({ fn: withOverrides(readStackBundle(options.stack as string), options), what: "stack read again" }),
    };
  }
  const handlerDir = path.join(projectRoot, "handler");
  const stackChanged = (file: string): boolean => !path.resolve(file).startsWith(handlerDir + path.sep);
  return {
    dirs: [handlerDir, path.join(projectRoot, "lib")],
    async rebuild(changed, current) {
      if (changed.some(stackChanged)) {
        const stackDir = await synthesizeInChild(projectRoot, env);
        return { fn: withOverrides(readStackBundle(stackDir), options), what: "stack synthesized again" };
      }
      const { bundleHandler } = require("../../lib/bundling") as typeof import("../../lib/bundling");
      return { fn: { ...current, bundleDir: bundleHandler(path.join(handlerDir, "index.ts")) }, what: "handler bundled again" };
    },
  };
}

/** Synthesizes the stack in a fresh Node.js process (so edited lib/ code is what runs). */
function synthesizeInChild(projectRoot: string, env: NodeJS.ProcessEnv): Promise<string> {
  const script =
    'const path = require("node:path"); const { readConfig } = require("./lib/config"); const { synthesizeStack } = require("./lib/synthesize");' +
    'process.stdout.write(synthesizeStack(readConfig(process.env), path.join(process.cwd(), "cdktf.out")));';
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["-r", require.resolve("esbuild-register"), "-e", script],
      { cwd: projectRoot, env, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error) {
          // The error's own line (and the next few), not Node's preamble around it.
          const lines = (stderr || error.message).trim().split("\n");
          const first = Math.max(
            0,
            lines.findIndex((line) => /Error\b/.test(line)),
          );
          reject(new Error(`synth failed: ${lines.slice(first, first + 4).join("\n")}`));
          return;
        }
        resolve(stdout.trim());
      },
    );
  });
}
