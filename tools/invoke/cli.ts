// `npm run invoke`: call a Function URL (deployed, the one `npm start` serves, or given), or with
// --api the function itself through the Lambda API (api-command.ts); stream the body to stdout,
// and print a one-line summary to stderr.

import * as fs from "node:fs";
import * as path from "node:path";
import type { Writable } from "node:stream";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import type { AwsCredentialIdentity } from "@smithy/types";
import { DEFAULTS } from "../../lib/config";
import type { LocalAwsRecord } from "../../support/local-aws-record";
import { describeStaleRecords, LOCAL_URL_RECORD_FILE } from "../../support/local-url-record";
import { UsageError } from "../../support/usage-error";
import { runApiInvoke } from "./api-command";
import { deployedUrl, describeChoice, type LocalTarget, recordedServerAt, regionOfUrl } from "./function-url-target";
import { INVOKE_USAGE, parseInvokeOptions, requestUrl } from "./invoke-options";
import { chooseLocal, describeBoth, localAwsHint, servedLocally } from "./local-deployment";
import { signRequest } from "./sign-request";
import { type StreamSummary, streamRequest } from "./stream-request";
import { formatSummary } from "./summary-line";
import { TargetError } from "./target-error";

export { formatSummary } from "./summary-line";

/** What a failed status means, and what to do about it; undefined for success. */
export function explainStatus(status: number, signed: boolean, local = false): string | undefined {
  if (status === 403 && local) {
    return signed
      ? "403 Forbidden: the local URL refused the signature; its terminal logs why (403 for RequestId: …). It checks against the pair npm start named when it started (its shell's, its AWS profile's, or one made for the run): sign with that one."
      : "403 Forbidden: the local URL uses AWS_IAM auth and the request was not signed, because no AWS credentials were found. Use the pair npm start named when it started (or the curl line it printed), or start it with --auth NONE.";
  }
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

/** The standard AWS credential chain (environment, shared config and profiles, SSO), or undefined. */
async function credentialChain(): Promise<AwsCredentialIdentity | undefined> {
  try {
    return await defaultProvider()();
  } catch {
    return undefined;
  }
}

/** What `runInvoke` reads and writes, so that tests can give their own. */
export interface InvokeIo {
  readonly env: NodeJS.ProcessEnv;
  readonly projectRoot: string;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** @default the AWS SDK's credential chain */
  readonly findCredentials?: () => Promise<AwsCredentialIdentity | undefined>;
  /** For tests only: where --api's deployed path sends its call instead of AWS (see api-command.ts). */
  readonly endpointForTests?: string;
}

/** Where to send the request, and what is known of it. */
interface Target {
  readonly url: string;
  readonly authType?: string;
  readonly region?: string;
  /** Set for --local: the record `npm start` left, if any. */
  readonly local?: LocalTarget;
  /** Set for --local's call to the stack deployed into the local AWS: that local AWS's record. */
  readonly localAws?: LocalAwsRecord;
}

/**
 * The credentials to sign with: none for a NONE URL, the throwaway pair a local server made for
 * its run, else the standard chain's (required for an AWS_IAM URL).
 */
async function signingCredentials(target: Target, url: URL, io: InvokeIo): Promise<AwsCredentialIdentity | undefined> {
  if (target.authType === "NONE") {
    return undefined;
  }
  const localCredentials = target.local?.recorded?.localCredentials ?? target.localAws?.localCredentials;
  if (localCredentials) {
    return localCredentials;
  }
  const credentials = await (io.findCredentials ?? credentialChain)();
  if (target.authType === "AWS_IAM" && !credentials) {
    throw new TargetError(
      target.local
        ? `No AWS credentials for the local AWS_IAM URL (${url.origin}): it checks signatures against the pair npm start named when it started, and the credential chain here found none. Use that pair (or the curl line npm start printed), or start it with --auth NONE.`
        : `No AWS credentials for an AWS_IAM URL (${url.origin}): the credential chain (environment, shared config and profiles, SSO) found none. ` +
            "Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or deploy in public mode (FUNCTION_URL_AUTH=NONE).",
    );
  }
  return credentials;
}

/** For the local AWS's CloudFront (https on this machine): the CA its edge's certificate is signed by. */
function localCa(target: Target, url: URL): string | undefined {
  const caFile = target.localAws?.caFile;
  if (url.protocol !== "https:" || caFile === undefined) {
    return undefined;
  }
  try {
    return fs.readFileSync(caFile, "utf8");
  } catch (error) {
    throw new TargetError(
      `Cannot read the local AWS's CA file ${caFile} (${(error as NodeJS.ErrnoException).code}): restart npm run local-aws, which makes it again.`,
    );
  }
}

/**
 * --local's URL: the stack deployed into the running local AWS (signed with its pair, in the
 * Region it was deployed for) when there is one, else npm start's; the lines on what was chosen.
 */
function localUrlTarget(io: InvokeIo): Target {
  const choice = chooseLocal(io.projectRoot, io.env);
  const local = choice.npmStart;
  for (const line of [local && describeStaleRecords(local.stale), describeBoth(choice)]) {
    if (line) io.stderr.write(`${line}\n`);
  }
  if (choice.deployment) {
    const { deployment } = choice;
    return {
      url: servedLocally(deployment, local),
      authType: deployment.authType,
      region: deployment.region,
      localAws: deployment.localAws,
    };
  }
  const line = describeChoice(choice.npmStart, "url");
  if (line) io.stderr.write(`${line}\n`);
  return {
    url: choice.npmStart.url,
    authType: choice.npmStart.recorded?.authType,
    region: choice.npmStart.recorded?.region,
    local: choice.npmStart,
  };
}

/** Why the local URL cannot be reached, and what to do: start one, or name another. */
function unreachableLocal(local: LocalTarget, code: string, projectRoot: string): string {
  const what = local.recorded
    ? `The local Function URL that npm start (pid ${local.recorded.pid}) recorded in ${LOCAL_URL_RECORD_FILE}, ${local.url}, does not answer (${code}).`
    : local.stale.length > 0
      ? `No local Function URL is running: the npm start that ${LOCAL_URL_RECORD_FILE} named is gone (its stale entry is removed), and nothing answers at ${local.url} (${code}).`
      : `No local Function URL is running: none is recorded in ${LOCAL_URL_RECORD_FILE}, and nothing answers at ${local.url} (${code}).`;
  return `${what} Start one with \`npm start\` (in another terminal), or pass --url URL; as for the local AWS, ${localAwsHint(projectRoot)}.`;
}

/** `npm run invoke` with `argv`: streams the body to stdout, the summary to stderr; the exit code. */
export async function runInvoke(argv: readonly string[], io: InvokeIo): Promise<number> {
  const options = parseInvokeOptions(argv);
  if (options.help) {
    io.stderr.write(`${INVOKE_USAGE}\n`);
    return 0;
  }
  if (options.api) {
    return runApiInvoke(options, { ...io, findCredentials: io.findCredentials ?? credentialChain });
  }
  let target: Target;
  if (options.url) {
    const local = recordedServerAt(io.projectRoot, options.url);
    target = local?.recorded
      ? { url: options.url, authType: local.recorded.authType, region: local.recorded.region, local }
      : { url: options.url };
  } else if (options.local) {
    target = localUrlTarget(io);
  } else {
    target = deployedUrl(io.projectRoot, io.env);
  }
  const url = requestUrl(target.url, options.path);
  const credentials = await signingCredentials(target, url, io);
  const region = target.region ?? regionOfUrl(url) ?? io.env.AWS_REGION ?? DEFAULTS.region;
  const headers = credentials ? await signRequest(url, credentials, { region }) : {};
  let summary: StreamSummary;
  try {
    summary = await streamRequest(url, headers, options.quiet ? undefined : io.stdout, localCa(target, url));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    if (target.local && code === "ECONNREFUSED") {
      throw new TargetError(unreachableLocal(target.local, code, io.projectRoot));
    }
    throw new TargetError(`Cannot reach ${url.origin} (${code || (error as Error).message}).`);
  }
  io.stderr.write(`\n${formatSummary(summary)}\n`);
  const problem = explainStatus(summary.status, credentials !== undefined, target.local !== undefined);
  if (problem) {
    io.stderr.write(`${problem}\n`);
    return 1;
  }
  return summary.status >= 400 || summary.truncated ? 1 : 0;
}

if (require.main === module) {
  runInvoke(process.argv.slice(2), {
    env: process.env,
    projectRoot: path.join(__dirname, "..", ".."),
    stdout: process.stdout,
    stderr: process.stderr,
  }).then(
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
