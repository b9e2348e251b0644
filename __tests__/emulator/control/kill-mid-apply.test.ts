// kill -9 of the local AWS in the middle of a terraform apply: what it had answered is kept, so
// once it is back on the same port (the aws provider retries a refused connection) the apply
// completes, the next plan is clean, and a destroy leaves nothing. Its own process, killed for real.
// Slow (a full apply, plan and destroy against a process): run with the cloudfront lifecycle in
// `npm run test:local-aws`, which .ci/run runs.

import { type LocalAwsRoot, localAwsRoot, recordsIn } from "../../helpers/local-aws-root";
import { describeWhenAvailable, missingReason, requireTerraformAndMirror } from "../../helpers/requirements";
import { slowLocalAwsTests } from "../../helpers/slow-local-aws";

slowLocalAwsTests("kill -9 of the local AWS in the middle of a terraform apply", (name) =>
  describeWhenAvailable(name, missingReason(requireTerraformAndMirror), () => {
    let root: LocalAwsRoot;
    beforeAll(async () => {
      root = await localAwsRoot({ iam: { FUNCTION_NAME: "ls-killed" } }, { process: true });
    }, 120_000);
    afterAll(() => root?.close());

    test("loses nothing it answered: the apply completes once it is back, the plan is clean, the destroy total", async () => {
      const created = root.waitForLine(/"POST \/2015-03-31\/functions HTTP\/1\.1" 201 /);
      const applying = root.terraform("apply", "-auto-approve");
      await created;
      await root.kill9();
      await root.restart();
      expect((await applying).stdout).toMatch(/Apply complete! Resources: 6 added, 0 changed, 0 destroyed\./);
      const plan = await root.terraform("plan", "-detailed-exitcode");
      expect(plan.stdout).toMatch(/No changes\./);
      expect((await root.terraform("destroy", "-auto-approve")).stdout).toMatch(/Destroy complete! Resources: 6 destroyed\./);
      expect(recordsIn(root.stateFile)).toEqual([]);
    }, 240_000);
  }),
);
