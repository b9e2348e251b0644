// Synthesizes the stack once per way of calling its URL, each into its own output folder, with
// the rest of the configuration taken from the environment as `cdktf synth` would.

import * as path from "node:path";
import { readConfig } from "../../lib/config";
import { synthesizeStack } from "../../lib/synthesize";

/** Private (`AWS_IAM`), public direct (`NONE`), public through CloudFront (`cloudfront`). */
export const MODES = ["AWS_IAM", "NONE", "cloudfront"] as const;
export type CheckMode = (typeof MODES)[number];

/** The variables that choose each mode; an empty value counts as unset, so the caller's own choice never leaks in. */
export const MODE_VARIABLES: Readonly<Record<CheckMode, Readonly<Record<string, string>>>> = {
  AWS_IAM: { FUNCTION_URL_AUTH: "AWS_IAM", PUBLIC_ACCESS: "" },
  NONE: { FUNCTION_URL_AUTH: "NONE", PUBLIC_ACCESS: "" },
  cloudfront: { FUNCTION_URL_AUTH: "AWS_IAM", PUBLIC_ACCESS: "cloudfront" },
};

export interface SynthesizedMode {
  readonly mode: CheckMode;
  /** The stack folder: `<outdir>/<mode>/stacks/<stack name>`. */
  readonly stackDir: string;
}

/** Synthesizes `mode` into `<outdir>/<mode>`. */
export function synthesizeMode(mode: CheckMode, outdir: string, env: NodeJS.ProcessEnv = process.env): SynthesizedMode {
  return { mode, stackDir: synthesizeStack(readConfig({ ...env, ...MODE_VARIABLES[mode] }), path.join(outdir, mode)) };
}
