// Parses `npm run invoke -- [--url URL | --local] [--path /?count=…] [--quiet]` with util.parseArgs.

import { parseArgs } from "node:util";
import { UsageError } from "../../lib/usage-error";

export interface InvokeOptions {
  readonly url?: string;
  readonly local: boolean;
  /** Path and query that replace the URL's own, e.g. `/?count=20&chunk=1`; unset keeps the URL's. */
  readonly path?: string;
  readonly quiet: boolean;
}

export const INVOKE_USAGE = `Usage: npm run invoke -- [--url URL | --local] [--path /?count=…] [--quiet]
Streams the URL's body to stdout and prints status, time to first byte, total time, bytes and
throughput to stderr. Without --url it calls the deployed stack's URL (public_url when it has
one, else function_url; npm run -s url prints it); --local calls
the local Function URL a running npm start recorded in .local-url.json (any port, signed as it
expects), else the one on $PORT or 3000. A query in --url is sent as given; --path replaces the
URL's path and query.`;

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
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split("\n")[0]}. Allowed flags: --url, --local, --path, --quiet`);
  }
  const url = values.url as string | undefined;
  if (url !== undefined && values.local) {
    throw new UsageError("--url and --local cannot be used together: call a given URL, or the local one");
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
  return {
    ...(url !== undefined ? { url } : {}),
    local: values.local === true,
    ...(path !== undefined ? { path } : {}),
    quiet: values.quiet === true,
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
