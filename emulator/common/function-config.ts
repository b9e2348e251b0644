// The function the local Lambda serves, as every layer sees it: read from the synthesized stack
// (function/stack-reader.ts) or made from flags (function/function-source.ts), then passed down to
// the doors, the pool and each execution environment.

import type { AuthType, InvokeMode } from "../../protocol/function-url-modes";

export interface CorsConfig {
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly allowCredentials: boolean;
  readonly maxAge?: number;
}

/** Everything the local Function URL needs to know about the function it serves. */
export interface FunctionConfig {
  readonly functionName: string;
  readonly region: string;
  /** `file.export`, e.g. `index.handler`. */
  readonly handler: string;
  readonly runtime: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly reservedConcurrency?: number;
  /** The folder Lambda would unzip: the bundle. */
  readonly bundleDir: string;
  readonly invokeMode: InvokeMode;
  readonly authType: AuthType;
  readonly cors?: CorsConfig;
  /**
   * `cloudfront` when a CloudFront distribution with origin access control signs every request to
   * this AWS_IAM URL: the local URL then plays that distribution (url/cloudfront-origin.ts).
   */
  readonly publicAccess?: "cloudfront";
}
