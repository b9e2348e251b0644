// Parses and validates `npm start -- [flags]` with Node's own util.parseArgs. A bad flag or value
// becomes one UsageError line that names it and what is allowed.

import * as fs from "node:fs";
import { isIP } from "node:net";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { AUTH_TYPES, INVOKE_MODES } from "../../protocol/function-url-modes";
import { UsageError } from "../../support/usage-error";
import { parseWholeNumber } from "../../support/whole-number";
import { bundleTarget } from "../function/bundle-target";
import type { FunctionSource } from "../function/function-source";

/** npm start's flags: where the function comes from and its overrides (FunctionSource), and how it is served. */
export interface CliOptions extends FunctionSource {
  readonly port: number;
  readonly host: string;
  readonly maxEnvironments?: number;
  /** The local Lambda API's port, when --api-port gives one (0: no API). Absent: the URL's port + 1. */
  readonly apiPort?: number;
  /** "capped": Lambda's 2 MB/s after the first 6 MB of a streamed response; "unlimited": no cap. */
  readonly bandwidth: "capped" | "unlimited";
  /** Rebuild on every save and serve the new version without a restart. */
  readonly watch: boolean;
  /** Run the function under Node's inspector on 127.0.0.1:PORT (`--inspect` alone: 9229). */
  readonly inspect?: number;
  readonly help: boolean;
}

/** Node's own default inspector port. @see https://nodejs.org/api/cli.html#--inspecthostport */
const DEFAULT_INSPECT_PORT = 9229;

const FLAGS = {
  port: { type: "string" },
  host: { type: "string" },
  stack: { type: "string" },
  bundle: { type: "string" },
  handler: { type: "string" },
  "invoke-mode": { type: "string" },
  auth: { type: "string" },
  timeout: { type: "string" },
  memory: { type: "string" },
  "max-environments": { type: "string" },
  "api-port": { type: "string" },
  bandwidth: { type: "string" },
  watch: { type: "boolean" },
  inspect: { type: "string" },
  "env-vars": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Each flag's syntax and its one line of help: the README's table in short (as `sam local start-api --help`). */
const FLAG_HELP: { readonly [name in keyof typeof FLAGS]: readonly [syntax: string, description: string] } = {
  port: ["--port N", "port to listen on, 0 for a free one (default: $PORT, else 3000)"],
  host: ["--host HOST", "address to bind: an IP address of this machine or a host name (default: 127.0.0.1)"],
  stack: ["--stack DIR", "serve an already synthesized stack folder, cdktf.out/stacks/<name> (default: synthesize now)"],
  bundle: ["--bundle PATH", "serve a handler without synth: a folder of JavaScript as it is, or a .ts/.js entry file bundled"],
  handler: [
    "--handler FILE.EXPORT",
    "--bundle's FILE.js (or FILE.ts, bundled) and its export, or the entry's export (default: index.handler)",
  ],
  "invoke-mode": [
    "--invoke-mode MODE",
    "RESPONSE_STREAM or BUFFERED (default: the stack's; BUFFERED with --bundle of another handler, as AWS)",
  ],
  auth: ["--auth TYPE", "AWS_IAM (signed requests) or NONE (default: the stack's)"],
  timeout: ["--timeout SECONDS", "function timeout, 1 to 900 (default: the stack's)"],
  memory: ["--memory MB", "memory size, 128 to 10240: a runtime process that passes it is stopped (default: the stack's)"],
  "max-environments": ["--max-environments N", "most execution environments at once, 1 to 64; requests beyond wait (default: 8)"],
  "api-port": ["--api-port N", "the Lambda API's port (Invoke, InvokeWithResponseStream); 0 turns it off (default: --port + 1)"],
  bandwidth: ["--bandwidth capped|unlimited", "Lambda's 2 MB/s after a streamed response's first 6 MB, or none (default: capped)"],
  watch: ["--watch", "rebuild on save; new requests get the new code, no restart"],
  inspect: ["--inspect [PORT]", "run the function under Node's inspector on 127.0.0.1:PORT, no timeouts (default port: 9229)"],
  "env-vars": ["--env-vars FILE.json", "local values for the function's environment, in AWS SAM's shape (cp env.example.json env.json)"],
  help: ["--help, -h", "print this help and exit"],
};

const SYNTAX_WIDTH = Math.max(...Object.values(FLAG_HELP).map(([syntax]) => syntax.length));

export const USAGE = [
  "Usage: npm start -- [flags]",
  "Serves the synthesized stack's function as a local Function URL and a local Lambda API (Invoke,",
  "InvokeWithResponseStream), in AWS's runtime interface client on Node.js 22. Flags override what the stack says.",
  "",
  ...Object.values(FLAG_HELP).map(([syntax, description]) => `  ${syntax.padEnd(SYNTAX_WIDTH)}  ${description}`),
].join("\n");

/** Parses `argv` (without node and script); `env` supplies PORT. */
export function parseCliOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  refuseFlagsNpmTook(argv, env);
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: defaultInspectPort(attachNegativeValues(argv)),
      options: FLAGS,
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(
      `${(error as Error).message.split("\n")[0]}. Allowed flags: ${Object.keys(FLAGS)
        .map((f) => `--${f}`)
        .join(", ")}`,
    );
  }
  const text = (name: string): string | undefined => values[name] as string | undefined;
  if (text("bundle") !== undefined && text("stack") !== undefined) {
    throw new UsageError("--stack and --bundle cannot be used together: serve a synthesized stack, or a handler folder");
  }
  if (text("bundle") === undefined && text("handler") !== undefined) {
    throw new UsageError("--handler FILE.EXPORT names the handler of --bundle PATH (for example --bundle dist --handler index.handler)");
  }
  const portText = text("port") ?? env.PORT;
  const stack = text("stack");
  const bundle = text("bundle");
  const invokeMode = text("invoke-mode");
  const auth = text("auth");
  const timeout = text("timeout");
  const memory = text("memory");
  const maxEnvironments = text("max-environments");
  const apiPort = text("api-port");
  const inspect = text("inspect");
  const envVars = text("env-vars");
  const options: CliOptions = {
    watch: values.watch === true,
    ...(inspect !== undefined ? { inspect: integer("--inspect", inspect, 1, 65_535) } : {}),
    ...(envVars !== undefined ? { envVars: envVarsFile(envVars) } : {}),
    help: values.help === true,
    bandwidth: choice("--bandwidth", text("bandwidth") ?? "capped", ["capped", "unlimited"] as const),
    port: portText === undefined ? 3000 : integer(text("port") !== undefined ? "--port" : "PORT", portText, 0, 65_535),
    host: text("host") ?? "127.0.0.1",
    ...(stack !== undefined ? { stack: existingDir("--stack", stack) } : {}),
    ...(bundle !== undefined ? { bundle: bundleTarget(bundle, text("handler")) } : {}),
    ...(invokeMode !== undefined ? { invokeMode: choice("--invoke-mode", invokeMode, INVOKE_MODES) } : {}),
    ...(auth !== undefined ? { auth: choice("--auth", auth, AUTH_TYPES) } : {}),
    ...(timeout !== undefined ? { timeout: integer("--timeout", timeout, 1, 900) } : {}),
    ...(memory !== undefined ? { memory: integer("--memory", memory, 128, 10_240) } : {}),
    ...(maxEnvironments !== undefined ? { maxEnvironments: integer("--max-environments", maxEnvironments, 1, 64) } : {}),
    ...(apiPort !== undefined ? { apiPort: integer("--api-port", apiPort, 0, 65_535) } : {}),
  };
  checkHost(options.host);
  const portFlag = text("port") !== undefined ? "--port" : env.PORT !== undefined ? "PORT" : "the default port";
  if (options.apiPort !== undefined && options.apiPort !== 0 && options.apiPort === options.port) {
    throw new UsageError(
      `${portFlag} ${options.port} and --api-port ${options.apiPort} name the same port: the Function URL and the Lambda API each need their own (leave out --api-port for --port + 1)`,
    );
  }
  refuseInspectOnServerPort(options, portFlag);
  if (options.apiPort === undefined && options.port === 65_535) {
    throw new UsageError(
      "--port 65535 leaves no port above it for the Lambda API (--port + 1): pass --api-port N, or --api-port 0 to serve no API",
    );
  }
  return options;
}

/** The debugger's port taken by one of the server's own doors: the inspector would fail to bind it and run without. */
function refuseInspectOnServerPort(options: CliOptions, portFlag: string): void {
  if (options.inspect === undefined) {
    return;
  }
  const apiPort = options.apiPort ?? (options.port === 0 ? 0 : options.port + 1);
  const door =
    options.inspect === options.port
      ? `${portFlag} ${options.port} (the Function URL)`
      : options.inspect === apiPort
        ? `${options.apiPort === undefined ? `the Lambda API's port (${portFlag} + 1)` : `--api-port ${apiPort}`}`
        : undefined;
  if (door !== undefined) {
    throw new UsageError(
      `--inspect ${options.inspect} is also ${door}: the debugger needs a port of its own; pick another with --inspect PORT`,
    );
  }
}

/**
 * Flags typed before `--` (`npm start --watch`) are npm's, not ours: npm keeps each as an
 * `npm_config_<name>` variable (`--port 4106` becomes `npm_config_port=true` and a stray `4106`),
 * so the server would run without them. For a flag of ours that npm took, one line says where
 * flags go. Our flags npm itself knows (none today) could not be told apart, and none is checked.
 * (The variables pass down to child processes: an `npm start` run by `npm test --watch` would be
 * refused too, a case with no use.)
 * @see https://docs.npmjs.com/cli/v11/using-npm/config#environment-variables
 */
function refuseFlagsNpmTook(argv: readonly string[], env: NodeJS.ProcessEnv): void {
  const taken = (Object.keys(FLAGS) as (keyof typeof FLAGS)[]).filter(
    (flag) => flag !== "help" && env[`npm_config_${flag.replace(/-/g, "_")}`] !== undefined && !argv.includes(`--${flag}`),
  );
  if (taken.length === 0) {
    return;
  }
  // `--port 4106`: npm read --port as a switch and passed 4106 on; the value comes back with its flag.
  const strays = argv.filter((arg) => !arg.startsWith("-"));
  const typed = taken.map((flag) => {
    const value = env[`npm_config_${flag.replace(/-/g, "_")}`];
    if (FLAGS[flag].type === "boolean") return `--${flag}`;
    if (value !== "true") return `--${flag} ${value}`;
    if (taken.length === 1 && strays.length === 1) return `--${flag} ${strays[0]}`;
    return flag === "inspect" ? "--inspect" : FLAG_HELP[flag][0];
  });
  throw new UsageError(
    `npm took ${taken.map((f) => `--${f}`).join(", ")} for itself: flags before \`--\` go to npm. Put them after \`--\`: npm start -- ${typed.join(" ")}`,
  );
}

/** `--inspect` with no port (last, or before another flag) means Node's default port. */
function defaultInspectPort(argv: readonly string[]): string[] {
  return argv.map((arg, i) =>
    arg === "--inspect" && (argv[i + 1] === undefined || argv[i + 1].startsWith("-")) ? `--inspect=${DEFAULT_INSPECT_PORT}` : arg,
  );
}

/**
 * parseArgs reads `--port -1` as a flag `-1` after a flag that lacks its value ("argument is
 * ambiguous"); a value that starts with `-` and a digit is attached (`--port=-1`) instead, so it
 * gets the same range check as any other value.
 * @see https://nodejs.org/api/util.html#utilparseargsconfig
 */
function attachNegativeValues(argv: readonly string[]): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith("--") ? argv[i].slice(2) : undefined;
    const next = argv[i + 1];
    if (name !== undefined && FLAGS[name as keyof typeof FLAGS]?.type === "string" && next !== undefined && /^-[0-9.]/.test(next)) {
      args.push(`${argv[i]}=${next}`);
      i++;
    } else {
      args.push(argv[i]);
    }
  }
  return args;
}

/** A host name (letters, digits, `-`, dot-separated labels) or a valid IPv4 or IPv6 address. */
const HOST_NAME = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * Refuses a --host that is neither an IP address nor a host name; dotted numbers must be a valid
 * IPv4 address (so 999.1.1.1 is refused here, not sent to DNS).
 */
function checkHost(host: string): void {
  const looksNumeric = /^[0-9.]+$/.test(host);
  if (isIP(host) !== 0 || (!looksNumeric && HOST_NAME.test(host))) {
    return;
  }
  throw new UsageError(
    `--host must be an IP address of this machine or a host name, such as 127.0.0.1, ::1 or 0.0.0.0 for every interface (got ${JSON.stringify(host)})`,
  );
}

function integer(name: string, value: string, min: number, max: number): number {
  const n = parseWholeNumber(value, min, max);
  if (n === undefined) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`);
  }
  return n;
}

function choice<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${name} must be ${allowed.join(" or ")} (got ${JSON.stringify(value)})`);
  }
  return value as T;
}

function existingFile(name: string, value: string): string {
  const file = path.resolve(value);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    throw new UsageError(`${name} must be an existing file (got ${JSON.stringify(value)}, which is not one)`);
  }
  return file;
}

/** The example the project ships for --env-vars: a missing file's error says to copy it. */
const ENV_VARS_EXAMPLE_FILE = "env.example.json";

function envVarsFile(value: string): string {
  try {
    return existingFile("--env-vars", value);
  } catch (error) {
    // A fresh clone has no env.json (it holds local values, so git ignores it): say where one comes from.
    throw new UsageError(`${(error as Error).message}; start from the example: cp ${ENV_VARS_EXAMPLE_FILE} ${value}`);
  }
}

function existingDir(name: string, value: string): string {
  const dir = path.resolve(value);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new UsageError(`${name} must be an existing folder (got ${JSON.stringify(value)}, which is not one)`);
  }
  return dir;
}
