// Whether a function's resource-based policy lets anyone call its NONE Function URL, as Lambda
// decides it: a statement allowing lambda:InvokeFunctionUrl to everyone (its only condition, if
// any, the URL's auth type NONE) and, for URLs created since October 2025, one allowing
// lambda:InvokeFunction to everyone (its only condition, if any, that the call comes through a
// Function URL). Statements with any other condition (a source ARN or account) name callers an
// anonymous request is not.
// @see https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html

import type { FunctionPolicy } from "../control/lambda-access";

type Statement = Record<string, unknown>;

/** The two actions, each with the one condition that may narrow it to Function URL calls. */
const NEEDED = [
  { action: "lambda:InvokeFunctionUrl", condition: ["StringEquals", "lambda:FunctionUrlAuthType", "NONE"] },
  { action: "lambda:InvokeFunction", condition: ["Bool", "lambda:InvokedViaFunctionUrl", "true"] },
] as const;

/** Why `policy` does not open the function's NONE URL to everyone; undefined when it does. */
export function publicUrlRefusal(policy: FunctionPolicy | undefined, functionArn: string): string | undefined {
  const statements = policy?.statements ?? [];
  const missing = NEEDED.filter(({ action, condition }) => !statements.some((s) => grantsEveryone(s, action, condition)));
  if (missing.length === 0) {
    return undefined;
  }
  return (
    `the URL's auth type is NONE, but ${functionArn}'s resource-based policy has no statement that allows ` +
    `${missing.map((m) => m.action).join(" and ")} to everyone (Principal "*"); since October 2025 a NONE URL needs both: ` +
    "add them with AddPermission (terraform: aws_lambda_permission), see https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"
  );
}

function grantsEveryone(statement: Statement, action: string, [operator, key, value]: readonly [string, string, string]): boolean {
  const principal = statement.Principal;
  const everyone =
    principal === "*" || (typeof principal === "object" && principal !== null && (principal as { AWS?: unknown }).AWS === "*");
  const actions = [statement.Action].flat();
  const allows = actions.some((a) => a === action || a === "lambda:*" || a === "*");
  if (statement.Effect !== "Allow" || !everyone || !allows) {
    return false;
  }
  const condition = (statement.Condition ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(condition).every(
    ([op, entries]) => op === operator && Object.entries(entries).every(([k, v]) => k === key && String(v) === value),
  );
}
