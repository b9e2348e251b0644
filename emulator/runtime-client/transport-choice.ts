// Which transport the runtime processes use, from LAMBDA_RUNTIME_TRANSPORT: `node` (the default,
// this folder's TypeScript) or `native` (aws-lambda-ric's compiled client, where it was built).

import { UsageError } from "../../support/usage-error";

export type RuntimeTransport = "node" | "native";

const TRANSPORT_VARIABLE = "LAMBDA_RUNTIME_TRANSPORT";

/** The transport `env` asks for; `node` when it asks for none. */
export function chosenTransport(env: NodeJS.ProcessEnv = process.env): RuntimeTransport {
  const value = env[TRANSPORT_VARIABLE];
  if (value === undefined || value === "" || value === "node") {
    return "node";
  }
  if (value === "native") {
    return "native";
  }
  throw new UsageError(
    `${TRANSPORT_VARIABLE} is "${value}"; use node (the default, no compiler needed) or native (aws-lambda-ric's compiled client)`,
  );
}

/** How the start line names it. */
export function describeTransport(transport: RuntimeTransport): string {
  return transport === "node" ? "Node.js transport (emulator/runtime-client)" : "compiled transport (rapid-client.node)";
}
