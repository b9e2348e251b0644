// The PUBLIC_ACCESS=cloudfront stack deployed into the local AWS by the real terraform and aws
// provider: applies, serves its public_url as printed (https, through the local edge, streaming),
// re-plans clean, and destroys leaving nothing. The provider waits 30 s before it first asks
// whether a distribution is deployed, and again around its delete, so one run takes about 90 s:
// too long for npm test. `npm run test:local-aws` runs it, and .ci/run does too.
// Needs terraform and the provider mirror (TF_PLUGIN_DIR), as the other apply test does.

import * as fs from "node:fs";
import * as path from "node:path";
import { send } from "../../helpers/http-client";
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

    test("applies the distribution, its origin access control and permissions; serves public_url; re-plans clean; destroys leaving nothing", async () => {
      expect((await root.terraform("apply", "-auto-approve")).stdout).toMatch(
        /Apply complete! Resources: 10 added, 0 changed, 0 destroyed\./,
      );
      const outputs = await root.outputs();
      const publicUrl = outputs.cloudfront.public_url;
      const functionUrl = outputs.cloudfront.function_url;
      // The edge answers at the printed address, over TLS with the local AWS's certificate.
      expect(publicUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
      const ca = fs.readFileSync(path.join(path.dirname(root.stateFile), "tls", "ca.pem"), "utf8");
      const res = await send(`${publicUrl}?count=8&chunk=2&delay=150`, { ca });
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe("🚗".repeat(8));
      expect(res).toArriveProgressively(4, 150);
      // The Function URL itself still wants a signature.
      expect((await send(`${functionUrl}?count=1`)).status).toBe(403);

      const plan = await root.terraform("plan", "-detailed-exitcode");
      expect(plan.stdout).toMatch(/No changes\./);
      expect(plan.code).toBe(0);
      expect((await root.terraform("destroy", "-auto-approve")).stdout).toMatch(/Destroy complete! Resources: 10 destroyed\./);
      expect(recordsIn(root.stateFile)).toEqual([]);
      await expect(send(publicUrl, { ca })).rejects.toMatchObject({ code: "ECONNREFUSED" });
    }, 300_000);
  }),
);
