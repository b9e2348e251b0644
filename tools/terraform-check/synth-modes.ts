// Synthesizes the stack once per Function URL auth mode, each into its own output folder, with
// the rest of the configuration taken from the environment as `cdktf synth` would.

import * as path from "node:path";
import { type FunctionUrlAuth, readConfig } from "../../lib/config";
import { synthesizeStack } from "../../lib/synthesize";

export const MODES: readonly FunctionUrlAuth[] = ["AWS_IAM", "NONE"];

export interface SynthesizedMode {
  readonly mode: FunctionUrlAuth;
  /** The stack folder: `<outdir>/<mode>/stacks/<stack name>`. */
  readonly stackDir: string;
}

/** Synthesizes `mode` into `<outdir>/<mode>`. */
export function synthesizeMode(mode: FunctionUrlAuth, outdir: string, env: NodeJS.ProcessEnv = process.env): SynthesizedMode {
  return { mode, stackDir: synthesizeStack(readConfig({ ...env, FUNCTION_URL_AUTH: mode }), path.join(outdir, mode)) };
}
