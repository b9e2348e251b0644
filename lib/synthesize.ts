// Synthesizes the stack in-process into an output folder, as `cdktf synth` does, for the tools
// that need a stack folder (the offline terraform check, the local Function URL).

import * as fs from "node:fs";
import * as path from "node:path";
import { App } from "cdktf";
import type { StackConfig } from "./config";
import { LambdaStreamingStack } from "./lambda-streaming-stack";

/** Synthesizes `config` into `outdir`; returns the stack folder, `<outdir>/stacks/<stack name>`. */
export function synthesizeStack(config: StackConfig, outdir: string): string {
  fs.mkdirSync(outdir, { recursive: true });
  const app = new App({ outdir });
  new LambdaStreamingStack(app, config);
  app.synth();
  return path.join(outdir, "stacks", config.stackName);
}
