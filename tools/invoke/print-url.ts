// `npm run url`: the deployed stack's URL alone on stdout (`public_url` when the stack has one,
// else `function_url`), for `URL=$(npm run -s url)`; with --local, this machine's (the stack
// deployed into the running local AWS, else npm start's, as `npm run invoke -- --local` chooses).
// With nothing to print it prints nothing there, says why on stderr in the sentence `npm run
// invoke` uses, and exits 1, so `$URL` is never a warning that a following curl reads as a URL.

import * as path from "node:path";
import type { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { ConfigError } from "../../lib/config";
import { UsageError } from "../../support/usage-error";
import { deployedUrl } from "./function-url-target";
import { chooseLocal, describeBoth, localAwsHint, servedLocally } from "./local-deployment";
import { TargetError } from "./target-error";

const URL_USAGE = `Usage: npm run -s url [-- --local]
Prints the deployed stack's URL and nothing else (public_url when the stack has one, else
function_url), read from its Terraform state; exits 1 with the reason when there is none.
--local: this machine's, as npm run invoke -- --local calls it: the stack deployed into the
running local AWS (terraform.<stack>.local-aws.tfstate), else the URL a running npm start serves.
-s keeps npm's own lines out of the output: URL=$(npm run -s url).`;

export interface UrlOptions {
  readonly local: boolean;
  readonly help: boolean;
}

/** `npm run url`'s flags; a UsageError naming the bad one. */
export function parseUrlOptions(argv: readonly string[]): UrlOptions {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { local: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    });
    return { local: values.local === true, help: values.help === true };
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split("\n")[0]}. npm run url takes --local and --help only.`);
  }
}

/** `npm run url` with `argv`; the exit code. */
export function printUrl(
  argv: readonly string[],
  io: { env: NodeJS.ProcessEnv; projectRoot: string; stdout: Writable; stderr: Writable },
): number {
  let values: UrlOptions;
  try {
    values = parseUrlOptions(argv);
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n${URL_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(`${URL_USAGE}\n`);
    return 0;
  }
  try {
    io.stdout.write(`${values.local ? localUrl(io) : deployedUrl(io.projectRoot, io.env, "").url}\n`);
    return 0;
  } catch (error) {
    if (error instanceof TargetError || error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

/** --local's URL, or a TargetError that says what to start. */
function localUrl(io: { env: NodeJS.ProcessEnv; projectRoot: string; stderr: Writable }): string {
  const choice = chooseLocal(io.projectRoot, io.env);
  const both = describeBoth(choice);
  if (both) io.stderr.write(`${both}\n`);
  if (choice.deployment) {
    return servedLocally(choice.deployment, choice.npmStart);
  }
  if (choice.npmStart.recorded === undefined) {
    throw new TargetError(`No URL found on this machine: ${localAwsHint(io.projectRoot)}, and no npm start is running (\`npm start\`).`);
  }
  return choice.npmStart.url;
}

if (require.main === module) {
  process.exitCode = printUrl(process.argv.slice(2), {
    env: process.env,
    projectRoot: path.join(__dirname, "..", ".."),
    stdout: process.stdout,
    stderr: process.stderr,
  });
}
