// `npm run deploy -- [--local] [--auto-approve]` and the same for destroy: the flags, parsed with
// util.parseArgs; a bad one is a UsageError (exit 2) that names it and the flags there are.

import { parseArgs } from "node:util";
import { UsageError } from "../../support/usage-error";

/** What the command does: cdktf's verb of the same name. */
export type DeployCommand = "deploy" | "destroy";

export interface DeployOptions {
  readonly command: DeployCommand;
  /** Into the local AWS `npm run local-aws` runs, with its own state and output folder. */
  readonly local: boolean;
  /** Passed on to cdktf: apply (or destroy) without asking. --local always approves. */
  readonly autoApprove: boolean;
  readonly help: boolean;
}

export function deployUsage(command: DeployCommand): string {
  const verb = command === "deploy" ? "synth, then terraform apply" : "terraform destroy";
  return [
    `Usage: npm run ${command} -- [--local] [--auto-approve]`,
    `cdktf ${command} (${verb}), after checking the configuration and what it needs from this machine.`,
    "",
    "  --local         into the local AWS that `npm run local-aws` runs (its endpoint and key pair from .local-aws.json):",
    "                  state in terraform.<stack>.local-aws.tfstate, terraform's folder cdktf.out.local-aws/; never the real",
    "                  deployment's state, its S3 bucket or your credentials' account. Approves on its own (the account is this machine's).",
    "  --auto-approve  do not ask before changing anything (cdktf's flag)",
    "  --help, -h      print this help and exit",
  ].join("\n");
}

const FLAGS = {
  local: { type: "boolean" },
  "auto-approve": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export function parseDeployOptions(command: DeployCommand, argv: readonly string[]): DeployOptions {
  let values: { local?: boolean; "auto-approve"?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }));
  } catch (error) {
    const positional = argv.find((arg) => !arg.startsWith("-"));
    if ((error as NodeJS.ErrnoException).code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL" && positional !== undefined) {
      throw new UsageError(
        `npm run ${command} takes flags only (got ${JSON.stringify(positional)}): the stack is the one configured (STACK_NAME); flags go after --, as in npm run ${command} -- --local`,
      );
    }
    throw new UsageError(`${(error as Error).message.split("\n")[0]}. Allowed flags: --local, --auto-approve, --help`);
  }
  return { command, local: values.local === true, autoApprove: values["auto-approve"] === true, help: values.help === true };
}
