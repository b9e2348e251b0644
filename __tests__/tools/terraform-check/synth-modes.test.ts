// Each mode the offline check plans, synthesized for real: the stack it writes is that mode's,
// whatever the caller's own environment chooses, and the rest of the environment still applies.
// (check-stack.test.ts plans these stacks with the real terraform.)

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type CheckMode, MODES, synthesizeMode } from "../../../tools/terraform-check/synth-modes";

type Resources = Record<string, Record<string, Record<string, unknown>>>;

/** What tells the modes apart in a synthesized stack: the URL's auth type, the permissions' principals, and whether there is a distribution. */
function shape(stackDir: string) {
  const { resource } = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")) as { resource: Resources };
  const only = (type: string) => Object.values(resource[type] ?? {});
  return {
    authorizationType: only("aws_lambda_function_url").map((url) => url.authorization_type),
    permissionPrincipals: only("aws_lambda_permission")
      .map((permission) => permission.principal)
      .sort(),
    distributions: only("aws_cloudfront_distribution").length,
  };
}

const EXPECTED: Record<CheckMode, ReturnType<typeof shape>> = {
  AWS_IAM: { authorizationType: ["AWS_IAM"], permissionPrincipals: [], distributions: 0 },
  NONE: { authorizationType: ["NONE"], permissionPrincipals: ["*", "*"], distributions: 0 },
  cloudfront: {
    authorizationType: ["AWS_IAM"],
    permissionPrincipals: ["cloudfront.amazonaws.com", "cloudfront.amazonaws.com"],
    distributions: 1,
  },
};

describe("synthesizeMode", () => {
  let outdir: string;
  beforeEach(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), "ls-synth-modes-"));
  });
  afterEach(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test.each([
    {},
    { FUNCTION_URL_AUTH: "NONE" },
    { PUBLIC_ACCESS: "cloudfront" },
    { FUNCTION_URL_AUTH: "NONE", PUBLIC_ACCESS: "cloudfront" },
  ])("from an environment with %j, each mode's stack is that mode's, in its own folder", (env) => {
    for (const mode of MODES) {
      const { stackDir } = synthesizeMode(mode, outdir, env);
      expect(path.relative(outdir, stackDir)).toBe(path.join(mode, "stacks", "lambda-streaming"));
      expect([mode, shape(stackDir)]).toEqual([mode, EXPECTED[mode]]);
    }
  });

  test("the rest of the caller's configuration applies in every mode", () => {
    for (const mode of MODES) {
      const { stackDir } = synthesizeMode(mode, outdir, { FUNCTION_NAME: "streaming-check-name" });
      const { resource } = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")) as { resource: Resources };
      expect(Object.values(resource.aws_lambda_function).map((fn) => fn.function_name)).toEqual(["streaming-check-name"]);
    }
  });
});
