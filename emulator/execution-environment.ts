// One execution environment: a Node.js 22 process running AWS's runtime interface client
// against its own Runtime API server. It runs one invocation at a time, enforces the function's
// timeout by stopping the process, and reports the process's peak memory.

import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { LOCAL_ACCOUNT_ID } from "./constants";
import { type FunctionError, RuntimeMissingError } from "./errors";
import type { LogSink } from "./lambda-log";
import { type Invocation, type InvocationCompletion, RuntimeApi } from "./runtime-api";
import { bundleRuntimeClient } from "./runtime-client/bundle";
import { chosenTransport, type RuntimeTransport } from "./runtime-client/transport-choice";
import type { FunctionConfig } from "./stack-reader";

/** How to start a runtime process. */
export interface RuntimeCommand {
  /** The Node.js binary: 22, to match `nodejs22.x`. */
  readonly node: string;
  /** The script that starts the runtime interface client. */
  readonly bootstrap: string;
  /** Which transport carries the client's Runtime API calls. */
  readonly transport: RuntimeTransport;
  /** The bootstrap's arguments: the transport, and for `node` the transport bundle's path. */
  readonly bootstrapArgs: readonly string[];
}

/**
 * The flags Lambda's Node.js bootstrap starts the runtime with: a tenth of the memory for V8's
 * young generation (half of it per semi-space), the rest for the old one.
 * @see https://github.com/lambci/node-custom-lambda (copies of /var/runtime/bootstrap from the nodejs images)
 */
export function lambdaNodeFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [
    "--expose-gc",
    "--max-http-header-size=81920",
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${memoryMb - newSpace}`,
  ];
}

/** How long a cut-off stream waits to learn whether the process died. */
const EXIT_GRACE_MS = 200;

/** Lambda gives a function's init phase 10 seconds. */
export const INIT_TIMEOUT_MS = 10_000;

/**
 * Finds the Node.js 22 binary (npm package `node`) and the runtime interface client's JavaScript
 * (npm package `aws-lambda-ric`), and prepares the transport LAMBDA_RUNTIME_TRANSPORT chooses: by
 * default this project's (emulator/runtime-client/, bundled now); `native` needs the client's
 * compiled part, which is built only where its build tools are.
 * @throws RuntimeMissingError naming what is missing and how to install it.
 */
export function locateRuntime(env: NodeJS.ProcessEnv = process.env): RuntimeCommand {
  const transport = chosenTransport(env);
  const install = "Both are optional dependencies of this project: run `npm install` (no compiler needed).";
  let ric: string;
  try {
    ric = path.dirname(require.resolve("aws-lambda-ric/package.json"));
  } catch {
    throw new RuntimeMissingError(
      "The Lambda runtime interface client (npm package aws-lambda-ric) is not installed. " +
        "npm 10 runs its native build, which ignores package.json's allowScripts and drops the package where the build fails: " +
        "run `npm install --ignore-scripts` once more (it adds the package's JavaScript only), or install with npm 11.",
    );
  }
  if (transport === "native" && !fs.existsSync(path.join(ric, "dist", "rapid-client.node"))) {
    throw new RuntimeMissingError(
      "LAMBDA_RUNTIME_TRANSPORT=native needs aws-lambda-ric's compiled client (dist/rapid-client.node), which is not built. " +
        "Build it with `npm rebuild aws-lambda-ric --dangerously-allow-all-scripts` after installing its tools " +
        "(Debian/Ubuntu: `apt-get install -y autoconf automake libtool cmake make g++ python3`; it does not build on macOS), or unset LAMBDA_RUNTIME_TRANSPORT.",
    );
  }
  let node: string;
  try {
    node = path.join(path.dirname(require.resolve("node/package.json")), "bin", "node");
  } catch {
    throw new RuntimeMissingError(`The Node.js 22 binary (npm package node@22) is not installed. ${install}`);
  }
  const bootstrapArgs = transport === "node" ? ["node", bundleRuntimeClient()] : ["native"];
  return { node, bootstrap: path.join(__dirname, "runtime-bootstrap.mjs"), transport, bootstrapArgs };
}

/** The environment variables Lambda sets for a Node.js function, then the function's own. */
export function lambdaEnvironment(fn: FunctionConfig, runtimeApi: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const today = new Date().toISOString().slice(0, 10).replace(/-/g, "/");
  return {
    PATH: base.PATH,
    HOME: base.HOME,
    LANG: "en_US.UTF-8",
    TZ: ":UTC",
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
    ...fn.environment,
  };
}

/** The function's ARN as Lambda passes it to the runtime. */
export function functionArn(fn: FunctionConfig): string {
  return `arn:aws:lambda:${fn.region}:${LOCAL_ACCOUNT_ID}:function:${fn.functionName}`;
}

export type EnvironmentState = "IDLE" | "BUSY" | "DEAD";

export class ExecutionEnvironment {
  state: EnvironmentState = "IDLE";
  /** Milliseconds from spawning the process to its first `/next`. */
  readonly initDurationMs: number;
  /** Whether the next invocation is this environment's first (a cold start). */
  cold = true;
  private exited: Promise<void>;
  private exitError: FunctionError | undefined;

  private constructor(
    private readonly fn: FunctionConfig,
    private readonly runtimeApi: RuntimeApi,
    private readonly child: ChildProcess,
    initDurationMs: number,
    exited: Promise<void>,
  ) {
    this.initDurationMs = initDurationMs;
    this.exited = exited;
  }

  /**
   * Spawns the runtime and waits until it asks for its first event.
   * @throws the init error the runtime reported, or why the process ended.
   */
  static async start(fn: FunctionConfig, runtime: RuntimeCommand, log: LogSink): Promise<ExecutionEnvironment> {
    const runtimeApi = new RuntimeApi();
    const address = await runtimeApi.listen();
    const started = performance.now();
    const child = spawn(runtime.node, [...lambdaNodeFlags(fn.memoryMb), runtime.bootstrap, ...runtime.bootstrapArgs], {
      cwd: fn.bundleDir,
      env: lambdaEnvironment(fn, address),
      stdio: ["ignore", "pipe", "pipe"],
    });
    // stdio is ["ignore", "pipe", "pipe"], so both streams exist.
    forwardLines(child.stdout as NodeJS.ReadableStream, log);
    forwardLines(child.stderr as NodeJS.ReadableStream, log);
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      new Promise<"ready">((resolve) => runtimeApi.once("next", () => resolve("ready"))),
      new Promise<FunctionError>((resolve) => runtimeApi.once("init-error", resolve)),
      new Promise<FunctionError>((resolve) => child.once("exit", (code, signal) => resolve(exitError(code, signal)))),
      new Promise<FunctionError>((resolve) =>
        child.once("error", (error) => resolve({ errorType: "Runtime.StartError", errorMessage: error.message })),
      ),
      new Promise<FunctionError>((resolve) => {
        timer = setTimeout(
          () => resolve({ errorType: "Runtime.InitTimeout", errorMessage: `Init did not finish within ${INIT_TIMEOUT_MS / 1000} seconds` }),
          INIT_TIMEOUT_MS,
        );
      }),
    ]);
    clearTimeout(timer);
    if (outcome !== "ready") {
      child.kill("SIGKILL");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 1000))]);
      await runtimeApi.close();
      throw Object.assign(new Error(`${outcome.errorType}: ${outcome.errorMessage}`), { functionError: outcome });
    }
    const environment = new ExecutionEnvironment(fn, runtimeApi, child, performance.now() - started, exited);
    child.once("exit", (code, signal) => environment.onExit(code, signal));
    return environment;
  }

  /**
   * Runs one invocation. At the deadline the process is stopped and the invocation ends with
   * `Sandbox.Timeout`; `onTimeout` is told first, so the log can say so.
   */
  invoke(requestId: string, event: Buffer, traceId: string, onTimeout: () => void): Pick<Invocation, "response" | "completion"> {
    if (this.state !== "IDLE") {
      throw new Error(`environment is ${this.state}; one invocation at a time`);
    }
    this.state = "BUSY";
    const timeoutMs = this.fn.timeoutSeconds * 1000;
    const invocation = this.runtimeApi.invoke({
      requestId,
      event,
      deadlineMs: Date.now() + timeoutMs,
      functionArn: functionArn(this.fn),
      traceId,
    });
    const timer = setTimeout(() => {
      onTimeout();
      this.runtimeApi.abort({
        errorType: "Sandbox.Timeout",
        errorMessage: `Task timed out after ${this.fn.timeoutSeconds.toFixed(2)} seconds`,
      });
      void this.stop();
    }, timeoutMs);
    void invocation.completion.then(() => clearTimeout(timer));
    return { response: invocation.response, completion: invocation.completion.then((completion) => this.explainTruncation(completion)) };
  }

  /**
   * A stream cut off because the process died is a `Runtime.ExitError`, as Lambda reports it. The
   * connection usually closes a moment before the exit is seen, so wait briefly for it.
   */
  private async explainTruncation(completion: InvocationCompletion): Promise<InvocationCompletion> {
    if (completion.error?.errorType !== "Runtime.TruncatedResponse") {
      return completion;
    }
    const exited = await Promise.race([
      this.exited.then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), EXIT_GRACE_MS)),
    ]);
    return exited && this.exitError ? { ...completion, error: this.exitError } : completion;
  }

  /**
   * Resolves true once the runtime asks for its next event after an invocation (the environment
   * is IDLE again), or false if the process ended instead.
   */
  readyAgain(): Promise<boolean> {
    if (this.state === "DEAD") {
      return Promise.resolve(false);
    }
    return new Promise((resolve) => {
      const onNext = (): void => {
        this.child.off("exit", onExit);
        this.state = "IDLE";
        this.cold = false;
        resolve(true);
      };
      const onExit = (): void => {
        this.runtimeApi.off("next", onNext);
        resolve(false);
      };
      this.runtimeApi.once("next", onNext);
      this.child.once("exit", onExit);
    });
  }

  /** Peak resident memory of the runtime process in MB, where the OS tells (Linux). */
  maxMemoryUsedMb(): number | undefined {
    try {
      const status = fs.readFileSync(`/proc/${this.child.pid}/status`, "utf8");
      const kb = Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1]);
      return Number.isFinite(kb) ? Math.ceil(kb / 1024) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stops the process and the Runtime API; resolves when both are gone. */
  async stop(): Promise<void> {
    this.state = "DEAD";
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGKILL");
    }
    await this.exited;
    await this.runtimeApi.close();
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.state = "DEAD";
    this.exitError = exitError(code, signal);
    this.runtimeApi.abort(this.exitError);
    void this.runtimeApi.close();
  }
}

/** How Lambda reports a runtime process that ended. */
function exitError(code: number | null, signal: NodeJS.Signals | null): FunctionError {
  return { errorType: "Runtime.ExitError", errorMessage: `Runtime exited with error: ${signal ?? `exit status ${code}`}` };
}

/** Copies a child's output to the log sink line by line. */
function forwardLines(stream: NodeJS.ReadableStream, log: LogSink): void {
  let pending = "";
  stream.setEncoding("utf8");
  stream.on("data", (text: string) => {
    const lines = (pending + text).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      log(line);
    }
  });
  stream.on("end", () => {
    if (pending) {
      log(pending);
    }
  });
}
