// Where `npm run invoke -- --api` calls InvokeWithResponseStream: the deployed stack's function
// (its outputs function_name and region), or with --local this machine's: the stack deployed into
// the running local AWS (its endpoint and pair from .local-aws.json), else the Lambda API a
// running `npm start` serves (the endpoint, Region, function name and key pair in .local-url.json).

import { readConfig } from "../../lib/config";
import { LOCAL_URL_RECORD_FILE } from "../../support/local-url-record";
import { readDeployedOutputs } from "./deployed-outputs";
import { type LocalTarget, localTarget } from "./function-url-target";
import { findLocalDeployment } from "./local-deployment";
import { notFound, TargetError } from "./target-error";

/** A function to call through the Lambda API. */
export interface ApiTarget {
  readonly functionName: string;
  readonly region: string;
  /** The Lambda API's endpoint; undefined for AWS's own, which the SDK finds for the Region. */
  readonly endpoint?: string;
  /** Set for --local: the record `npm start` left, if any, and the key pair it made for its run. */
  readonly local?: LocalTarget & { readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string } };
  /** Set for the stack deployed into the local AWS: the pair the local AWS made for its run, when it made one. */
  readonly localAws?: { readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string } };
}

/**
 * The function of the stack deployed into the running local AWS (`npm run deploy -- --local`), on
 * the local AWS's own endpoint; undefined when there is none.
 */
export function localAwsFunction(projectRoot: string, env: NodeJS.ProcessEnv, functionName?: string): ApiTarget | undefined {
  const deployment = findLocalDeployment(projectRoot, env);
  const name = functionName ?? deployment?.functionName;
  if (deployment === undefined || name === undefined) {
    return undefined;
  }
  const { endpoint, localCredentials } = deployment.localAws;
  return { functionName: name, region: deployment.region, endpoint, localAws: localCredentials ? { credentials: localCredentials } : {} };
}

const FUNCTION_LOOKUP = { what: "function", otherwise: "Use --local to call the one npm start serves." };

/**
 * The deployed stack's function: `--function-name` or the `function_name` output, in the
 * `region` output's Region (else the configured one, AWS_REGION or its default).
 */
export function deployedFunction(projectRoot: string, env: NodeJS.ProcessEnv, functionName?: string): ApiTarget {
  const { outputs, stackName, where } = readDeployedOutputs(projectRoot, env, FUNCTION_LOOKUP);
  const name = functionName ?? outputs.function_name?.value;
  if (typeof name !== "string" || name === "") {
    throw new TargetError(
      notFound(FUNCTION_LOOKUP, `the stack ${stackName} has no function_name output in ${where} (is it deployed? \`npm run deploy\`).`),
    );
  }
  const region = outputs.region?.value;
  return { functionName: name, region: typeof region === "string" && region !== "" ? region : readConfig(env).region };
}

/** The Lambda API `npm start` serves by default: the port after the URL's ($PORT, else 3000). */
export function localApiUrl(env: NodeJS.ProcessEnv): string {
  const port = /^[0-9]+$/.test(env.PORT ?? "") ? Number(env.PORT) : 3000;
  return `http://127.0.0.1:${port + 1}`;
}

/**
 * The local Lambda API: the one the newest running `npm start` recorded (stale entries are
 * removed first, and returned in `local.stale` to be named), else the default address. The
 * function is `--function-name`, else the recorded one, else the stack's as configured
 * (FUNCTION_NAME, else the stack name), which is what `npm start` serves unless given --bundle.
 */
export function localApiTarget(projectRoot: string, env: NodeJS.ProcessEnv, functionName?: string): ApiTarget {
  const local = localTarget(projectRoot, env);
  const { recorded } = local;
  if (recorded && recorded.apiUrl === undefined) {
    throw new TargetError(
      `The npm start that ${LOCAL_URL_RECORD_FILE} records (pid ${recorded.pid}, ${recorded.url}) serves no Lambda API: it was started with --api-port 0 (or is older than the API). ` +
        "Restart it without --api-port 0, or call its Function URL: npm run invoke -- --local.",
    );
  }
  const config = readConfig(env);
  return {
    functionName: functionName ?? recorded?.functionName ?? config.functionName,
    region: recorded?.region ?? config.region,
    endpoint: recorded?.apiUrl ?? localApiUrl(env),
    local: { ...local, ...(recorded?.localCredentials ? { credentials: recorded.localCredentials } : {}) },
  };
}
