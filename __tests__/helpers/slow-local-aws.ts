// The local AWS's slow tests (the cloudfront mode's lifecycle, a kill -9 in the middle of an
// apply) run in `npm run test:local-aws`, which .ci/run runs; npm test says it left them out, and
// never counts them as passed.

/** The env variable `npm run test:local-aws` sets. */
const SLOW = "LOCAL_AWS_SLOW_TESTS";

/** `define(name)` when the slow tests are asked for; otherwise one SKIPPED line and a skipped suite. */
export function slowLocalAwsTests(name: string, define: (name: string) => void): void {
  if (process.env[SLOW] === "1") {
    define(name);
    return;
  }
  process.stderr.write(`SKIPPED "${name}": slow (the aws provider's waits, a real process), run by npm run test:local-aws and .ci/run\n`);
  describe.skip(name, () => {
    test("runs in npm run test:local-aws", () => {});
  });
}
