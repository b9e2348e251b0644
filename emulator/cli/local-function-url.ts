// Puts the pieces together: an environment pool running the function, and the HTTP front that
// serves it, started on a host and port. What `npm start` runs, and what the tests start.

import type { Server } from "node:http";
import * as net from "node:net";
import { createLambdaApiServer, servedFunction } from "../api/api-server";
import type { VerifierCredentials } from "../auth/sigv4-signature";
import { localKeyPair } from "../auth/verifier-credentials";
import type { FunctionConfig } from "../common/function-config";
import { listen } from "../common/listen";
import type { LogSink } from "../common/log-sink";
import { isLoopback, loopbackHostNames, urlHost } from "../common/loopback";

import { locateRuntime, type RuntimeCommand } from "../environment/runtime-command";
import { EnvironmentPool } from "../invocation/environment-pool";
import { LAMBDA_RESPONSE_LIMITS, type ResponseLimits } from "../invocation/response-limiter";
import { createFunctionUrlServer } from "../url/server";
import { asApiListenError, asInspectListenError } from "./listen-error";

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
  /**
   * The local Lambda API's port (Invoke, InvokeWithResponseStream): 0 picks a free one, false
   * serves none. @default the URL's port + 1, or a free port when the URL's is 0
   */
  readonly apiPort?: number | false;
  /** @default console.log */
  readonly log?: LogSink;
  /** @default locateRuntime() */
  readonly runtime?: RuntimeCommand;
}

export interface LocalFunctionUrl {
  /** e.g. `http://127.0.0.1:3000/` */
  readonly url: string;
  /** The Lambda API's endpoint, e.g. `http://127.0.0.1:3001`; undefined when it is off. */
  readonly apiUrl: string | undefined;
  /** What the Lambda API checks signatures against: the given credentials, or a pair made for this run. */
  readonly apiCredentials: VerifierCredentials | undefined;
  readonly pool: EnvironmentPool;
  /** Serves a new version of the function: new requests get it, requests in flight finish on the old one. */
  reload(fn: FunctionConfig): void;
  /** Stops the server, every connection, and every runtime process. */
  close(): Promise<void>;
}

const DEFAULT_MAX_ENVIRONMENTS = 8;

export async function startLocalFunctionUrl(options: LocalFunctionUrlOptions): Promise<LocalFunctionUrl> {
  const log = options.log ?? ((line: string) => console.log(line));
  if (options.inspectPort !== undefined) {
    // Node only warns when the inspector's port is taken, and runs on without one: refused here instead.
    await refuseTakenInspectorPort(options.inspectPort);
  }
  const pool = new EnvironmentPool(options.fn, options.runtime ?? locateRuntime(), {
    // A debugger attaches to one process: with the inspector on, one environment at a time.
    maxEnvironments: options.inspectPort === undefined ? (options.maxEnvironments ?? DEFAULT_MAX_ENVIRONMENTS) : 1,
    ...(options.inspectPort !== undefined ? { inspectPort: options.inspectPort } : {}),
    ...(options.finishingGraceMs !== undefined ? { finishingGraceMs: options.finishingGraceMs } : {}),
    log,
  });
  // Under a debugger, the one environment starts now: the debugger can attach, and set its
  // breakpoints, before the first request.
  if (options.inspectPort !== undefined) {
    await pool.warmUp();
  }
  const host = options.host ?? "127.0.0.1";
  const server = createFunctionUrlServer({
    fn: options.fn,
    currentFunction: () => pool.function,
    invoke: (event, options) => pool.invoke(event, options),
    credentials: options.credentials,
    ...(options.renewCredentials ? { renewCredentials: options.renewCredentials } : {}),
    limits: options.limits ?? LAMBDA_RESPONSE_LIMITS,
    ...(isLoopback(host) ? { allowedHostNames: loopbackHostNames(host) } : {}),
    log,
  });
  const port = await listen(server, options.port ?? 3000, host);
  const apiPort = options.apiPort ?? (options.port === 0 ? 0 : port + 1);
  const apiCredentials = apiPort === false ? undefined : (options.credentials ?? localKeyPair());
  const api =
    apiPort === false
      ? undefined
      : createLambdaApiServer({
          functions: servedFunction(
            () => pool.function,
            (event, options) => pool.invoke(event, options),
          ),
          credentials: apiCredentials as VerifierCredentials,
          ...(options.renewCredentials ? { renewCredentials: options.renewCredentials } : {}),
          limits: options.limits ?? LAMBDA_RESPONSE_LIMITS,
          ...(isLoopback(host) ? { allowedHostNames: loopbackHostNames(host) } : {}),
          log,
        });
  const servers = api ? [server, api] : [server];
  let boundApiPort: number | undefined;
  try {
    boundApiPort = api ? await listen(api, apiPort as number, host) : undefined;
  } catch (error) {
    await closeAll(servers, pool);
    throw asApiListenError(error);
  }
  const shownHost = urlHost(host);
  return {
    url: `http://${shownHost}:${port}/`,
    apiUrl: boundApiPort === undefined ? undefined : `http://${shownHost}:${boundApiPort}`,
    apiCredentials,
    pool,
    reload: (fn) => pool.setFunction(fn),
    close: () => closeAll(servers, pool),
  };
}

/** Stops the servers, every connection, and every runtime process. */
async function closeAll(servers: readonly Server[], pool: EnvironmentPool): Promise<void> {
  for (const server of servers) server.closeAllConnections();
  await Promise.all([
    ...servers.map((server) => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()))),
    pool.close(),
  ]);
}

/**
 * Rejects with the listen error (marked as --inspect's) when 127.0.0.1:`port` is taken: Node's
 * inspector would print "Starting inspector … failed: address already in use" and run without a
 * debugger. The port is tried and freed just before the runtime process binds it.
 */
async function refuseTakenInspectorPort(port: number): Promise<void> {
  const probe = net.createServer();
  try {
    await listen(probe, port, "127.0.0.1");
  } catch (error) {
    throw asInspectListenError(error);
  }
  await new Promise((resolve) => probe.close(resolve));
}
