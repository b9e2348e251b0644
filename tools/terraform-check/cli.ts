// `npm run validate`: synthesize the stack in each auth mode and check it with the real
// terraform binary and aws provider, offline. Prints each mode's plan summary, or terraform's
// diagnostics verbatim, and exits non-zero on any failure.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError } from "../../lib/config";
import { checkStack, TerraformCheckError } from "./check-stack";
import { findPluginMirror, PluginMirrorError } from "./plugin-mirror";
import { MODES, synthesizeMode } from "./synth-modes";
import { terraformVersion } from "./terraform";

async function main(): Promise<number> {
  const version = terraformVersion();
  if (version === undefined) {
    console.error("terraform is not on PATH; install Terraform 1.10 or newer (https://developer.hashicorp.com/terraform/install).");
    return 1;
  }
  const mirror = findPluginMirror();
  const how = { TF_PLUGIN_DIR: "TF_PLUGIN_DIR", implied: "an implied mirror folder", search: "found by searching this machine" }[
    mirror.foundBy
  ];
  console.log(`terraform ${version}; providers from ${mirror.dir} (${how})`);
  console.log(
    mirror.hasArchive
      ? "archive_file: the real hashicorp/archive provider"
      : "archive_file: zipped by the check's stand-in (hashicorp/archive is not in the mirror)",
  );
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-streaming-validate-"));
  try {
    const results = await Promise.all(
      MODES.map(async (mode) => {
        const { stackDir } = synthesizeMode(mode, path.join(scratch, "synth"));
        return { mode, ...(await checkStack(stackDir, path.join(scratch, "work", mode), mirror)) };
      }),
    );
    for (const result of results) {
      const creates = Object.entries(result.creates).map(([type, n]) => (n > 1 ? `${type} ×${n}` : type));
      console.log(`${result.mode.padEnd(7)} valid. ${result.summary} (${creates.join(", ")})`);
    }
    return 0;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof PluginMirrorError || error instanceof ConfigError || error instanceof TerraformCheckError) {
      console.error(error.message);
    } else {
      console.error(error);
    }
    process.exit(1);
  },
);
