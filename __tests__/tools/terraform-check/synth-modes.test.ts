// The three modes the offline check plans, and that the caller's own choice of mode never leaks
// into another (check-stack.test.ts plans them with the real terraform).

import { readConfig } from "../../../lib/config";
import { MODE_VARIABLES, MODES } from "../../../tools/terraform-check/synth-modes";

describe("the offline check's modes", () => {
  test("private, public direct and public through CloudFront", () => {
    expect(MODES).toEqual(["AWS_IAM", "NONE", "cloudfront"]);
  });

  test.each([{}, { FUNCTION_URL_AUTH: "NONE" }, { PUBLIC_ACCESS: "cloudfront" }])(
    "from an environment with %j, each mode is itself",
    (env) => {
      const private_ = readConfig({ ...env, ...MODE_VARIABLES.AWS_IAM });
      expect([private_.functionUrlAuth, private_.cloudFront]).toEqual(["AWS_IAM", undefined]);
      const direct = readConfig({ ...env, ...MODE_VARIABLES.NONE });
      expect([direct.functionUrlAuth, direct.cloudFront]).toEqual(["NONE", undefined]);
      expect(readConfig({ ...env, ...MODE_VARIABLES.cloudfront })).toMatchObject({
        functionUrlAuth: "AWS_IAM",
        cloudFront: { priceClass: "PriceClass_100" },
      });
    },
  );
});
