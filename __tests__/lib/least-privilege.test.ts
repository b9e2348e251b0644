// Security of what the stack deploys: least privilege for the function, and exactly the public
// access public mode asks for (and none by default).

import { policyDocument, synthJson, type TerraformJson } from "../helpers/synth";

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
  Condition?: unknown;
}

function statements(json: TerraformJson, type: string, attribute: string): Statement[] {
  return Object.values(json.resource[type] ?? {}).flatMap((r) => policyDocument(r[attribute]).Statement as unknown as Statement[]);
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
    const all = [...statements(json, "aws_iam_role_policy", "policy"), ...statements(json, "aws_iam_policy", "policy")];
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

  test("no managed policies on the function's role, and no policy attached by the stack", () => {
    expect(json.resource).not.toHaveProperty("aws_iam_role_policy_attachment");
    expect(json.resource).not.toHaveProperty("aws_iam_user_policy_attachment");
    expect(json.resource).not.toHaveProperty("aws_iam_policy_attachment");
    for (const role of Object.values(json.resource.aws_iam_role)) {
      expect(role).not.toHaveProperty("managed_policy_arns");
      expect(role).not.toHaveProperty("inline_policy");
    }
  });
});

describe("the invoker policy (AWS_IAM mode)", () => {
  const json = synthJson();
  const fn = Object.keys(json.resource.aws_lambda_function)[0];

  test("allows exactly both invoke actions, on this function's ARN only", () => {
    // Both actions: function URLs created since October 2025 need lambda:InvokeFunction too.
    // https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
    expect(statements(json, "aws_iam_policy", "policy")).toEqual([
      {
        Sid: "InvokeThisFunctionUrl",
        Effect: "Allow",
        Action: "lambda:InvokeFunctionUrl",
        Resource: `\${aws_lambda_function.${fn}.arn}`,
        Condition: { StringEquals: { "lambda:FunctionUrlAuthType": "AWS_IAM" } },
      },
      { Sid: "InvokeThisFunction", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: `\${aws_lambda_function.${fn}.arn}` },
    ]);
  });

  test("is named after the function, and its ARN is an output", () => {
    const [id, policy] = Object.entries(json.resource.aws_iam_policy)[0];
    expect(policy).toMatchObject({ name: "lambda-streaming-invoke-url" });
    expect(json.output.invoker_policy_arn.value).toBe(`\${aws_iam_policy.${id}.arn}`);
  });

  test("public mode has none: anyone may call a public URL already", () => {
    const json = synthJson({ FUNCTION_URL_AUTH: "NONE" });
    expect(json.resource).not.toHaveProperty("aws_iam_policy");
    expect(json.output).not.toHaveProperty("invoker_policy_arn");
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
