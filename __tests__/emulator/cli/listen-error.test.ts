import { asApiListenError, asInspectListenError, asLocalAwsListenError, listenErrorMessage } from "../../../emulator/cli/listen-error";

/** An error shaped as Node's `server.listen` emits it. */
function listenError(code: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(`listen ${code}`), { code, ...fields });
}

describe("listenErrorMessage", () => {
  test.each([
    [
      listenError("EADDRNOTAVAIL", { address: "10.255.255.1", port: 3000 }),
      "Cannot listen on 10.255.255.1:3000: 10.255.255.1 is not an address of this machine (EADDRNOTAVAIL); use --host 127.0.0.1, --host 0.0.0.0 (every interface) or one of this machine's addresses.",
    ],
    [
      listenError("EADDRINUSE", { address: "127.0.0.1", port: 3000 }),
      "Cannot listen on 127.0.0.1:3000: the port is in use (EADDRINUSE); pick another with --port or PORT (0 picks a free one).",
    ],
    [
      listenError("EACCES", { address: "127.0.0.1", port: 80 }),
      "Cannot listen on 127.0.0.1:80: not permitted (EACCES); ports below 1024 need privileges, use --port 3000 or another above 1023.",
    ],
    [
      listenError("ENOTFOUND", { hostname: "no-such-host.invalid" }),
      'Cannot listen on --host "no-such-host.invalid": the name does not resolve (ENOTFOUND); use an IP address such as 127.0.0.1, or a name this machine resolves.',
    ],
  ])("explains %s in one line naming the value and the fix", (error, message) => {
    expect(listenErrorMessage(error)).toBe(message);
  });

  test("leaves other errors alone", () => {
    expect(listenErrorMessage(new Error("boom"))).toBeUndefined();
  });
});

test("a Lambda API port in use names --api-port, not --port", () => {
  const error = asApiListenError(Object.assign(new Error("listen EADDRINUSE"), { code: "EADDRINUSE", address: "127.0.0.1", port: 3001 }));
  expect(listenErrorMessage(error)).toBe(
    "Cannot listen on 127.0.0.1:3001 for the Lambda API: the port is in use (EADDRINUSE); pick another with --api-port (0 turns the API off), or move both with --port.",
  );
});

test("the debugger's port in use names --inspect", () => {
  const error = asInspectListenError(
    Object.assign(new Error("listen EADDRINUSE"), { code: "EADDRINUSE", address: "127.0.0.1", port: 9229 }),
  );
  expect(listenErrorMessage(error)).toBe(
    "Cannot listen on 127.0.0.1:9229 for the debugger: the port is in use (EADDRINUSE), perhaps by another --inspect; pick another with --inspect PORT.",
  );
});

test("npm run local-aws's port in use names --port alone: it reads no PORT", () => {
  const error = asLocalAwsListenError(
    Object.assign(new Error("listen EADDRINUSE"), { code: "EADDRINUSE", address: "127.0.0.1", port: 4566 }),
  );
  expect(listenErrorMessage(error)).toBe(
    "Cannot listen on 127.0.0.1:4566: the port is in use (EADDRINUSE); pick another with --port (0 picks a free one).",
  );
});
