// `npm run invoke -- --api`: the function called through the Lambda API's InvokeWithResponseStream
// (the deployed one, or with --local this machine's: deployed into the local AWS, else the one
// `npm start` serves): the body to stdout as it
// arrives, a prelude and the summary to stderr, and what a failure means.

import { STATUS_CODES } from "node:http";
import type { Writable } from "node:stream";
import type { AwsCredentialIdentity } from "@smithy/types";
import { describeStaleRecords } from "../../support/local-url-record";
import { unreachableCode } from "../reachable";
import { explainApiFailure, unreachableLocalApi } from "./api-failure";
import { describeChoice } from "./function-url-target";
import { describePrelude } from "./http-prelude";
import { apiPayload, type InvokeOptions } from "./invoke-options";
import { type ApiTarget, deployedFunction, localApiTarget, localAwsFunction } from "./lambda-api-target";
import { type InvocationSummary, streamInvocation } from "./stream-invocation";
import { formatSummary } from "./summary-line";
import { TargetError } from "./target-error";

export interface ApiCommandIo {
  readonly env: NodeJS.ProcessEnv;
  readonly projectRoot: string;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly findCredentials: () => Promise<AwsCredentialIdentity | undefined>;
  /**
   * For tests only: the endpoint the deployed path calls instead of AWS's, a local server that
   * plays AWS, so that no test reaches the network.
   */
  readonly endpointForTests?: string;
}

/** The credentials to sign with: the local server's throwaway pair, else the credential chain's (the API is always signed). */
async function signingCredentials(target: ApiTarget, io: ApiCommandIo): Promise<AwsCredentialIdentity> {
  const credentials = target.local?.credentials ?? target.localAws?.credentials ?? (await io.findCredentials());
  if (credentials) {
    return credentials;
  }
  // No server is the first thing to fix: without one, the missing pair is beside the point.
  const refused = target.local && target.endpoint ? await unreachableCode(target.endpoint) : undefined;
  if (refused) {
    throw new TargetError(unreachableLocalApi(target, refused));
  }
  throw new TargetError(
    target.local
      ? `No AWS credentials for the local Lambda API (${target.endpoint}): it checks signatures against the pair npm start named when it started, and the credential chain here found none. Export that pair (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), as its "Local Lambda API" line shows.`
      : "No AWS credentials for the Lambda API: the credential chain (environment, shared config and profiles, SSO) found none. " +
          "Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (the Lambda API is always signed, whatever the URL's auth type).",
  );
}

/** Runs `--api` with parsed `options`: the exit code. */
export async function runApiInvoke(options: InvokeOptions, io: ApiCommandIo): Promise<number> {
  let target: ApiTarget;
  const deployedLocally = options.local ? localAwsFunction(io.projectRoot, io.env, options.functionName) : undefined;
  if (deployedLocally) {
    target = deployedLocally;
    io.stderr.write(`--local: ${target.functionName}, deployed into the local AWS at ${target.endpoint}\n`);
  } else if (options.local) {
    target = localApiTarget(io.projectRoot, io.env, options.functionName);
    const local = target.local;
    for (const line of local ? [describeStaleRecords(local.stale), describeChoice(local, "api")] : []) {
      if (line) io.stderr.write(`${line}\n`);
    }
  } else {
    target = deployedFunction(io.projectRoot, io.env, options.functionName);
    if (io.endpointForTests !== undefined) target = { ...target, endpoint: io.endpointForTests };
  }
  const credentials = await signingCredentials(target, io);
  let summary: InvocationSummary;
  try {
    summary = await streamInvocation(
      { ...target, credentials, payload: apiPayload(options) },
      options.quiet ? undefined : io.stdout,
      (prelude) => io.stderr.write(`${describePrelude(prelude)}\n`),
    );
  } catch (error) {
    throw new TargetError(explainApiFailure(error, target));
  }
  // The function's own status, from its prelude, is what a caller reads; the Lambda API's 200 only
  // says the stream started.
  const preludeStatus = summary.prelude?.kind === "prelude" ? summary.prelude.prelude.statusCode : undefined;
  const shown =
    preludeStatus === undefined ? summary : { ...summary, status: preludeStatus, statusText: STATUS_CODES[preludeStatus] ?? "" };
  io.stderr.write(`\n${formatSummary(shown)}\n`);
  if (summary.functionError) {
    const { errorCode, errorDetails } = summary.functionError;
    // A timeout or a crash has no stack of its own; a thrown error's is in the function's log.
    const where = errorCode.startsWith("Sandbox.") || errorCode.startsWith("Runtime.") ? "" : " (its stack is in the function's log)";
    io.stderr.write(`The function failed: ${errorCode}${errorDetails ? `: ${errorDetails}` : ""}${where}.\n`);
    return 1;
  }
  if (preludeStatus !== undefined && preludeStatus >= 400) {
    io.stderr.write(
      `The function answered ${preludeStatus} ${STATUS_CODES[preludeStatus] ?? ""}: exit 1, as for a Function URL's error status.\n`,
    );
    return 1;
  }
  if (summary.truncated) {
    io.stderr.write("The stream was cut short before its InvokeComplete event: exit 1.\n");
    return 1;
  }
  return 0;
}
