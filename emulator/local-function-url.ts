// Puts the pieces together: an environment pool running the function, and the HTTP front that
// serves it, started on a host and port. What `npm start` runs, and what the tests start.

import type { AddressInfo } from "node:net";
import { EnvironmentPool } from "./environment-pool";
import { locateRuntime, type RuntimeCommand } from "./execution-environment";
import { createFunctionUrlServer } from "./function-url-server";
import type { LogSink } from "./lambda-log";
import type { VerifierCredentials } from "./sigv4-verifier";
import type { FunctionConfig } from "./stack-reader";

export interface LocalFunctionUrlOptions {
  readonly fn: FunctionConfig;
  /** @default "127.0.0.1" */
  readonly host?: string;
  /** 0 picks a free port. @default 3000 */
  readonly port?: number;
  /** @default 8 */
  readonly maxEnvironments?: number;
  readonly credentials?: VerifierCredentials;
  /** @default console.log */
  readonly log?: LogSink;
  /** @default locateRuntime() */
  readonly runtime?: RuntimeCommand;
}

export interface LocalFunctionUrl {
  /** e.g. `http://127.0.0.1:3000/` */
  readonly url: string;
  readonly pool: EnvironmentPool;
  /** Stops the server, every connection, and every runtime process. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_ENVIRONMENTS = 8;

export async function startLocalFunctionUrl(options: LocalFunctionUrlOptions): Promise<LocalFunctionUrl> {
  const log = options.log ?? ((line: string) => console.log(line));
  const pool = new EnvironmentPool(options.fn, options.runtime ?? locateRuntime(), {
    maxEnvironments: options.maxEnvironments ?? DEFAULT_MAX_ENVIRONMENTS,
    log,
  });
  const server = createFunctionUrlServer({
    fn: options.fn,
    invoke: (event, requestId) => pool.invoke(event, requestId),
    credentials: options.credentials,
    log,
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 3000, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    pool,
    async close() {
      server.closeAllConnections();
      await Promise.all([new Promise<void>((resolve) => server.close(() => resolve())), pool.close()]);
    },
  };
}
