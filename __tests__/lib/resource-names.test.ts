import {
  boundedName,
  invokerPolicyName,
  ORIGIN_ACCESS_CONTROL_NAME_MAX,
  originAccessControlName,
  POLICY_NAME_MAX,
  ROLE_NAME_MAX,
  roleName,
} from "../../lib/resource-names";
import { synthJson } from "../helpers/synth";

const LONGEST = `streaming-${"f".repeat(54)}`; // 64 characters, Lambda's maximum function name

describe("names derived from the function name", () => {
  test("names that fit are unchanged", () => {
    expect(roleName("lambda-streaming")).toBe("lambda-streaming-role");
    expect(roleName("a".repeat(59))).toBe(`${"a".repeat(59)}-role`);
    expect(invokerPolicyName(LONGEST)).toBe(`${LONGEST}-invoke-url`);
  });

  test("a role name over 64 characters is shortened with a stable hash, to exactly 64", () => {
    const name = roleName(LONGEST);
    expect(name).toHaveLength(ROLE_NAME_MAX);
    expect(name).toMatch(/^streaming-f+-[0-9a-f]{8}-role$/);
    expect(roleName(LONGEST)).toBe(name);
    // Two names sharing the kept prefix still get different roles.
    expect(roleName(`${LONGEST.slice(0, 63)}g`)).not.toBe(name);
    expect(roleName("a".repeat(60))).toHaveLength(ROLE_NAME_MAX);
  });

  test("boundedName never exceeds its limit", () => {
    for (const length of [1, 50, 100, 200]) {
      expect(boundedName("x".repeat(length), "-suffix", POLICY_NAME_MAX).length).toBeLessThanOrEqual(POLICY_NAME_MAX);
    }
  });

  test("the stack with a 64-character FUNCTION_NAME names every resource within AWS's limits", () => {
    const json = synthJson({ FUNCTION_NAME: LONGEST });
    const only = (type: string) => Object.values(json.resource[type])[0] as Record<string, string>;
    expect(only("aws_lambda_function").function_name).toBe(LONGEST);
    expect(only("aws_iam_role").name.length).toBeLessThanOrEqual(ROLE_NAME_MAX);
    expect(only("aws_iam_policy").name.length).toBeLessThanOrEqual(POLICY_NAME_MAX);
    // Log group names may be 512 characters: /aws/lambda/ + 64 always fits.
    expect(only("aws_cloudwatch_log_group").name).toBe(`/aws/lambda/${LONGEST}`);
  });
});

describe("the origin access control's name (PUBLIC_ACCESS=cloudfront)", () => {
  test("is <function>-oac, and within CloudFront's 64 characters for the longest function name", () => {
    expect(originAccessControlName("lambda-streaming")).toBe("lambda-streaming-oac");
    const long = originAccessControlName(LONGEST);
    expect(long).toHaveLength(ORIGIN_ACCESS_CONTROL_NAME_MAX);
    expect(long).toMatch(/^streaming-f+-[0-9a-f]{8}-oac$/);
    const json = synthJson({ FUNCTION_NAME: LONGEST, PUBLIC_ACCESS: "cloudfront" });
    expect((Object.values(json.resource.aws_cloudfront_origin_access_control)[0] as { name: string }).name).toBe(long);
  });
});
