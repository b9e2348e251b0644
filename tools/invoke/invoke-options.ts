// Parses `npm run invoke -- [--url URL | --local] [--path /?count=…] [--quiet]` with util.parseArgs.

import { parseArgs } from "node:util";
import { UsageError } from "../../emulator/errors";

export interface InvokeOptions {
  readonly url?: string;
  readonly local: boolean;
  /** Path and query appended to the URL, e.g. `/?count=20&chunk=1`. */
  readonly path: string;
  readonly quiet: boolean;
}

export const INVOKE_USAGE = `Usage: npm run invoke -- [--url URL | --local] [--path /?count=…] [--quiet]
Streams the URL's body to stdout and prints status, time to first byte, total time, bytes and
throughput to stderr. Without --url it calls the deployed stack's function_url; --local calls
the local Function URL (npm start).`;

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
  const path = (values.path as string | undefined) ?? "/";
  if (!path.startsWith("/")) {
    throw new UsageError(`--path must start with / such as /?count=20&chunk=1 (got ${JSON.stringify(path)})`);
  }
  return {
    ...(url !== undefined ? { url } : {}),
    local: values.local === true,
    path,
    quiet: values.quiet === true,
    help: values.help === true,
  };
}
