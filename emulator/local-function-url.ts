// Puts the pieces together: an environment pool running the function, and the HTTP front that
// serves it, started on a host and port. What `npm start` runs, and what the tests start.

import type { AddressInfo } from "node:net";
import { EnvironmentPool } from "./environment-pool";
import { locateRuntime, type RuntimeCommand } from "./execution-environment";
import { createFunctionUrlServer } from "./function-url-server";
import type { LogSink } from "./lambda-log";
import { isLoopback, loopbackHostNames } from "./loopback";
import { LAMBDA_RESPONSE_LIMITS, type ResponseLimits } from "./response-limiter";
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
  /** Asked again for the credentials after a failed signature, when they can rotate (an AWS profile). */
  readonly renewCredentials?: () => Promise<VerifierCredentials | undefined>;
  /** Lambda's limits on a streamed response; `{}` lifts the bandwidth cap. @default LAMBDA_RESPONSE_LIMITS */
  readonly limits?: ResponseLimits;
  /** Runs the function under Node's inspector on 127.0.0.1:PORT: one environment, no timeouts. */
  readonly inspectPort?: number;
  /** How long a finished environment counts as about to be free. @default FINISHING_GRACE_MS */
  readonly finishingGraceMs?: number;
  /** @default console.log */
  readonly log?: LogSink;
  /** @default locateRuntime() */
  readonly runtime?: RuntimeCommand;
}

export interface LocalFunctionUrl {
  /** e.g. `http://127.0.0.1:3000/` */
  readonly url: string;
  readonly pool: EnvironmentPool;
  /** Serves a new version of the function: new requests get it, requests in flight finish on the old one. */
  reload(fn: FunctionConfig): void;
  /** Stops the server, every connection, and every runtime process. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_ENVIRONMENTS = 8;

export async function startLocalFunctionUrl(options: LocalFunctionUrlOptions): Promise<LocalFunctionUrl> {
  const log = options.log ?? ((line: string) => console.log(line));
  const pool = new EnvironmentPool(options.fn, options.runtime ?? locateRuntime(), {
    // A debugger attaches to one process: with the inspector on, one environment at a time.
    maxEnvironments: options.inspectPort === undefined ? (options.maxEnvironments ?? DEFAULT_MAX_ENVIRONMENTS) : 1,
    ...(options.inspectPort !== undefined ? { inspectPort: options.inspectPort } : {}),
    ...(options.finishingGraceMs !== undefined ? { finishingGraceMs: options.finishingGraceMs } : {}),
    log,
  });
  const host = options.host ?? "127.0.0.1";
  const server = createFunctionUrlServer({
    fn: options.fn,
    currentFunction: () => pool.function,
    invoke: (event, requestId, traceId, signal) => pool.invoke(event, requestId, traceId, signal),
    credentials: options.credentials,
    ...(options.renewCredentials ? { renewCredentials: options.renewCredentials } : {}),
    limits: options.limits ?? LAMBDA_RESPONSE_LIMITS,
    ...(isLoopback(host) ? { allowedHostNames: loopbackHostNames(host) } : {}),
    log,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 3000, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    pool,
    reload: (fn) => pool.setFunction(fn),
    async close() {
      server.closeAllConnections();
      await Promise.all([new Promise<void>((resolve) => server.close(() => resolve())), pool.close()]);
    },
  };
}
