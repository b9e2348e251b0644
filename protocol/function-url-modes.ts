// The values a Function URL's auth type and invoke mode take: the stack's configuration writes
// them, the local URL and the local URL record read them.
// @see https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunctionUrlConfig.html

export const AUTH_TYPES = ["AWS_IAM", "NONE"] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

export const INVOKE_MODES = ["RESPONSE_STREAM", "BUFFERED"] as const;
export type InvokeMode = (typeof INVOKE_MODES)[number];
