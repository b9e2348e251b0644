// Which function a Lambda API request names: the `FunctionName` path segment may be the name, the
// full ARN or a partial ARN, each with an optional qualifier, and `?Qualifier=` may add one. The
// local Lambda serves one function at its unpublished version, $LATEST.
// @see https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_RequestSyntax

/** The function the local API serves. */
export interface ServedFunction {
  readonly functionName: string;
  readonly region: string;
  readonly accountId: string;
}

export type NameMatch = { readonly ok: true } | NameRefusal;

/** AWS's pattern for FunctionName, from the API reference: [arn:aws:lambda:][region:][account:][function:]name[:qualifier]. */
const FUNCTION_NAME =
  /^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?$/;

/** The function's ARN, as AWS names it in errors and `context.invokedFunctionArn`. */
export function functionArnOf(fn: ServedFunction, qualifier?: string): string {
  return `arn:aws:lambda:${fn.region}:${fn.accountId}:function:${fn.functionName}${qualifier ? `:${qualifier}` : ""}`;
}

/** A FunctionName taken apart: the name, and the Region, account and qualifier it may carry. */
export interface NamedFunction {
  readonly ok: true;
  readonly functionName: string;
  readonly region?: string;
  readonly accountId?: string;
  readonly qualifier?: string;
}

/** A name that names no function: HTTP 404 ResourceNotFoundException, or 400 for a malformed or contradictory name. */
export type NameRefusal = { readonly ok: false; readonly status: 400 | 404; readonly errorType: string; readonly message: string };

/** `name` (decoded from the path) and `qualifierParam` (`?Qualifier=`) taken apart, or why they cannot be. */
export function parseFunctionName(name: string, qualifierParam: string | undefined): NamedFunction | NameRefusal {
  const parts = FUNCTION_NAME.exec(name);
  if (!parts || name.length > 170) {
    return {
      ok: false,
      status: 400,
      errorType: "ValidationException",
      message: `1 validation error detected: Value '${name}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${FUNCTION_NAME.source}`,
    };
  }
  const [, arnPrefix, , regionPart, , accountPart, functionPart, functionName, , nameQualifier] = parts;
  // A region or account needs the rest of the ARN around it ("us-east-1:f" is not a partial ARN).
  const region = regionPart?.slice(0, -1);
  const accountId = accountPart?.slice(0, -1);
  const wellFormed = arnPrefix
    ? Boolean(region && accountId && functionPart)
    : !region && (accountId ? Boolean(functionPart) : !functionPart);
  if (!wellFormed) {
    return { ok: false, status: 404, errorType: "ResourceNotFoundException", message: `Function not found: ${name}` };
  }
  if (nameQualifier && qualifierParam && nameQualifier !== qualifierParam) {
    return {
      ok: false,
      status: 400,
      errorType: "InvalidParameterValueException",
      message: "The derived qualifier from the function name does not match the specified qualifier.",
    };
  }
  const qualifier = nameQualifier ?? qualifierParam;
  return {
    ok: true,
    functionName,
    ...(region ? { region } : {}),
    ...(accountId ? { accountId } : {}),
    ...(qualifier ? { qualifier } : {}),
  };
}

/** Whether `name` (decoded from the path) and `qualifierParam` (`?Qualifier=`) name the served function. */
export function matchFunctionName(fn: ServedFunction, name: string, qualifierParam: string | undefined): NameMatch {
  const parsed = parseFunctionName(name, qualifierParam);
  if (!parsed.ok) {
    return parsed.status === 404 ? notFound(fn, name) : parsed;
  }
  const { functionName, region, accountId, qualifier } = parsed;
  const matches =
    functionName === fn.functionName &&
    (region === undefined || region === fn.region) &&
    (accountId === undefined || accountId === fn.accountId) &&
    (qualifier === undefined || qualifier === "$LATEST");
  return matches ? { ok: true } : notFound(fn, name, qualifier);
}

function notFound(fn: ServedFunction, name: string, qualifier?: string): NameMatch {
  return {
    ok: false,
    status: 404,
    errorType: "ResourceNotFoundException",
    message:
      `Function not found: ${name}${qualifier && !name.endsWith(`:${qualifier}`) ? `:${qualifier}` : ""}. ` +
      `This local Lambda serves ${fn.functionName} (${functionArnOf(fn)}) at $LATEST only.`,
  };
}
