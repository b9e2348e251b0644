// Suites that need a tool this machine may lack (terraform, the Lambda runtime client) run only
// when it is there. Otherwise they are reported as skipped, loudly, with the reason on one line;
// with CI=true they fail instead, so CI can never pass by skipping them.

/** `describe` when `missing` is undefined; otherwise a loud skip, or a failure under CI. */
export function describeWhenAvailable(name: string, missing: string | undefined, body: () => void): void {
  if (missing === undefined) {
    describe(name, body);
    return;
  }
  if (process.env.CI === "true") {
    test(`${name}: has what it needs (CI must not skip it)`, () => {
      throw new Error(`Cannot run "${name}": ${missing}`);
    });
    return;
  }
  console.warn(`SKIPPED "${name}": ${missing}`);
  // Reported by jest as skipped, never as passed; .ci/run sets CI=true, so CI cannot get here.
  describe.skip(name, body);
}

/** Why `check` fails, or undefined when it passes. */
export function missingReason(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
