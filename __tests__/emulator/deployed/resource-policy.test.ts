import type { FunctionPolicy } from "../../../emulator/control/lambda-access";
import { publicUrlRefusal } from "../../../emulator/deployed/resource-policy";

const ARN = "arn:aws:lambda:us-east-1:000000000000:function:f";
const URL_STATEMENT = {
  Sid: "FunctionURLAllowPublicAccess",
  Effect: "Allow",
  Principal: "*",
  Action: "lambda:InvokeFunctionUrl",
  Resource: ARN,
  Condition: { StringEquals: { "lambda:FunctionUrlAuthType": "NONE" } },
};
const INVOKE_STATEMENT = {
  Sid: "FunctionURLAllowInvokeAction",
  Effect: "Allow",
  Principal: "*",
  Action: "lambda:InvokeFunction",
  Resource: ARN,
};
const policy = (...statements: Record<string, unknown>[]): FunctionPolicy => ({ statements, revisionId: "r" });

describe("publicUrlRefusal", () => {
  test("both statements open a NONE URL, with or without their Function URL conditions", () => {
    expect(publicUrlRefusal(policy(URL_STATEMENT, INVOKE_STATEMENT), ARN)).toBeUndefined();
    const viaUrl = { ...INVOKE_STATEMENT, Condition: { Bool: { "lambda:InvokedViaFunctionUrl": "true" } } };
    expect(publicUrlRefusal(policy({ ...URL_STATEMENT, Condition: undefined }, viaUrl), ARN)).toBeUndefined();
    expect(
      publicUrlRefusal(policy({ ...URL_STATEMENT, Principal: { AWS: "*" }, Action: "lambda:*" }, INVOKE_STATEMENT), ARN),
    ).toBeUndefined();
  });

  test("without a policy, or either statement, the refusal names what is missing and how to add it", () => {
    expect(publicUrlRefusal(undefined, ARN)).toMatch(/allows lambda:InvokeFunctionUrl and lambda:InvokeFunction to everyone/);
    expect(publicUrlRefusal(policy(URL_STATEMENT), ARN)).toMatch(
      /no statement that allows lambda:InvokeFunction to everyone .*AddPermission/,
    );
    expect(publicUrlRefusal(policy(INVOKE_STATEMENT), ARN)).toMatch(/allows lambda:InvokeFunctionUrl to everyone/);
  });

  test("a statement for someone, with another condition, or a Deny does not open it", () => {
    const cases = [
      { ...INVOKE_STATEMENT, Principal: { AWS: "arn:aws:iam::000000000000:root" } },
      { ...INVOKE_STATEMENT, Principal: { Service: "cloudfront.amazonaws.com" } },
      { ...INVOKE_STATEMENT, Condition: { ArnLike: { "AWS:SourceArn": "arn:aws:cloudfront::000000000000:distribution/E1" } } },
      { ...INVOKE_STATEMENT, Effect: "Deny" },
      { ...INVOKE_STATEMENT, Action: "lambda:GetFunction" },
    ];
    for (const statement of cases) {
      expect(publicUrlRefusal(policy(URL_STATEMENT, statement), ARN)).toMatch(/lambda:InvokeFunction to everyone/);
    }
    const awsIam = { ...URL_STATEMENT, Condition: { StringEquals: { "lambda:FunctionUrlAuthType": "AWS_IAM" } } };
    expect(publicUrlRefusal(policy(awsIam, INVOKE_STATEMENT), ARN)).toMatch(/lambda:InvokeFunctionUrl to everyone/);
  });
});
