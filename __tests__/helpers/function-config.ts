// The function the local Function URL tests serve: a fixture handler under __tests__/fixtures,
// public, streaming, with Lambda's smallest settings unless a test says otherwise.

import * as path from "node:path";
import type { FunctionConfig } from "../../emulator/common/function-config";

/** __tests__/fixtures/handlers: the fixture handlers most tests serve. */
export const HANDLER_FIXTURES = path.join(__dirname, "..", "fixtures", "handlers");

export function fixtureFunction(overrides: Partial<FunctionConfig> & Pick<FunctionConfig, "functionName" | "handler">): FunctionConfig {
  return {
    region: "us-east-1",
    runtime: "nodejs22.x",
    memoryMb: 128,
    timeoutSeconds: 3,
    environment: {},
    bundleDir: HANDLER_FIXTURES,
    invokeMode: "RESPONSE_STREAM",
    authType: "NONE",
    ...overrides,
  };
}
