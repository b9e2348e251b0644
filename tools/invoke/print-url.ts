// `npm run url`: the deployed stack's URL alone on stdout (`public_url` when the stack has one,
// else `function_url`), for `URL=$(npm run -s url)`. With nothing deployed it prints nothing there,
// says why on stderr in the sentence `npm run invoke` uses, and exits 1, so `$URL` is never a
// warning that a following curl reads as a URL.

import * as path from "node:path";
import type { Writable } from "node:stream";
import { ConfigError } from "../../lib/config";
import { deployedUrl } from "./function-url-target";
import { TargetError } from "./target-error";

const URL_USAGE = `Usage: npm run -s url
Prints the deployed stack's URL and nothing else (public_url when the stack has one, else
function_url), read from its Terraform state; exits 1 with the reason when there is none.
-s keeps npm's own lines out of the output: URL=$(npm run -s url).`;

/** `npm run url` with `argv`; the exit code. */
export function printUrl(
  argv: readonly string[],
  io: { env: NodeJS.ProcessEnv; projectRoot: string; stdout: Writable; stderr: Writable },
): number {
  if (argv.length > 0) {
    const help = argv.length === 1 && (argv[0] === "--help" || argv[0] === "-h");
    (help ? io.stdout : io.stderr).write(`${help ? "" : `npm run url takes no arguments (got ${argv.join(" ")}).\n`}${URL_USAGE}\n`);
    return help ? 0 : 2;
  }
  try {
    io.stdout.write(`${deployedUrl(io.projectRoot, io.env, "").url}\n`);
    return 0;
  } catch (error) {
    if (error instanceof TargetError || error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) {
  process.exitCode = printUrl(process.argv.slice(2), {
    env: process.env,
    projectRoot: path.join(__dirname, "..", ".."),
    stdout: process.stdout,
    stderr: process.stderr,
  });
}
