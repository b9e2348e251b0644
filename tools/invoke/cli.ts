// `npm run invoke`: call a Function URL (deployed, local or given), stream its body to stdout,
// and print a one-line summary to stderr.

import * as path from "node:path";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import type { AwsCredentialIdentity } from "@smithy/types";
import { UsageError } from "../../emulator/errors";
import { DEFAULTS } from "../../lib/config";
import { deployedUrl, localUrl, regionOfUrl, TargetError } from "./function-url-target";
import { INVOKE_USAGE, parseInvokeOptions, requestUrl } from "./invoke-options";
import { type StreamSummary, signGet, streamRequest } from "./stream-request";

/** The one-line summary: status, time to first byte, total time, bytes, throughput. */
export function formatSummary(summary: StreamSummary): string {
  const mbPerS = summary.totalMs > 0 ? summary.bytes / 1024 / 1024 / (summary.totalMs / 1000) : 0;
  return (
    `${summary.status} ${summary.statusText} · first byte ${summary.firstByteMs.toFixed(1)} ms · total ${summary.totalMs.toFixed(1)} ms · ` +
    `${summary.bytes.toLocaleString("en-US")} bytes · ${mbPerS.toFixed(1)} MiB/s${summary.truncated ? " · cut short" : ""}`
  );
}

/** What a failed status means, and what to do about it; undefined for success. */
export function explainStatus(status: number, signed: boolean): string | undefined {
  if (status === 403) {
    return signed
      ? "403 Forbidden: the URL refused the signed request. Check that these credentials may call both lambda:InvokeFunctionUrl and lambda:InvokeFunction on the function (attach the stack's invoker_policy_arn output to them), for the URL's Region, or deploy in public mode (FUNCTION_URL_AUTH=NONE)."
      : "403 Forbidden: the URL uses AWS_IAM auth and the request was not signed, because no AWS credentials were found (environment, shared config and profiles, SSO). Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or deploy in public mode (FUNCTION_URL_AUTH=NONE).";
  }
  if (status === 429) {
    return "429 Too Many Requests: the function's reserved concurrency is in use. Try again, or raise RESERVED_CONCURRENCY.";
  }
  return undefined;
}

async function findCredentials(): Promise<AwsCredentialIdentity | undefined> {
  try {
    return await defaultProvider()();
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  const options = parseInvokeOptions(process.argv.slice(2));
  if (options.help) {
    console.error(INVOKE_USAGE);
    return 0;
  }
  const target = options.url
    ? { url: options.url }
    : options.local
      ? { url: localUrl(process.env) }
      : deployedUrl(path.join(__dirname, "..", ".."), process.env);
  const url = requestUrl(target.url, options.path);
  const credentials = await findCredentials();
  if (target.authType === "AWS_IAM" && !credentials) {
    throw new TargetError(
      `No AWS credentials for an AWS_IAM URL (${url.origin}): the credential chain (environment, shared config and profiles, SSO) found none. ` +
        "Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or deploy in public mode (FUNCTION_URL_AUTH=NONE).",
    );
  }
  const region = regionOfUrl(url) ?? process.env.AWS_REGION ?? DEFAULTS.region;
  const headers = credentials ? await signGet(url, credentials, region) : {};
  let summary: StreamSummary;
  try {
    summary = await streamRequest(url, headers, options.quiet ? undefined : process.stdout);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    const hint = code === "ECONNREFUSED" && options.local ? " Is `npm start` running?" : "";
    throw new TargetError(`Cannot reach ${url.origin} (${code || (error as Error).message}).${hint}`);
  }
  process.stderr.write(`\n${formatSummary(summary)}\n`);
  const problem = explainStatus(summary.status, credentials !== undefined);
  if (problem) {
    process.stderr.write(`${problem}\n`);
    return 1;
  }
  return summary.status >= 400 || summary.truncated ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof UsageError) {
        console.error(error.message);
        process.exit(2);
      }
      console.error(error instanceof Error && error.name !== "Error" ? error.message : error);
      process.exit(1);
    },
  );
}
