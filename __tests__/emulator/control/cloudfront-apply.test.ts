// The PUBLIC_ACCESS=cloudfront stack deployed into the local AWS by the real terraform and aws
// provider: applies, re-plans clean, and destroys leaving nothing. The provider waits 30 s before it
// first asks whether a distribution is deployed, and again around its delete, so one run takes
// about 90 s: too long for npm test. `npm run test:local-aws` runs it, and .ci/run does too.
// Needs terraform and the provider mirror (TF_PLUGIN_DIR), as the other apply test does.

import { type LocalAwsRoot, localAwsRoot, recordsIn } from "../../helpers/local-aws-root";
import { describeWhenAvailable, missingReason, requireTerraformAndMirror } from "../../helpers/requirements";
import { slowLocalAwsTests } from "../../helpers/slow-local-aws";

slowLocalAwsTests("terraform apply of the cloudfront mode into the local AWS", (name) =>
  describeWhenAvailable(name, missingReason(requireTerraformAndMirror), () => {
    let root: LocalAwsRoot;
    beforeAll(async () => {
      root = await localAwsRoot({ cloudfront: { FUNCTION_NAME: "ls-cloudfront", PUBLIC_ACCESS: "cloudfront" } });
    }, 120_000);
    afterAll(() => root?.close());

    test("applies the distribution, its origin access control and permissions; re-plans clean; destroys leaving nothing", async () => {
      expect((await root.terraform("apply", "-auto-approve")).stdout).toMatch(
        /Apply complete! Resources: 10 added, 0 changed, 0 destroyed\./,
      );
      const plan = await root.terraform("plan", "-detailed-exitcode");
      expect(plan.stdout).toMatch(/No changes\./);
      expect(plan.code).toBe(0);
      expect((await root.terraform("destroy", "-auto-approve")).stdout).toMatch(/Destroy complete! Resources: 10 destroyed\./);
      expect(recordsIn(root.stateFile)).toEqual([]);
    }, 300_000);
  }),
);
