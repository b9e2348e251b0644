// Each Function URL deployed into the local AWS answers at an address of its own: a port on the
// local AWS's host, `http://127.0.0.1:PORT/`, which curl, browsers and Node's fetch reach with no
// DNS setup. The port is chosen when the URL is created and kept in its configuration, so a
// restart serves it at the same address and terraform's state stays true. Behind each address is
// the Function URL door npm start serves (auth, CORS, invoke mode, limits), reading the function,
// its URL configuration and its resource-based policy as they are at each request.

import type * as http from "node:http";
import type { VerifierCredentials } from "../auth/sigv4-signature";
import { listen } from "../common/listen";
import type { LogSink } from "../common/log-sink";
import { isLoopback, loopbackHostNames } from "../common/loopback";
import { LOCAL_AWS_PAIR } from "../control/control-server";
import { policies, urls } from "../control/lambda-access";
import type { OpenedAddress } from "../control/service-call";
import type { Store } from "../control/store";
import { failed } from "../invocation/invocation-run";
import type { ResponseLimits } from "../invocation/response-limiter";
import { createFunctionUrlServer } from "../url/server";
import type { FunctionRegistry } from "./function-registry";
import { publicUrlRefusal } from "./resource-policy";

export interface FunctionUrlHostsOptions {
  readonly host: string;
  readonly credentials: VerifierCredentials;
  readonly renewCredentials?: () => Promise<VerifierCredentials | undefined>;
  readonly limits: ResponseLimits;
  readonly log: LogSink;
}

interface Hosted {
  readonly server: http.Server;
  readonly functionArn: string;
  /** Until its configuration is committed, a URL being created is not closed by another change. */
  pending: boolean;
}

/** `arn:aws:lambda:<region>:<account>:function:<name>` → its Region and name. */
function regionAndName(functionArn: string): { region: string; name: string } {
  const parts = functionArn.split(":");
  return { region: parts[3] ?? "", name: parts[6] ?? "" };
}

export class FunctionUrlHosts {
  /** The servers, by the URL they answer at. */
  private readonly hosted = new Map<string, Hosted>();

  constructor(
    private readonly store: Store,
    private readonly registry: FunctionRegistry,
    private readonly options: FunctionUrlHostsOptions,
  ) {
    // A URL whose configuration is gone (deleted, or its function deleted) stops answering.
    store.onCommit(() => this.closeDeleted());
  }

  /** Opens a new URL for `functionArn` on a free port (CreateFunctionUrlConfig): its address. */
  async open(functionArn: string): Promise<OpenedAddress> {
    const { url } = await this.serve(functionArn, 0, true);
    return { address: url, release: () => this.stop(url) };
  }

  /** Serves every URL configuration in the store at its recorded address (at start). */
  async restore(): Promise<void> {
    for (const config of urls(this.store).values()) {
      const address = /^http:\/\/(?:\[[^\]]+\]|[^/:]+):(\d+)\/$/.exec(config.FunctionUrl);
      if (address === null) {
        this.options.log(
          `local AWS: the Function URL ${config.FunctionUrl} of ${config.FunctionArn} was made by an older local AWS and does not answer: delete and create it again (terraform apply -replace)`,
        );
        continue;
      }
      try {
        await this.serve(config.FunctionArn, Number(address[1]), false);
      } catch (error) {
        this.options.log(
          `local AWS: the Function URL ${config.FunctionUrl} of ${config.FunctionArn} cannot answer: port ${address[1]} is taken (${(error as NodeJS.ErrnoException).code}); free it and restart the local AWS`,
        );
      }
    }
  }

  /** Stops every URL's server and connection. */
  async close(): Promise<void> {
    await Promise.all([...this.hosted.keys()].map((url) => this.stop(url)));
  }

  private async serve(functionArn: string, port: number, pending: boolean): Promise<{ url: string }> {
    const { region, name } = regionAndName(functionArn);
    const found = this.registry.find(region, name);
    if (found === undefined) {
      throw new Error(`no function ${functionArn} to serve a URL for`);
    }
    const { host } = this.options;
    const server = createFunctionUrlServer({
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
        signWith: (region) => `curl --aws-sigv4 "aws:amz:${region}:lambda" --user with the pair npm run local-aws printed`,
        invokeCommand: "npm run invoke -- --local (for the stack npm run deploy -- --local deployed)",
        pairNamedBy: LOCAL_AWS_PAIR,
      },
      log: (line) => this.options.log(`[${name} URL] ${line}`),
    });
    const bound = await listen(server, port, host);
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${bound}/`;
    this.hosted.set(url, { server, functionArn, pending });
    this.options.log(`local AWS: ${name}'s Function URL answers at ${url}`);
    return { url };
  }

  private closeDeleted(): void {
    const configured = new Set([...urls(this.store).values()].map((config) => config.FunctionUrl));
    for (const [url, hosted] of this.hosted) {
      if (configured.has(url)) {
        hosted.pending = false;
      } else if (!hosted.pending) {
        void this.stop(url);
      }
    }
  }

  private stop(url: string): Promise<void> {
    const hosted = this.hosted.get(url);
    this.hosted.delete(url);
    if (hosted === undefined) {
      return Promise.resolve();
    }
    hosted.server.closeAllConnections();
    return new Promise((resolve) => hosted.server.close(() => resolve()));
  }
}
