// Facts about the Lambda runtime the function runs on, in one place for the stack, the bundle and
// the local Function URL (which must not load cdktf to learn them).

/** The managed runtime: Node.js 22, matching aws-lambda-ric's generation and the bundle's target. */
export const RUNTIME = "nodejs22.x";

/** esbuild's target for that runtime. */
export const NODE_TARGET = "node22";

/**
 * The function's own environment: source maps on, so stack traces in CloudWatch (and locally) point
 * at handler/*.ts. @see https://nodejs.org/api/cli.html#--enable-source-maps
 */
export const FUNCTION_ENVIRONMENT: Readonly<Record<string, string>> = { NODE_OPTIONS: "--enable-source-maps" };
