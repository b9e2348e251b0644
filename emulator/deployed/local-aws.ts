// The local AWS put together: the control plane on one endpoint (Lambda, IAM, STS, Logs,
// CloudFront, and Lambda's Invoke through the Lambda API door), and what it deploys served by the
// emulator's layers (the registry of running functions, a Function URL door per URL, a TLS edge
// per CloudFront distribution). What `npm run local-aws` starts, and what the tests start.

import type * as http from "node:http";
import { isInvokePath, lambdaApiHandler } from "../api/api-server";
import { parseFunctionName } from "../api/function-name";
import type { VerifierCredentials } from "../auth/sigv4-signature";
import { KeyRing } from "../auth/verifier-credentials";
import { LOCAL_ACCOUNT_ID } from "../common/constants";
import { listen } from "../common/listen";
import type { LogSink } from "../common/log-sink";
import { isLoopback, loopbackHostNames, urlHost } from "../common/loopback";
import { createControlServer, LOCAL_AWS_PAIR } from "../control/control-server";
import { notReachable } from "../control/lambda-functions";
import { LogEvents } from "../control/log-events";
import type { Store } from "../control/store";
import { locateRuntime, type RuntimeCommand } from "../environment/runtime-command";
import { LAMBDA_RESPONSE_LIMITS, type ResponseLimits } from "../invocation/response-limiter";
import { DistributionHosts } from "./distribution-hosts";
import { edgeCertificate } from "./edge-certificate";
import { FunctionRegistry } from "./function-registry";
import { FunctionUrlHosts } from "./function-url-hosts";

export interface LocalAwsServerOptions {
  readonly store: Store;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly credentials: VerifierCredentials;
  /** Asked again after a failed signature, when the credentials can rotate (an AWS profile). */
  readonly renewCredentials?: () => Promise<VerifierCredentials | undefined>;
  readonly log: LogSink;
  /** @default locateRuntime() */
  readonly runtime?: RuntimeCommand;
  /** @default LAMBDA_RESPONSE_LIMITS */
  readonly limits?: ResponseLimits;
}

export interface LocalAwsServer {
  /** e.g. `http://127.0.0.1:4566` */
  readonly endpoint: string;
  /** The log groups' events, deployed functions' lines among them. */
  readonly logEvents: LogEvents;
  readonly registry: FunctionRegistry;
  /** The certificate authority CloudFront distributions' edges are signed by: `curl --cacert` it. */
  readonly edgeCaFile: string;
  /** Stops the endpoint, every Function URL, every distribution's edge and every function's environments. */
  close(): Promise<void>;
}

export async function startLocalAwsServer(options: LocalAwsServerOptions): Promise<LocalAwsServer> {
  const { store, host, log } = options;
  const limits = options.limits ?? LAMBDA_RESPONSE_LIMITS;
  const renew = options.renewCredentials ? { renewCredentials: options.renewCredentials } : {};
  const logEvents = LogEvents.open(store);
  const tls = await edgeCertificate(store.dir);
  const registry = new FunctionRegistry(store, { runtime: options.runtime ?? locateRuntime(), log, logEvents });
  const urls = new FunctionUrlHosts(store, registry, { host, credentials: options.credentials, ...renew, limits, log });
  const edges = new DistributionHosts(store, { host, tls, credentials: options.credentials, log });
  const invoke = lambdaApiHandler({
    functions: {
      signingRegion: (scopeRegion) => scopeRegion ?? "us-east-1",
      find(name, qualifier, region) {
        const named = parseFunctionName(name, qualifier);
        if (!named.ok) return named;
        if (named.region !== undefined && named.region !== region) {
          const { code, message } = notReachable(named.region, region);
          return { ok: false, status: 404, errorType: code, message };
        }
        const arn = `arn:aws:lambda:${region}:${named.accountId ?? LOCAL_ACCOUNT_ID}:function:${named.functionName}`;
        const found =
          (named.accountId ?? LOCAL_ACCOUNT_ID) === LOCAL_ACCOUNT_ID && (named.qualifier ?? "$LATEST") === "$LATEST"
            ? registry.find(region, named.functionName)
            : undefined;
        return found
          ? { ok: true, ...found }
          : {
              ok: false,
              status: 404,
              errorType: "ResourceNotFoundException",
              message: `Function not found: ${arn}${named.qualifier ? `:${named.qualifier}` : ""}`,
            };
      },
    },
    credentials: options.credentials,
    ...renew,
    limits,
    signing: {
      signWith: (region) => `the AWS SDK or AWS CLI for Region ${region} with AWS_ENDPOINT_URL set to the local AWS`,
      invokeCommand: "npm run invoke -- --api --local (for the stack npm run deploy -- --local deployed)",
      pairNamedBy: LOCAL_AWS_PAIR,
    },
    log,
  });
  const server = createControlServer({
    store,
    logEvents,
    keys: new KeyRing(options.credentials, options.renewCredentials),
    hosting: {
      openFunctionUrl: (functionArn) => urls.open(functionArn),
      openDistribution: (distributionId) => edges.open(distributionId),
    },
    dataPlane: { serves: isInvokePath, handle: invoke },
    log,
    ...(isLoopback(host) ? { allowedHostNames: loopbackHostNames(host) } : {}),
  });
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await Promise.all([
      new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())),
      urls.close(),
      edges.close(),
      registry.close(),
    ]);
  };
  try {
    await urls.restore();
    await edges.restore();
    const port = await listen(server as http.Server, options.port, host);
    return { endpoint: `http://${urlHost(host)}:${port}`, logEvents, registry, edgeCaFile: tls.caFile, close };
  } catch (error) {
    await close();
    throw error;
  }
}
