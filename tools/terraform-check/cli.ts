// `npm run validate`: synthesize the stack in each mode (AWS_IAM, NONE, cloudfront) and check them
// with the real terraform binary and aws provider, offline, in one plan. Prints each mode's share
// of the plan and terraform's own summary, or terraform's diagnostics verbatim, and exits
// non-zero on any failure.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError } from "../../lib/config";
import { checkStacks, TerraformCheckError } from "./check-stack";
import { findPluginMirror, PluginMirrorError } from "./plugin-mirror";
import { MODES, synthesizeMode } from "./synth-modes";
import { terraformVersion } from "./terraform";

/** What `runValidate` uses; tests give stand-ins, the command the real ones. */
export interface ValidateTools {
  readonly terraformVersion: typeof terraformVersion;
  readonly findPluginMirror: typeof findPluginMirror;
  readonly checkStacks: typeof checkStacks;
}

const REAL_TOOLS: ValidateTools = { terraformVersion, findPluginMirror, checkStacks };

/** `npm run validate` without the process around it: the exit code; lines go to `out` and `err`. */
export async function runValidate(
  out: (line: string) => void,
  err: (line: string) => void,
  tools: ValidateTools = REAL_TOOLS,
): Promise<number> {
  try {
    return await validate(out, err, tools);
  } catch (error) {
    if (error instanceof PluginMirrorError || error instanceof ConfigError || error instanceof TerraformCheckError) {
      err(error.message);
      return 1;
    }
    throw error;
  }
}

async function validate(out: (line: string) => void, err: (line: string) => void, tools: ValidateTools): Promise<number> {
  const version = tools.terraformVersion();
  if (version === undefined) {
    err("terraform is not on PATH; install Terraform 1.10 or newer (https://developer.hashicorp.com/terraform/install).");
    return 1;
  }
  const mirror = tools.findPluginMirror();
  out(`terraform ${version}; providers from ${mirror.dir} (${mirror.foundBy})`);
  out(
    mirror.hasArchive
      ? "archive_file: the real hashicorp/archive provider"
      : "archive_file: zipped by the check's stand-in (hashicorp/archive is not in the mirror)",
  );
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-streaming-validate-"));
  try {
    const stacks = Object.fromEntries(MODES.map((mode) => [mode, synthesizeMode(mode, path.join(scratch, "synth")).stackDir]));
    // Every mode a module of one root: one terraform init and one plan for all of them.
    const checked = await tools.checkStacks(stacks, path.join(scratch, "work"), mirror);
    const width = Math.max(...MODES.map((mode) => mode.length));
    for (const mode of MODES) {
      const { summary, creates } = checked.stacks[mode];
      const types = Object.entries(creates).map(([type, n]) => (n > 1 ? `${type} ×${n}` : type));
      out(`${mode.padEnd(width)} valid. ${summary} (${types.join(", ")})`);
    }
    out(`terraform's summary of the one plan of all ${MODES.length} modes: ${checked.summary}`);
    return 0;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runValidate(
    (line) => console.log(line),
    (line) => console.error(line),
  ).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
