// Every command the README shows is one this project really has, so the README cannot go stale:
// each line of its ```sh blocks (and each inline `npm …` span) is checked against the code it
// names. npm scripts must exist, and their flags must parse with the command's own parser; curl
// lines may use only what `npm start` prints, and so may the AWS CLI line for its Lambda API;
// terraform and aws lines must name the state file and outputs the stack really has; `node` runs
// a file the project has. A command no check knows fails: add a check for it here.
// Fast: no server, no synth.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { BENCH_FLAGS as BENCH_OPTIONS } from "../../bench/run";
import { parseCliOptions } from "../../emulator/cli/cli-options";
import { parseLocalAwsOptions } from "../../emulator/cli/local-aws";
import { apiCommand, curlCommand } from "../../emulator/cli/start-banner";
import type { FunctionConfig } from "../../emulator/common/function-config";
import { readEnvVarsFile } from "../../emulator/function/env-vars-file";
import { hashedPostCommand } from "../../emulator/url/cloudfront-origin";
import { parseStreamOptions } from "../../handler/stream-options";
import { DEFAULTS, readConfig } from "../../lib/config";
import { localStatePath } from "../../lib/state-location";
import { parseDeployOptions } from "../../tools/deploy/deploy-options";
import { parseInvokeOptions } from "../../tools/invoke/invoke-options";
import { parseUrlOptions } from "../../tools/invoke/print-url";

const ROOT = path.join(__dirname, "..", "..");
const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), "utf8");

// ---------------------------------------------------------------------------------------------
// Extraction

interface ReadmeCommand {
  /** The command as written, continuations joined, trailing comment removed. */
  readonly text: string;
  readonly source: "block" | "inline";
}

/**
 * The command lines of ```sh blocks (`#` lines are comments or output) and inline `npm …` spans
 * (with any `NAME=value` before them).
 */
function readmeCommands(markdown: string): ReadmeCommand[] {
  const commands: ReadmeCommand[] = [];
  for (const block of markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    const joined = block[1].replace(/\s*\\\n\s*/g, " ");
    for (const line of joined.split("\n")) {
      const text = stripComment(line).trim();
      if (text !== "") commands.push({ text, source: "block" });
    }
  }
  const prose = markdown.replace(/^```[\s\S]*?^```$/gm, "");
  for (const span of prose.matchAll(/`((?:[A-Z][A-Z0-9_]*=\S+ )*npm [^`]+)`/g)) {
    commands.push({ text: span[1].replace(/\s+/g, " ").trim(), source: "inline" });
  }
  return commands;
}

/** The line up to an unquoted `#` that starts a word. */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === "#" && (i === 0 || /\s/.test(line[i - 1]))) {
      return line.slice(0, i);
    }
  }
  return line;
}

/**
 * Shell words, unquoted; `$(…)` is kept whole (its inner command is checked on its own), and
 * `&&`, `;` and `|` separate commands.
 */
function shellWords(text: string): string[][] {
  const commands: string[][] = [[]];
  let word: string | undefined;
  const end = (): void => {
    if (word !== undefined) commands[commands.length - 1].push(word);
    word = undefined;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (/\s/.test(c)) {
      end();
    } else if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      if (close < 0) throw new Error(`unclosed ${c} in: ${text}`);
      word = (word ?? "") + text.slice(i + 1, close);
      i = close;
    } else if (c === "$" && text[i + 1] === "(") {
      let depth = 0;
      let j = i + 1;
      for (; j < text.length; j++) {
        if (text[j] === "(") depth++;
        if (text[j] === ")" && --depth === 0) break;
      }
      word = (word ?? "") + text.slice(i, j + 1);
      i = j;
    } else if ((c === "&" && text[i + 1] === "&") || c === ";" || c === "|") {
      end();
      commands.push([]);
      if (c === "&") i++;
    } else {
      word = (word ?? "") + c;
    }
  }
  end();
  return commands.filter((words) => words.length > 0);
}

// ---------------------------------------------------------------------------------------------
// What the code has

const PACKAGE = JSON.parse(read("package.json")) as {
  scripts: Record<string, string>;
  optionalDependencies: Record<string, string>;
};

/** The stack's outputs, as lib/lambda-streaming-stack.ts declares them. */
const STACK_OUTPUTS = new Set(
  [...read("lib/lambda-streaming-stack.ts").matchAll(/new TerraformOutput\(this, "([^"]+)"/g)].map((m) => m[1]),
);

/** The stack folder and local state file of the default stack, relative to the project root. */
const STACK_DIR = path.posix.join("cdktf.out", "stacks", DEFAULTS.stackName);
const STATE_FILE = path.posix.normalize(path.posix.join(STACK_DIR, localStatePath(DEFAULTS.stackName)));

/** `npm run bench`'s flags. */
const BENCH_FLAGS: Record<string, { type: "boolean" | "string" }> = { ...BENCH_OPTIONS };

/** Environment variables some source file of the project reads (a string literal naming it). */
function sourceTexts(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceTexts(p) : /\.(ts|mjs)$/.test(e.name) ? [read(p)] : [];
  });
}
const SOURCES = ["protocol", "support", "lib", "emulator", "tools", "bench"].flatMap(sourceTexts);
const knownVariable = (name: string): boolean =>
  SDK_VARIABLES.has(name) || SOURCES.some((text) => text.includes(`"${name}"`) || text.includes(`env.${name}`));

/**
 * Variables the AWS SDKs and CLI read themselves, which the README sets for them.
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
const SDK_VARIABLES = new Set(["AWS_ENDPOINT_URL_LAMBDA"]);

/** Where `npm start` serves the Lambda API by default: its URL's host, the port after the URL's. */
const LOCAL_API_URL = (() => {
  const local = parseCliOptions([], {});
  return `http://${local.host}:${local.port + 1}`;
})();

/** What `npm start` prints to call an AWS_IAM URL and a NONE one, for every credential source, and behind CloudFront. */
const PRINTED_CURL = (() => {
  const url = "http://127.0.0.1:3000/";
  const fn = (authType: FunctionConfig["authType"]) => ({ region: DEFAULTS.region, authType }) as FunctionConfig;
  const credentials = { accessKeyId: "AKIALOCALEXAMPLE0000", secretAccessKey: "secret" };
  return [
    curlCommand(fn("NONE"), url, undefined),
    curlCommand(fn("AWS_IAM"), url, { source: "environment", credentials }),
    curlCommand(fn("AWS_IAM"), url, { source: "environment", credentials: { ...credentials, sessionToken: "t" } }),
    curlCommand(fn("AWS_IAM"), url, { source: "local-pair", credentials }),
    hashedPostCommand(url),
  ].flatMap(shellWords);
})();

// ---------------------------------------------------------------------------------------------
// Checks: each returns the problems with one command, or [] when it is one we can check

/** Variables the README's own commands assign (`URL=$(terraform output … function_url)`). */
const ASSIGNED = new Map<string, string>();

/** Files the README's own commands copy (`cp env.example.json env.json`): the copy, and its source. */
const COPIED = new Map<string, string>();

function checkCommand(text: string): string[] {
  return shellWords(text).flatMap((words) => checkWords(words));
}

function checkWords(all: readonly string[]): string[] {
  const problems: string[] = [];
  let words = [...all];
  if (words[0] === "export") words = words.slice(1);
  const assignments: Record<string, string> = {};
  while (words.length > 0 && /^[A-Z_][A-Z0-9_]*=/.test(words[0])) {
    const [name, ...rest] = words[0].split("=");
    assignments[name] = rest.join("=");
    words = words.slice(1);
  }
  for (const [name, value] of Object.entries(assignments)) {
    if (name === "AWS_ENDPOINT_URL_LAMBDA" && value !== LOCAL_API_URL) {
      problems.push(`${name}=${value}: npm start serves its Lambda API at ${LOCAL_API_URL} by default`);
    }
    const inner = /^\$\((.*)\)$/.exec(value);
    if (inner) {
      problems.push(...checkCommand(inner[1]));
      if (/^npm /.test(inner[1]) && !/^npm (run )?(-s|--silent) /.test(inner[1])) {
        problems.push(`${name}=$(${inner[1]}): npm prints its own lines first; capture it as $(npm run -s …)`);
      }
      ASSIGNED.set(name, inner[1]);
    } else if (!knownVariable(name)) {
      problems.push(`${name}: no source file reads this variable`);
    }
  }
  try {
    readConfig(assignments);
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (words.length === 0) {
    return problems;
  }
  const [command, ...args] = words.map(fillPlaceholders);
  switch (command) {
    case "npm":
      return [...problems, ...checkNpm(args)];
    case "terraform":
      return [...problems, ...checkTerraform(args)];
    case "curl":
      return [...problems, ...checkCurl(args)];
    case "aws":
      return [...problems, ...checkAws(args)];
    case "cp":
      return [...problems, ...checkCp(args)];
    case "node":
      return [...problems, ...checkNode(args)];
    default:
      return [...problems, `add a check for this README command: ${all.join(" ")}`];
  }
}

/** `<id>`, `<region>`, `<caller-role>`: a value of the right shape where one is needed. */
function fillPlaceholders(word: string): string {
  return word.replace(/<region>/g, DEFAULTS.region).replace(/<([\w-]+)>/g, "example");
}

/** npm's own flags that may come before the command: `-s` (silent) keeps npm's lines out of `$(…)`. */
const NPM_FLAGS = new Set(["-s", "--silent"]);

function checkNpm(all: readonly string[]): string[] {
  const args = all.filter((a, i) => !(NPM_FLAGS.has(a) && (i === 0 || all[i - 1] === "run")));
  const [verb, ...rest] = args;
  if (verb === "install" || verb === "ci") {
    return rest.filter((a) => a !== "--ignore-scripts").map((a) => `npm ${verb}: unexpected ${a}`);
  }
  if (verb === "rebuild") {
    return rest[0] in PACKAGE.optionalDependencies ? [] : [`npm rebuild ${rest[0]}: not an optional dependency`];
  }
  const script = verb === "run" ? rest[0] : verb;
  const after = verb === "run" ? rest.slice(1) : rest;
  if (script === undefined || !(script in PACKAGE.scripts)) {
    return [`npm ${args.join(" ")}: package.json has no script ${JSON.stringify(script)}`];
  }
  if (after.length === 0) {
    return [];
  }
  if (after[0] !== "--") {
    return [`npm ${args.join(" ")}: flags go after --`];
  }
  const flags = after.slice(1);
  try {
    switch (script) {
      case "start":
        parseCliOptions(flags.map(localPath), {});
        break;
      case "invoke": {
        const options = parseInvokeOptions(flags);
        return options.path === undefined ? [] : checkQuery(new URL(options.path, "http://localhost").search, false);
      }
      case "bench":
        parseArgs({ args: flags, options: BENCH_FLAGS, strict: true, allowPositionals: false });
        break;
      case "deploy":
      case "destroy":
        parseDeployOptions(script, flags);
        break;
      case "url":
        parseUrlOptions(flags);
        break;
      case "local-aws":
        parseLocalAwsOptions(flags, ROOT);
        break;
      default:
        return [`npm ${args.join(" ")}: add a check for the flags of the ${script} script`];
    }
  } catch (error) {
    return [`npm ${args.join(" ")}: ${(error as Error).message}`];
  }
  return [];
}

/**
 * Paths are the project's; a file an earlier README line copied (`cp env.example.json env.json`)
 * is that copy, made here from the committed source. A file nothing made is left as written, so
 * `npm start` refuses it as a fresh clone would.
 */
function localPath(arg: string): string {
  const source = COPIED.get(arg);
  if (source !== undefined) {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "readme-cp-")), path.basename(arg));
    fs.copyFileSync(path.join(ROOT, source), file);
    return file;
  }
  return !arg.startsWith("-") && fs.existsSync(path.join(ROOT, arg)) ? path.join(ROOT, arg) : arg;
}

/** `cp SOURCE COPY`: the source is a committed file, the copy one git ignores (it holds local values). */
function checkCp(args: readonly string[]): string[] {
  if (args.length !== 2 || args.some((a) => a.startsWith("-"))) {
    return [`cp ${args.join(" ")}: expected cp SOURCE COPY`];
  }
  const [source, copy] = args;
  if (!fs.existsSync(path.join(ROOT, source))) {
    return [`cp ${source}: the project has no such file`];
  }
  if (!read(".gitignore").split("\n").includes(`/${copy}`)) {
    return [`cp … ${copy}: .gitignore must list /${copy}, or local values end up in git`];
  }
  COPIED.set(copy, source);
  return [];
}

function checkTerraform(args: readonly string[]): string[] {
  const problems: string[] = [];
  let rest = [...args];
  const chdir = rest[0]?.startsWith("-chdir=") ? rest.shift()?.slice("-chdir=".length) : undefined;
  if (chdir !== undefined && chdir !== STACK_DIR) {
    problems.push(`terraform -chdir=${chdir}: the default stack's folder is ${STACK_DIR}`);
  }
  const sub = rest.shift();
  if (sub === "init") {
    return chdir === undefined ? [...problems, "terraform init: run it in the stack folder (-chdir)"] : problems;
  }
  if (sub !== "output") {
    return [...problems, `add a check for this README command: terraform ${args.join(" ")}`];
  }
  const state = rest.find((a) => a.startsWith("-state="))?.slice("-state=".length);
  if (state === undefined && chdir === undefined) {
    problems.push("terraform output: needs -state=FILE or -chdir=STACK");
  }
  if (state !== undefined && state !== STATE_FILE) {
    problems.push(`terraform output -state=${state}: the default stack's state file is ${STATE_FILE}`);
  }
  rest = rest.filter((a) => !a.startsWith("-state="));
  if (rest[0] !== "-raw" || !STACK_OUTPUTS.has(rest[1]) || rest.length !== 2) {
    problems.push(`terraform output ${rest.join(" ")}: the stack's outputs are ${[...STACK_OUTPUTS].join(", ")}`);
  }
  return problems;
}

function checkCurl(args: readonly string[]): string[] {
  const printed = PRINTED_CURL.flat();
  const problems: string[] = [];
  const urls: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("-")) {
      urls.push(arg);
      continue;
    }
    if (!printed.includes(arg)) {
      problems.push(
        `curl ${arg}: npm start's curl line has no such flag (it has ${[...new Set(printed.filter((w) => w.startsWith("-")))].join(" ")})`,
      );
      continue;
    }
    if (arg === "-N") continue;
    const value = args[++i];
    const printedValues = PRINTED_CURL.flatMap((words) => words.flatMap((w, k) => (w === arg ? [words[k + 1]] : [])));
    const asPrinted = printedValues.some((v) => v === value || v.replace(`:${DEFAULTS.region}:`, ":$REGION:") === value);
    if (!asPrinted && !(arg === "--user" && /^AKIA\w+:\S+$/.test(value))) {
      problems.push(`curl ${arg} ${value}: npm start prints ${printedValues.join(" or ")}`);
    }
    if (value?.includes("$REGION") && !ASSIGNED.get("REGION")?.includes("-raw region")) {
      problems.push("curl: $REGION is not set from the stack's region output earlier in the README");
    }
  }
  if (urls.length !== 1) {
    return [...problems, `curl: expected one URL, got ${urls.length}`];
  }
  const url = urls[0];
  const deployed = /^\$\{?URL\}?/.exec(url);
  if (deployed) {
    const source = ASSIGNED.get("URL");
    if (source !== "npm run -s url" && source !== "npm run -s url -- --local" && !source?.includes("-raw function_url")) {
      problems.push("curl: $URL is not set from npm run -s url (-- --local) (or the stack's function_url output) earlier in the README");
    }
    return [...problems, ...checkQuery(url.slice(deployed[0].length), true)];
  }
  const local = parseCliOptions([], {});
  const parsed = new URL(url);
  if (parsed.origin !== `http://${local.host}:${local.port}`) {
    problems.push(`curl ${url}: npm start serves http://${local.host}:${local.port}/ by default`);
  }
  return [...problems, ...checkQuery(parsed.search, true)];
}

/** The handler's parameters, valid; sorted when curl signs them (curl 7.x signs in typed order). */
function checkQuery(search: string, mustBeSorted: boolean): string[] {
  const params = new URLSearchParams(search);
  const names = [...params.keys()];
  const problems = names.filter((n) => !["count", "chunk", "delay"].includes(n)).map((n) => `query: the handler has no parameter ${n}`);
  if (mustBeSorted && names.join() !== [...names].sort().join()) {
    problems.push(`query ${search}: curl 7.x signs parameters in the order typed; list them alphabetically`);
  }
  const result = parseStreamOptions({ rawQueryString: search.replace(/^\?/, "") });
  return result.ok ? problems : [...problems, `query ${search}: ${result.error}`];
}

/** `node FILE`: a script the project has, outside the folders the other checks cover (examples/). */
function checkNode(args: readonly string[]): string[] {
  if (args.length !== 1 || !args[0].startsWith("examples/")) {
    return [`node ${args.join(" ")}: expected node examples/FILE`];
  }
  return fs.existsSync(path.join(ROOT, args[0])) ? [] : [`node ${args[0]}: the project has no such file`];
}

/** The AWS CLI line `npm start` prints for its Lambda API, as words, for the default port and stack. */
const PRINTED_API_COMMAND = shellWords(
  apiCommand({ functionName: DEFAULTS.stackName, region: DEFAULTS.region } as FunctionConfig, LOCAL_API_URL, undefined),
)[0];

function checkAws(args: readonly string[]): string[] {
  if (args.includes("--endpoint-url")) {
    const printed = PRINTED_API_COMMAND.join(" ");
    return ["aws", ...args].join(" ") === printed ? [] : [`aws ${args.join(" ")}: npm start prints ${printed}`];
  }
  const substitutions = args.flatMap((a) => [...a.matchAll(/\$\((terraform [^)]*)\)/g)].map((m) => m[1]));
  if (substitutions.length === 0) {
    return [`aws ${args.join(" ")}: an aws command must take its value from a stack output ($(terraform output …))`];
  }
  return substitutions.flatMap((inner) => checkCommand(inner));
}

// ---------------------------------------------------------------------------------------------

const COMMANDS = readmeCommands(README);

describe("every command in the README is one this project has", () => {
  test("the README has commands, the two of the quick start first", () => {
    expect(COMMANDS.slice(0, 2).map((c) => c.text)).toEqual(["npm install", "npm start"]);
    expect(COMMANDS.length).toBeGreaterThan(15);
  });

  test("the example --env-vars file the README names is one npm start reads, with a value for every function and one for the stack's", () => {
    expect(README).toContain("as `env.example.json` shows");
    const values = readEnvVarsFile(path.join(ROOT, "env.example.json"), DEFAULTS.stackName);
    expect(Object.keys(values)).toEqual(["LOG_LEVEL", "GREETING"]);
  });

  test("npm start -- --env-vars env.json is shown after the cp that makes env.json", () => {
    const texts = COMMANDS.map((c) => c.text);
    const copy = texts.indexOf("cp env.example.json env.json");
    expect(copy).toBeGreaterThan(-1);
    expect(texts.findIndex((t) => t.includes("--env-vars env.json"))).toBeGreaterThan(copy);
  });

  // In README order: a later curl line relies on the URL=$(…) lines before it.
  test.each(COMMANDS.map((c) => [c.source, c.text]))("%s: %s", (_source, text) => {
    expect(checkCommand(text)).toEqual([]);
  });
});

describe("the checks fail on what a stale README would say", () => {
  test.each([
    ["a renamed npm start flag", "npm start -- --wach", /Unknown option '--wach'/],
    ["a bad flag value", "npm start -- --port 99999", /--port must be a whole number/],
    ["a missing script", "npm run deploy-all", /no script "deploy-all"/],
    ["flags for a script without a parser", "npm run synth -- --quiet", /add a check for the flags/],
    ["a renamed invoke flag", "npm run invoke -- --locale", /Unknown option '--locale'/],
    ["a renamed bench flag", "npm run bench -- --plots", /Unknown option '--plots'/],
    ["a renamed deploy flag", "npm run deploy -- --locale", /Unknown option '--locale'/],
    ["a destroy with a stack named as an argument", "npm run destroy -- lambda-streaming", /takes flags only/],
    ["a url flag it lacks", "npm run -s url -- --json", /Unknown option '--json'/],
    ["a local-aws flag it lacks", "npm run local-aws -- --stat x", /Unknown option '--stat'/],
    ["an output the stack lacks", "terraform output -state=terraform.lambda-streaming.tfstate -raw url", /outputs are/],
    ["another state file", "terraform output -state=terraform.tfstate -raw region", /state file is terraform.lambda-streaming.tfstate/],
    ["a curl flag npm start never prints", 'curl -N --compressed "http://127.0.0.1:3000/"', /no such flag/],
    ["a curl line for another port", "curl -N http://127.0.0.1:8080/", /serves http:\/\/127.0.0.1:3000/],
    ["an unsorted signed query", 'curl -N "http://127.0.0.1:3000/?count=3&chunk=1"', /alphabetically/],
    ["a query parameter the handler lacks", 'curl -N "http://127.0.0.1:3000/?cars=3"', /no parameter cars/],
    ["an aws command without a stack output", "aws lambda invoke --function-name x out.json", /stack output/],
    [
      "a local AWS CLI line npm start does not print",
      "aws lambda invoke-with-response-stream --endpoint-url http://127.0.0.1:3002 --function-name lambda-streaming /dev/stdout",
      /npm start prints aws lambda invoke-with-response-stream --endpoint-url http:\/\/127\.0\.0\.1:3001 /,
    ],
    ["another Lambda API endpoint", "AWS_ENDPOINT_URL_LAMBDA=http://127.0.0.1:4001 node examples/stream-from-code.mjs", /by default/],
    ["a script the project lacks", "node examples/missing.mjs", /the project has no such file/],
    ["a configuration value the stack refuses", "FUNCTION_URL_AUTH=PUBLIC npm run deploy", /FUNCTION_URL_AUTH must be AWS_IAM or NONE/],
    ["an unknown variable", "LAMBDA_TRANSPORT=native npm start", /no source file reads this variable/],
    ["a command nobody checks", "make deploy", /add a check for this README command/],
    ["npm's banner in a captured URL", "URL=$(npm run url)", /capture it as \$\(npm run -s …\)/],
    ["a copy of a file the project lacks", "cp env.sample.json env.json", /the project has no such file/],
    ["a copy git would commit", "cp env.example.json mine.json", /\.gitignore must list \/mine\.json/],
  ])("%s", (_what, command, problem) => {
    expect(checkCommand(command).join("\n")).toMatch(problem);
  });

  test("the extractor joins continuations and skips comments and output", () => {
    const markdown = ["```sh", "npm start -- \\", "  --watch   # reload", "# output line", "```", "", "Run `npm run lint`."].join("\n");
    expect(readmeCommands(markdown)).toEqual([
      { text: "npm start -- --watch", source: "block" },
      { text: "npm run lint", source: "inline" },
    ]);
  });

  test("a flag renamed in a copy of the README fails its line", () => {
    const stale = README.replace("npm start -- --watch", "npm start -- --reload");
    const problems = readmeCommands(stale).flatMap((c) => checkCommand(c.text));
    expect(problems.join("\n")).toMatch(/Unknown option '--reload'/);
  });
});
