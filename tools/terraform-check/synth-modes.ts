// Synthesizes the stack once per Function URL auth mode, each into its own output folder, with
// the rest of the configuration taken from the environment as `cdktf synth` would.

import * as fs from "node:fs";
import * as path from "node:path";
import { App } from "cdktf";
import { readConfig, type FunctionUrlAuth } from "../../lib/config";
import { LambdaStreamingStack } from "../../lib/lambda-streaming-stack";

export const MODES: readonly FunctionUrlAuth[] = ["AWS_IAM", "NONE"];

export interface SynthesizedMode {
  readonly mode: FunctionUrlAuth;
  /** The stack folder: `<outdir>/<mode>/stacks/<stack name>`. */
  readonly stackDir: string;
}

/** Synthesizes `mode` into `<outdir>/<mode>`. */
export function synthesizeMode(mode: FunctionUrlAuth, outdir: string, env: NodeJS.ProcessEnv = process.env): SynthesizedMode {
  const config = readConfig({ ...env, FUNCTION_URL_AUTH: mode });
  const modeOutdir = path.join(outdir, mode);
  fs.mkdirSync(modeOutdir, { recursive: true });
  const app = new App({ outdir: modeOutdir });
  new LambdaStreamingStack(app, config);
  app.synth();
  return { mode, stackDir: path.join(modeOutdir, "stacks", config.stackName) };
}
