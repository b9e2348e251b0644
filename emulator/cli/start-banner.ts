// What `npm start` prints once the URL serves: the URL with a curl line that works as printed in
// any terminal, then one line per caveat (CloudFront, invoke mode, bandwidth, reloads, debugger,
// exposure).
// Real credentials are never printed: a curl line for them refers to the shell's variables.

import type { ResolvedCredentials } from "../auth/verifier-credentials";
import type { FunctionConfig } from "../common/function-config";
import { isLoopback } from "../common/loopback";
import { describeTransport, type RuntimeTransport } from "../runtime-client/transport-choice";
import { hashedPostCommand } from "../url/cloudfront-origin";
import type { CliOptions } from "./cli-options";

/** The command that calls `url`: plain for NONE, signed for AWS_IAM with what the server checks against. */
export function curlCommand(fn: FunctionConfig, url: string, resolved: ResolvedCredentials | undefined): string {
  // Behind CloudFront (PUBLIC_ACCESS=cloudfront) callers do not sign: the distribution does.
  if (fn.authType === "NONE" || (fn.authType === "AWS_IAM" && fn.publicAccess === "cloudfront")) {
    return `curl -N ${url}`;
  }
  const sigv4 = `--aws-sigv4 "aws:amz:${fn.region}:lambda"`;
  if (resolved?.source === "local-pair") {
    // A throwaway pair made for this run: printing it is safe, and the line works in any terminal.
    return `curl -N ${sigv4} --user "${resolved.credentials.accessKeyId}:${resolved.credentials.secretAccessKey}" ${url}`;
  }
  if (resolved?.source === "aws-profile") {
    // curl cannot read profiles or SSO; the invoke client signs with the same chain.
    return "npm run invoke -- --local";
  }
  const token = resolved?.credentials.sessionToken ? ` -H "x-amz-security-token: $AWS_SESSION_TOKEN"` : "";
  return `curl -N ${sigv4} --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"${token} ${url}`;
}

/** The variables that sign for the local Lambda API: a local pair is named; the environment's pair and a profile are found by the SDK and CLI themselves. */
function signingVariables(resolved: ResolvedCredentials | undefined): string {
  return resolved?.source === "local-pair"
    ? `AWS_ACCESS_KEY_ID=${resolved.credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${resolved.credentials.secretAccessKey} `
    : "";
}

/**
 * The AWS CLI release that first has each feature the printed lines use: `invoke-with-response-stream`
 * (the InvokeWithResponseStream API change), and `AWS_ENDPOINT_URL_<SERVICE>` (service-specific
 * endpoints), which older releases ignore, calling AWS itself; so every CLI line names
 * `--endpoint-url`. Debian 12's awscli is 2.9.19: it has neither.
 * @see https://github.com/aws/aws-cli/blob/v2/CHANGELOG.rst (2.11.12: lambda InvokeWithResponseStream; 2.13.0: configure the endpoint URL … via an environment variable)
 */
export const AWS_CLI_VERSIONS = { responseStream: "2.11.12", endpointVariable: "2.13.0" } as const;

/** The arguments both AWS CLI lines share: where the local Lambda API is, and which function. */
function cliTarget(fn: FunctionConfig, apiUrl: string): string {
  return `--endpoint-url ${apiUrl} --region ${fn.region} --function-name ${fn.functionName} --cli-binary-format raw-in-base64-out --payload '{}'`;
}

/** The AWS CLI v2 line that streams the function through the local Lambda API (CLI v1 has no event-stream operations). */
export function apiCommand(fn: FunctionConfig, apiUrl: string, resolved: ResolvedCredentials | undefined): string {
  return `${signingVariables(resolved)}aws lambda invoke-with-response-stream ${cliTarget(fn, apiUrl)} /dev/stdout`;
}

/** The AWS CLI line every v2 release runs: Invoke, the whole answer at the end (the prelude and body in one payload). */
function apiInvokeCommand(fn: FunctionConfig, apiUrl: string, resolved: ResolvedCredentials | undefined): string {
  return `${signingVariables(resolved)}aws lambda invoke ${cliTarget(fn, apiUrl)} /dev/stdout`;
}

/** The lines that announce the local Lambda API: the two AWS CLI v2 lines, and the README's SDK example pointed at it. */
export function apiLines(fn: FunctionConfig, apiUrl: string, resolved: ResolvedCredentials | undefined): string[] {
  return [
    `Local Lambda API (Invoke, InvokeWithResponseStream) for ${fn.functionName} at ${apiUrl}`,
    `  Streamed (AWS CLI ${AWS_CLI_VERSIONS.responseStream} or newer): ${apiCommand(fn, apiUrl, resolved)}`,
    `  Whole, at the end (any AWS CLI v2): ${apiInvokeCommand(fn, apiUrl, resolved)}`,
    `From code (the README's example; the SDK reads AWS_ENDPOINT_URL_LAMBDA): ${signingVariables(resolved)}AWS_REGION=${fn.region} FUNCTION_NAME=${fn.functionName} AWS_ENDPOINT_URL_LAMBDA=${apiUrl} node examples/stream-from-code.mjs`,
  ];
}

const SIGNING_NOTE: Record<ResolvedCredentials["source"], string> = {
  environment: "Signatures are checked against AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY of this shell.",
  "aws-profile": "Signatures are checked against the credentials your AWS profile resolves to (as npm run invoke signs).",
  "local-pair": "No AWS credentials found, so signatures are checked against a key pair made for this run (local only, shown above).",
};

export function startLines(
  fn: FunctionConfig,
  options: CliOptions,
  url: string,
  resolved: ResolvedCredentials | undefined,
  transport: RuntimeTransport = "node",
): string[] {
  const lines = [
    `Local Function URL for ${fn.functionName} (${fn.invokeMode}, ${fn.authType}, ${fn.handler} on Node.js 22, aws-lambda-ric over its ${describeTransport(transport)}) at ${url}  ·  try: ${curlCommand(fn, url, resolved)}`,
  ];
  if (fn.authType === "AWS_IAM" && fn.publicAccess === "cloudfront") {
    lines.push(
      `PUBLIC_ACCESS=cloudfront: this URL plays the CloudFront distribution, which signs every request for the AWS_IAM URL; a POST or PUT must carry x-amz-content-sha256, its body's SHA-256: ${hashedPostCommand(url)}`,
    );
  } else if (fn.authType === "AWS_IAM" && resolved) {
    lines.push(SIGNING_NOTE[resolved.source]);
  }
  if (options.bundle && !options.invokeMode && fn.invokeMode === "BUFFERED") {
    lines.push(
      "Invoke mode BUFFERED: nothing sets it for --bundle, and AWS creates a URL BUFFERED; add --invoke-mode RESPONSE_STREAM to stream.",
    );
  }
  lines.push(
    options.bandwidth === "unlimited"
      ? "Bandwidth: unlimited (--bandwidth unlimited); Lambda caps a streamed response at 2 MB/s after its first 6 MB."
      : "Bandwidth: as Lambda, a streamed response's first 6 MB uncapped, then 2 MB/s (--bandwidth unlimited lifts the cap).",
  );
  lines.push(
    options.watch
      ? "Watching for changes: each save is rebuilt and served to new requests; streams in flight finish on the code they started with."
      : "Edits need a restart, or start with --watch to reload on save.",
  );
  if (options.inspect !== undefined) {
    lines.push(
      `Debugger: the function runs under Node's inspector on 127.0.0.1:${options.inspect}, listening now (attach and set breakpoints before the first request), one environment at a time; timeouts are not enforced while it is on.`,
    );
  }
  if (!isLoopback(options.host)) {
    lines.push(
      `Warning: --host ${options.host} is not a loopback address: other machines can reach this URL${fn.authType === "NONE" ? ", and its auth type is NONE" : ""}.`,
    );
  }
  return lines;
}
