// How a runtime process is started: which Node.js binary (22, as nodejs22.x), which bootstrap,
// which transport the runtime interface client runs on, and the V8 flags Lambda gives a function
// of a given memory size.

import * as fs from "node:fs";
import * as path from "node:path";
import { bundleRuntimeClient } from "../runtime-client/bundle";
import { chosenTransport, type RuntimeTransport } from "../runtime-client/transport-choice";

/** The runtime interface client or the Node.js 22 binary is not installed. */
export class RuntimeMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RuntimeMissingError";
  }
}

/** How to start a runtime process. */
export interface RuntimeCommand {
  /** The Node.js binary: 22, to match `nodejs22.x`. */
  readonly node: string;
  /** The script that starts the runtime interface client. */
  readonly bootstrap: string;
  /** Which transport carries the client's Runtime API calls. */
  readonly transport: RuntimeTransport;
  /** The bootstrap's arguments: the transport, and for `node` the transport bundle's path. */
  readonly bootstrapArgs: readonly string[];
}

/**
 * The flags Lambda's Node.js bootstrap starts the runtime with: a tenth of the memory for V8's
 * young generation (half of it per semi-space), the rest for the old one.
 * @see https://github.com/lambci/node-custom-lambda (copies of /var/runtime/bootstrap from the nodejs images)
 */
export function lambdaNodeFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [
    "--expose-gc",
    "--max-http-header-size=81920",
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${memoryMb - newSpace}`,
  ];
}

/**
 * Finds the Node.js 22 binary (npm package `node`) and the runtime interface client's JavaScript
 * (npm package `aws-lambda-ric`), and prepares the transport LAMBDA_RUNTIME_TRANSPORT chooses: by
 * default this project's (emulator/runtime-client/, bundled now); `native` needs the client's
 * compiled part, which is built only where its build tools are.
 * @throws RuntimeMissingError naming what is missing and how to install it.
 */
export function locateRuntime(env: NodeJS.ProcessEnv = process.env): RuntimeCommand {
  const transport = chosenTransport(env);
  const install = "Both are optional dependencies of this project: run `npm install` (no compiler needed).";
  let ric: string;
  try {
    ric = path.dirname(require.resolve("aws-lambda-ric/package.json"));
  } catch {
    throw new RuntimeMissingError(
      "The Lambda runtime interface client (npm package aws-lambda-ric) is not installed. " +
        "npm 10 runs its native build, which ignores package.json's allowScripts and drops the package where the build fails: " +
        "run `npm install --ignore-scripts` once more (it adds the package's JavaScript only), or install with npm 11.",
    );
  }
  if (transport === "native" && !fs.existsSync(path.join(ric, "dist", "rapid-client.node"))) {
    throw new RuntimeMissingError(
      "LAMBDA_RUNTIME_TRANSPORT=native needs aws-lambda-ric's compiled client (dist/rapid-client.node), which is not built. " +
        "Build it with `npm rebuild aws-lambda-ric --dangerously-allow-all-scripts` after installing its tools " +
        "(Debian/Ubuntu: `apt-get install -y autoconf automake libtool cmake make g++ python3`; it does not build on macOS), or unset LAMBDA_RUNTIME_TRANSPORT.",
    );
  }
  let node: string;
  try {
    node = path.join(path.dirname(require.resolve("node/package.json")), "bin", "node");
  } catch {
    throw new RuntimeMissingError(`The Node.js 22 binary (npm package node@22) is not installed. ${install}`);
  }
  const bootstrapArgs = transport === "node" ? ["node", bundleRuntimeClient()] : ["native"];
  return { node, bootstrap: path.join(__dirname, "runtime-bootstrap.mjs"), transport, bootstrapArgs };
}
