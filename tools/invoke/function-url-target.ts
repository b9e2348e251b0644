// Where `npm run invoke` sends its request: a given URL, the local Function URL (as `npm start`
// records it), or the deployed stack's URL (its `public_url` output when it has one, else
// `function_url`, read by deployed-outputs.ts).

import { type LocalUrlRecord, readRunningRecords, removeStaleLocalUrlRecords } from "../../support/local-url-record";
import { readDeployedOutputs } from "./deployed-outputs";
import { notFound, TargetError } from "./target-error";

/** A Function URL's host names its Region: `<url-id>.lambda-url.<region>.on.aws`. */
export function regionOfUrl(url: URL): string | undefined {
  return /^[^.]+\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(url.hostname)?.[1];
}

/** The local Function URL `npm start` serves by default. */
export function localUrl(env: NodeJS.ProcessEnv): string {
  return `http://127.0.0.1:${env.PORT || 3000}/`;
}

/**
 * A local Function URL to call: the one a running `npm start` recorded, or the default address;
 * with the entries of servers that are gone, which were removed on the way.
 */
export type LocalTarget = (
  | { readonly recorded: LocalUrlRecord; readonly url: string }
  | { readonly recorded?: undefined; readonly url: string }
) & {
  readonly stale: readonly LocalUrlRecord[];
  /** Other running servers, besides the newest (`recorded`), which is the one called. */
  readonly others: readonly LocalUrlRecord[];
};

/**
 * The URL `npm start` recorded at the project root while it runs (any port, its auth type and
 * Region). Entries of servers killed without cleaning up are removed first (and returned, to be
 * named). Without a record, the default address ($PORT, else 3000): a server started by other
 * means (an older checkout, a test) records nothing, and trying costs one refused connection.
 */
export function localTarget(projectRoot: string, env: NodeJS.ProcessEnv): LocalTarget {
  const stale = removeStaleLocalUrlRecords(projectRoot);
  const running = readRunningRecords(projectRoot);
  const recorded = running.at(-1);
  const others = running.slice(0, -1);
  return recorded ? { recorded, url: recorded.url, stale, others } : { url: localUrl(env), stale, others };
}

/**
 * A `--url` that is a running `npm start`'s own (same origin as its record): called as `--local`
 * calls it, signed with the pair it checks against, so the hint for another server works.
 */
export function recordedServerAt(projectRoot: string, url: string): LocalTarget | undefined {
  const origin = new URL(url).origin;
  const recorded = readRunningRecords(projectRoot).find((record) => new URL(record.url).origin === origin);
  return recorded ? { recorded, url, stale: [], others: [] } : undefined;
}

/**
 * With more than one `npm start` running, which one `--local` calls (the newest) and how to call
 * each other one instead: its URL with --url; its Lambda API (which --api cannot be pointed at) with
 * the AWS CLI or SDK at its endpoint. Undefined with one server or none.
 * @param door what is called: the newest server's URL, or its Lambda API (`--api`)
 */
export function describeChoice(local: LocalTarget, door: "url" | "api"): string | undefined {
  if (local.recorded === undefined || local.others.length === 0) {
    return undefined;
  }
  const count = `${local.others.length + 1} npm start servers are running`;
  const which = local.others.length === 1 ? "the other" : "another";
  if (door === "url") {
    const others = local.others.map((other) => `npm run invoke -- --url ${other.url} (pid ${other.pid})`).join("; ");
    return `${count}; --local calls the newest, pid ${local.recorded.pid} (${local.recorded.url}). To call ${which}: ${others}.`;
  }
  const others = local.others
    .map((other) => (other.apiUrl ? `pid ${other.pid}'s is at ${other.apiUrl}` : `pid ${other.pid} serves none`))
    .join("; ");
  return (
    `${count}; --api --local calls the newest's Lambda API, pid ${local.recorded.pid} (${local.recorded.apiUrl ?? "none"}). ` +
    `${which === "the other" ? "The other" : "Another"}'s: ${others}; call it with the AWS CLI or SDK (--endpoint-url), or stop the newer server.`
  );
}

/** What `npm run invoke` suggests when it finds no deployed URL; other commands say their own (or nothing). */
const INVOKE_OTHERWISE = "Pass --url URL, or use --local.";

/** A deployed URL, and how it is called. */
export interface DeployedUrl {
  readonly url: string;
  /** `NONE`: call it unsigned. Absent when the state does not say (an older stack). */
  readonly authType?: string;
}

/**
 * The deployed stack's URL and how to call it (see {@link readDeployedOutputs}). A stack published
 * through CloudFront has a `public_url` output: that is the address callers use, unsigned
 * (CloudFront signs each request to the `AWS_IAM` function URL with its origin access control),
 * so it wins over `function_url`, which only the distribution may call.
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-lambda.html
 * @param otherwise what else to do when there is no URL: {@link INVOKE_OTHERWISE} for `npm run invoke`
 */
export function deployedUrl(projectRoot: string, env: NodeJS.ProcessEnv, otherwise: string = INVOKE_OTHERWISE): DeployedUrl {
  const lookup = { what: "URL", otherwise };
  const { outputs, stackName, where } = readDeployedOutputs(projectRoot, env, lookup);
  const publicUrl = outputs.public_url?.value;
  if (typeof publicUrl === "string" && publicUrl !== "") {
    return { url: publicUrl, authType: "NONE" };
  }
  const url = outputs.function_url?.value;
  if (typeof url !== "string" || url === "") {
    throw new TargetError(
      notFound(lookup, `the stack ${stackName} has no function_url output in ${where} (is it deployed? \`npm run deploy\`).`),
    );
  }
  const authType = outputs.auth_type?.value;
  return { url, ...(typeof authType === "string" ? { authType } : {}) };
}
