// Parses `npm run invoke -- [--url URL | --local] [--api [--function-name NAME] [--payload JSON]]
// [--path /?count=…] [--quiet]` with util.parseArgs, and builds what --api sends.

import { parseArgs } from "node:util";
import { UsageError } from "../../support/usage-error";

export interface InvokeOptions {
  readonly url?: string;
  readonly local: boolean;
  /** Path and query that replace the URL's own, e.g. `/?count=20&chunk=1`; unset keeps the URL's. */
  readonly path?: string;
  readonly quiet: boolean;
  /** Call the function through the Lambda API's InvokeWithResponseStream instead of its URL. */
  readonly api: boolean;
  /** --api: the function to call, instead of the stack's (or the local server's). */
  readonly functionName?: string;
  /** --api: the payload as given (JSON), instead of the event --path makes. */
  readonly payload?: string;
}

export const INVOKE_USAGE = `Usage: npm run invoke -- [--url URL | --local] [--path /?count=…] [--quiet]
       npm run invoke -- --api [--local] [--function-name NAME] [--path /?count=… | --payload JSON] [--quiet]
Streams the body to stdout and prints status, time to first byte, total time, bytes and
throughput to stderr. Without --url it calls the deployed stack's URL (public_url when it has
one, else function_url; npm run -s url prints it). --local calls this machine: the stack
deployed into the running local AWS (npm run deploy -- --local; signed with its pair) when there
is one, else the local Function URL a running npm start recorded in .local-url.json (any port,
signed as it expects), else the one on $PORT or 3000; with both, stderr says which and how to
call the other. A query in --url is sent as given; --path replaces the
URL's path and query.

--api calls the function itself through the Lambda API's InvokeWithResponseStream, with the
AWS SDK (signed through its credential chain, never retried): the deployed stack's function
(outputs function_name and region), or with --local this machine's: the function deployed into
the running local AWS, on its endpoint, else the Lambda API npm start serves (the endpoint and
key pair it recorded, else port $PORT + 1 or 3001). The body prints as it arrives;
a prelude (HttpResponseStream.from) prints to stderr as "Prelude: status … · header: value",
apart from the body. No URL stands in between, so there is no HTTP request: --path becomes
the payload, a Function URL event with its rawPath, rawQueryString and queryStringParameters
(what the 🚗 handler reads; "/" without --path); --payload JSON sends that JSON as is instead.
--function-name names another function (a --bundle's, say). A function error (InvokeComplete's
ErrorCode), a prelude status of 400 or more, or a stream cut short exits with code 1.`;

/**
 * What Invoke's FunctionName accepts: a name, an ARN or a partial ARN, with an optional qualifier.
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStream.html#API_InvokeWithResponseStream_RequestSyntax
 */
const FUNCTION_NAME =
  /^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?$/;

const FLAGS = "--url, --local, --path, --quiet, --api, --function-name, --payload";

export function parseInvokeOptions(argv: readonly string[]): InvokeOptions & { help: boolean } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        url: { type: "string" },
        local: { type: "boolean" },
        path: { type: "string" },
        quiet: { type: "boolean" },
        api: { type: "boolean" },
        "function-name": { type: "string" },
        payload: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split("\n")[0]}. Allowed flags: ${FLAGS}`);
  }
  const url = values.url as string | undefined;
  const api = values.api === true;
  if (url !== undefined && values.local) {
    throw new UsageError("--url and --local cannot be used together: call a given URL, or the local one");
  }
  if (url !== undefined && api) {
    throw new UsageError(
      "--url and --api cannot be used together: --api calls the function through the Lambda API (the deployed one, or --local), not a URL",
    );
  }
  if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError(`--url must be an http:// or https:// URL (got ${JSON.stringify(url)})`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new UsageError(`--url must be an http:// or https:// URL (got ${JSON.stringify(url)})`);
    }
  }
  const path = values.path as string | undefined;
  if (path !== undefined && !path.startsWith("/")) {
    throw new UsageError(`--path must start with / such as /?count=20&chunk=1 (got ${JSON.stringify(path)})`);
  }
  const functionName = values["function-name"] as string | undefined;
  const payload = values.payload as string | undefined;
  for (const [flag, value] of [
    ["--function-name", functionName],
    ["--payload", payload],
  ] as const) {
    if (value !== undefined && !api) {
      throw new UsageError(`${flag} is for --api (a call through the Lambda API); a URL's request is made from --path`);
    }
  }
  if (functionName !== undefined && (!FUNCTION_NAME.test(functionName) || functionName.length > 170)) {
    throw new UsageError(
      `--function-name must be a function's name (letters, digits, - and _), ARN or partial ARN, with an optional :qualifier (got ${JSON.stringify(functionName)})`,
    );
  }
  if (payload !== undefined) {
    if (path !== undefined) {
      throw new UsageError("--path and --payload cannot be used together: --path makes the payload, --payload gives it");
    }
    try {
      JSON.parse(payload);
    } catch (error) {
      throw new UsageError(
        `--payload must be JSON, such as '{"rawQueryString":"count=3"}' (got ${JSON.stringify(payload)}: ${(error as Error).message})`,
      );
    }
  }
  return {
    ...(url !== undefined ? { url } : {}),
    local: values.local === true,
    ...(path !== undefined ? { path } : {}),
    quiet: values.quiet === true,
    api,
    ...(functionName !== undefined ? { functionName } : {}),
    ...(payload !== undefined ? { payload } : {}),
    help: values.help === true,
  };
}

/**
 * The URL to request: the target as given, query included, unless `--path` names another path
 * and query, which then replaces both (an absolute path resolves against the origin).
 */
export function requestUrl(target: string, path: string | undefined): URL {
  return path === undefined ? new URL(target) : new URL(path, target);
}

/**
 * What --api sends: `--payload` as given, else the parts of a Function URL event (payload format
 * 2.0) that `--path` fixes: `rawPath`, `rawQueryString` and, when there is a query,
 * `queryStringParameters`, a repeated parameter's values joined with commas as Function URLs
 * join them. The rest of such an event (headers, requestContext) describes an HTTP request, and
 * a call through the API has none.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads
 */
export function apiPayload(options: Pick<InvokeOptions, "path" | "payload">): string {
  if (options.payload !== undefined) {
    return options.payload;
  }
  // As sent: a Function URL gives the function the path and query as the client typed them.
  const [rawPath, rawQueryString = ""] = (options.path ?? "/").split("#", 1)[0].split(/\?(.*)/s, 2);
  const joined = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    joined.set(name, joined.has(name) ? `${joined.get(name)},${value}` : value);
  }
  return JSON.stringify({
    version: "2.0",
    rawPath,
    rawQueryString,
    ...(joined.size > 0 ? { queryStringParameters: Object.fromEntries(joined) } : {}),
  });
}
