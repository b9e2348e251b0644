// Each Function URL deployed into the local AWS answers at an address of its own: a port on the
// local AWS's host, `http://127.0.0.1:PORT/`, which curl, browsers and Node's fetch reach with no
// DNS setup. The port is chosen when the URL is created and kept in its configuration, so a
// restart serves it at the same address and terraform's state stays true. Behind each address is
// the Function URL door npm start serves (auth, CORS, invoke mode, limits), reading the function,
// its URL configuration and its resource-based policy as they are at each request.

import type * as http from "node:http";
import type { VerifierCredentials } from "../auth/sigv4-signature";
import type { LogSink } from "../common/log-sink";
import { isLoopback, loopbackHostNames } from "../common/loopback";
import { LOCAL_AWS_PAIR } from "../control/control-server";
import { policies, urls } from "../control/lambda-access";
import type { OpenedAddress } from "../control/service-call";
import type { Store } from "../control/store";
import { failed } from "../invocation/invocation-run";
import type { ResponseLimits } from "../invocation/response-limiter";
import { createFunctionUrlServer } from "../url/server";
import { AddressHosts, formatHostPort, type HostPort, parseHostPort } from "./address-hosts";
import { regionAndName } from "./deployed-function";
import type { FunctionRegistry } from "./function-registry";
import { publicUrlRefusal } from "./resource-policy";

export interface FunctionUrlHostsOptions {
  readonly host: string;
  readonly credentials: VerifierCredentials;
  readonly renewCredentials?: () => Promise<VerifierCredentials | undefined>;
  readonly limits: ResponseLimits;
  readonly log: LogSink;
}

/** A Function URL's address, as its configuration keeps it: `http://127.0.0.1:4567/`. */
function urlOf(at: HostPort): string {
  return `http://${formatHostPort(at)}/`;
}

export class FunctionUrlHosts {
  private readonly hosts: AddressHosts;

  constructor(
    private readonly store: Store,
    private readonly registry: FunctionRegistry,
    private readonly options: FunctionUrlHostsOptions,
  ) {
    this.hosts = new AddressHosts(store, {
      host: options.host,
      log: options.log,
      serverFor: (functionArn, host) => this.serverFor(functionArn, host),
      recorded: () =>
        new Map(
          [...urls(store).values()].map((config) => [
            config.FunctionArn,
            parseHostPort(/^http:\/\/([^/]+)\/$/.exec(config.FunctionUrl)?.[1] ?? ""),
          ]),
        ),
      describe: (functionArn) => `${regionAndName(functionArn).name}'s Function URL`,
      show: urlOf,
    });
  }

  /** Opens a new URL for `functionArn` on a free port (CreateFunctionUrlConfig): its address. */
  async open(functionArn: string): Promise<OpenedAddress> {
    const { at, release } = await this.hosts.open(functionArn);
    return { address: urlOf(at), release };
  }

  /** Serves every URL configuration in the store at its recorded address (at start). */
  restore(): Promise<void> {
    return this.hosts.restore();
  }

  /** Stops every URL's server and connection. */
  close(): Promise<void> {
    return this.hosts.close();
  }

  /** The Function URL door for `functionArn`, reading the function, its URL and its policy at each request. */
  private serverFor(functionArn: string, host: string): http.Server {
    const { region, name } = regionAndName(functionArn);
    const found = this.registry.find(region, name);
    if (found === undefined) {
      throw new Error(`there is no function ${functionArn} (its URL configuration outlived it)`);
    }
    return createFunctionUrlServer({
      fn: found.fn,
      currentFunction: () => this.registry.find(region, name)?.fn ?? found.fn,
      invoke: (event, invokeOptions) =>
        this.registry.find(region, name)?.invoke(event, invokeOptions) ?? {
          requestId: invokeOptions.requestId,
          ...failed({ errorType: "ResourceNotFoundException", errorMessage: `Function not found: ${functionArn}` }),
        },
      credentials: this.options.credentials,
      ...(this.options.renewCredentials ? { renewCredentials: this.options.renewCredentials } : {}),
      limits: this.options.limits,
      ...(isLoopback(host) ? { allowedHostNames: loopbackHostNames(host) } : {}),
      publicAccessRefusal: () => publicUrlRefusal(policies(this.store).get(functionArn), functionArn),
      signing: {
        signWith: (signingRegion) => `curl --aws-sigv4 "aws:amz:${signingRegion}:lambda" --user with the pair npm run local-aws printed`,
        invokeCommand: "npm run invoke -- --local (for the stack npm run deploy -- --local deployed)",
        pairNamedBy: LOCAL_AWS_PAIR,
      },
      log: (line) => this.options.log(`[${name} URL] ${line}`),
    });
  }
}
