// What `--local` calls for `npm run invoke` and `npm run url`: this machine. The stack deployed
// into the running local AWS (`npm run deploy -- --local`) when there is one, else the URL a
// running `npm start` serves (function-url-target.ts); when both run, a line on stderr says which
// one is called and how to reach the other.

import * as path from "node:path";
import { readConfig } from "../../lib/config";
import { findLocalAws, type LocalAwsRecord } from "../../support/local-aws-record";
import { localAwsStateFile, readStateOutputs } from "./deployed-outputs";
import { type LocalTarget, localTarget } from "./function-url-target";
import { TargetError } from "./target-error";

/** The stack deployed into the running local AWS, as its state file says. */
export interface LocalDeployment {
  readonly localAws: LocalAwsRecord;
  /** `public_url` when the stack has one, else `function_url`. */
  readonly url: string;
  readonly authType?: string;
  readonly region: string;
  /** The `function_name` output, for the Lambda API. */
  readonly functionName?: string;
  /** The state file, relative to the project. */
  readonly stateFile: string;
}

/** What `--local` calls: the local deployment (and npm start's URL, when one runs too), or npm start's. */
export type LocalChoice =
  | { readonly deployment: LocalDeployment; readonly npmStart?: LocalTarget }
  | { readonly deployment?: undefined; readonly npmStart: LocalTarget };

/**
 * The stack deployed into the running local AWS: undefined when no local AWS runs, or its state
 * file (terraform.<stack>.local-aws.tfstate) holds no URL.
 */
export function findLocalDeployment(projectRoot: string, env: NodeJS.ProcessEnv): LocalDeployment | undefined {
  const localAws = findLocalAws(projectRoot);
  if (localAws === undefined) {
    return undefined;
  }
  const { stackName, region } = readConfig(env);
  const file = localAwsStateFile(projectRoot, stackName);
  const stateFile = path.relative(projectRoot, file);
  const outputs = readStateOutputs(file, { what: "URL", otherwise: "" });
  const publicUrl = outputs.public_url?.value;
  const functionUrl = outputs.function_url?.value;
  const url = typeof publicUrl === "string" && publicUrl !== "" ? publicUrl : functionUrl;
  if (typeof url !== "string" || url === "") {
    return undefined;
  }
  const authType = url === publicUrl ? "NONE" : outputs.auth_type?.value;
  const deployedRegion = outputs.region?.value;
  const functionName = outputs.function_name?.value;
  return {
    localAws,
    url,
    ...(typeof functionName === "string" && functionName !== "" ? { functionName } : {}),
    ...(typeof authType === "string" ? { authType } : {}),
    region: typeof deployedRegion === "string" && deployedRegion !== "" ? deployedRegion : region,
    stateFile,
  };
}

/** The local deployment when there is one (with npm start's URL when a server is recorded too), else npm start's. */
export function chooseLocal(projectRoot: string, env: NodeJS.ProcessEnv): LocalChoice {
  const deployment = findLocalDeployment(projectRoot, env);
  const npmStart = localTarget(projectRoot, env);
  if (deployment === undefined) {
    return { npmStart };
  }
  return npmStart.recorded ? { deployment, npmStart } : { deployment };
}

/** With both a local deployment and npm start running: which one `--local` calls, and how to call the other. */
export function describeBoth(choice: LocalChoice): string | undefined {
  if (choice.deployment === undefined || choice.npmStart?.recorded === undefined) {
    return undefined;
  }
  return (
    `Both run on this machine: --local calls the stack deployed into the local AWS (${choice.deployment.url}, from ${choice.deployment.stateFile}). ` +
    `npm start's (pid ${choice.npmStart.recorded.pid}): npm run invoke -- --url ${choice.npmStart.url}`
  );
}

/**
 * The local deployment's URL, when it is on this machine (the local AWS serves each Function URL at
 * `http://127.0.0.1:PORT/`). Any other address (a state file edited, or written against another
 * endpoint) would send the request off the machine, maybe to AWS: it is refused with one line.
 */
export function servedLocally(deployment: LocalDeployment, npmStart: LocalTarget | undefined): string {
  if (isLoopbackUrl(deployment.url)) {
    return deployment.url;
  }
  const instead = npmStart?.recorded
    ? `Call npm start's instead: npm run invoke -- --url ${npmStart.url}`
    : "Serve the stack with `npm start` and call it with npm run invoke -- --url http://127.0.0.1:3000/";
  throw new TargetError(
    `No URL found on this machine: the stack deployed into the local AWS (${deployment.stateFile}) has the URL ${deployment.url}, which is not on this machine, and --local never sends a request off it (docs/local-aws.md). ${instead}, or npm run destroy -- --local.`,
  );
}

/** Whether `url` is on this machine: localhost, 127.0.0.0/8 or ::1. */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * What to do when --local finds nothing to call: the local AWS's part of it (deploy into the one
 * running, or start one and deploy), for the line that also names npm start.
 */
export function localAwsHint(projectRoot: string): string {
  const localAws = findLocalAws(projectRoot);
  return localAws
    ? `the local AWS at ${localAws.endpoint} (pid ${localAws.pid}) holds no deployment of the stack (npm run deploy -- --local)`
    : "no local AWS is running (`npm run local-aws`, then npm run deploy -- --local)";
}
