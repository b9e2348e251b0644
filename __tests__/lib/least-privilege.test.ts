// Security of what the stack deploys: least privilege for the function, and exactly the public
// access public mode asks for (and none by default).

import { synthJson, type TerraformJson } from "../helpers/synth";

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
}

function statements(json: TerraformJson, type: string, attribute: string): Statement[] {
  return Object.values(json.resource[type] ?? {}).flatMap(
    (r) => (JSON.parse(r[attribute] as string) as { Statement: Statement[] }).Statement,
  );
}

const asList = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

describe.each(["AWS_IAM", "NONE"])("least privilege, %s mode", (mode) => {
  const json = synthJson({ FUNCTION_URL_AUTH: mode });
  const logGroup = Object.keys(json.resource.aws_cloudwatch_log_group)[0];

  test("the trust policy names only lambda.amazonaws.com", () => {
    expect(statements(json, "aws_iam_role", "assume_role_policy")).toEqual([
      { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
  });

  test('no statement has a wildcard action or Resource "*"', () => {
    const all = statements(json, "aws_iam_role_policy", "policy");
    expect(all.length).toBeGreaterThan(0);
    for (const statement of all) {
      expect(asList(statement.Action).filter((action) => action.includes("*"))).toEqual([]);
      expect(asList(statement.Resource)).not.toContain("*");
    }
  });

  test("log writes are scoped to the function's own log group", () => {
    for (const statement of statements(json, "aws_iam_role_policy", "policy")) {
      expect(asList(statement.Action).every((action) => action.startsWith("logs:"))).toBe(true);
      expect(asList(statement.Resource)).toEqual([`\${aws_cloudwatch_log_group.${logGroup}.arn}:*`]);
    }
  });

  test("no managed policies, no extra policies", () => {
    expect(json.resource).not.toHaveProperty("aws_iam_role_policy_attachment");
    expect(json.resource).not.toHaveProperty("aws_iam_policy");
    for (const role of Object.values(json.resource.aws_iam_role)) {
      expect(role).not.toHaveProperty("managed_policy_arns");
      expect(role).not.toHaveProperty("inline_policy");
    }
  });
});

describe("public access", () => {
  test("the default stack grants no public permission and reserves no concurrency", () => {
    const json = synthJson();
    expect(json.resource).not.toHaveProperty("aws_lambda_permission");
    expect(Object.values(json.resource.aws_lambda_function_url)[0]).toMatchObject({ authorization_type: "AWS_IAM" });
  });

  test("public mode has both permissions, the auth-type condition on the URL one, and a concurrency cap", () => {
    const json = synthJson({ FUNCTION_URL_AUTH: "NONE" });
    const permissions = Object.values(json.resource.aws_lambda_permission).map(({ action, principal, function_url_auth_type }) => ({
      action,
      principal,
      function_url_auth_type,
    }));
    expect(permissions.sort((a, b) => String(a.action).localeCompare(String(b.action)))).toEqual([
      { action: "lambda:InvokeFunction", principal: "*", function_url_auth_type: undefined },
      { action: "lambda:InvokeFunctionUrl", principal: "*", function_url_auth_type: "NONE" },
    ]);
    expect(Object.values(json.resource.aws_lambda_function)[0]).toMatchObject({ reserved_concurrent_executions: 10 });
  });
});
