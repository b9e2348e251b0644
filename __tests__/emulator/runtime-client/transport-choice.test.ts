import { chosenTransport, describeTransport } from "../../../emulator/runtime-client/transport-choice";
import { UsageError } from "../../../support/usage-error";

describe("chosenTransport", () => {
  test.each([
    [{}, "node"],
    [{ LAMBDA_RUNTIME_TRANSPORT: "" }, "node"],
    [{ LAMBDA_RUNTIME_TRANSPORT: "node" }, "node"],
    [{ LAMBDA_RUNTIME_TRANSPORT: "native" }, "native"],
  ])("%p chooses %s", (env, transport) => {
    expect(chosenTransport(env)).toBe(transport);
  });

  test("refuses anything else in one line naming the value and the choices", () => {
    expect(() => chosenTransport({ LAMBDA_RUNTIME_TRANSPORT: "curl" })).toThrow(UsageError);
    expect(() => chosenTransport({ LAMBDA_RUNTIME_TRANSPORT: "curl" })).toThrow(
      /LAMBDA_RUNTIME_TRANSPORT is "curl"; use node .* or native/,
    );
  });

  test("names each transport for the start line", () => {
    expect(describeTransport("node")).toBe("Node.js transport (emulator/runtime-client)");
    expect(describeTransport("native")).toBe("compiled transport (rapid-client.node)");
  });
});
