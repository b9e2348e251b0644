// Each CloudFront distribution deployed into the local AWS answers at a domain of its own: a port
// on the local AWS's host, `127.0.0.1:PORT`, its DomainName, so the stack's public_url
// (`https://` + the domain) answers as printed. The port is chosen when the distribution is
// created and kept in its record; a restart serves it at the same address, and a deleted one
// stops answering. Behind each address is the distribution's edge (cloudfront-edge.ts), over TLS
// with the local AWS's certificate.

import type * as https from "node:https";
import type { VerifierCredentials } from "../auth/sigv4-signature";
import { listen } from "../common/listen";
import type { LogSink } from "../common/log-sink";
import { isLoopback, loopbackHostNames } from "../common/loopback";
import { distributions, edgeView } from "../control/cloudfront-records";
import { urls } from "../control/lambda-access";
import type { OpenedAddress } from "../control/service-call";
import type { Store } from "../control/store";
import { createEdgeServer, type EdgeOrigin } from "./cloudfront-edge";

export interface DistributionHostsOptions {
  readonly host: string;
  /** The edge's certificate and key (edge-certificate.ts). */
  readonly tls: { readonly cert: string; readonly key: string };
  readonly credentials: VerifierCredentials;
  readonly log: LogSink;
}

interface Hosted {
  readonly server: https.Server;
  /** Until its record is committed, a distribution being created is not closed by another change. */
  pending: boolean;
}

/** The Function URL of this local AWS whose host is `domain` (`127.0.0.1:PORT`), by its Region. */
export function functionUrlOrigin(store: Store, domain: string): EdgeOrigin | undefined {
  const wanted = domain.toLowerCase();
  for (const config of urls(store).values()) {
    if (URL.canParse(config.FunctionUrl) && new URL(config.FunctionUrl).host === wanted) {
      return { region: config.FunctionArn.split(":")[3] ?? "" };
    }
  }
  return undefined;
}

export class DistributionHosts {
  /** The edges, by distribution id. */
  private readonly hosted = new Map<string, Hosted>();

  constructor(
    private readonly store: Store,
    private readonly options: DistributionHostsOptions,
  ) {
    // A deleted distribution stops answering.
    store.onCommit(() => this.closeDeleted());
  }

  /** Opens the edge of a new distribution on a free port (CreateDistribution): its domain. */
  async open(distributionId: string): Promise<OpenedAddress> {
    const address = await this.serve(distributionId, 0, true);
    return { address, release: () => this.stop(distributionId) };
  }

  /** Serves every distribution in the store at its recorded domain (at start). */
  async restore(): Promise<void> {
    for (const d of distributions(this.store).values()) {
      const port = /^(?:\[[^\]]+\]|[^/:]+):(\d+)$/.exec(d.domainName)?.[1];
      if (port === undefined) {
        this.options.log(
          `local AWS: the CloudFront distribution ${d.id} (${d.domainName}) was made by an older local AWS and does not answer: delete and create it again (terraform apply -replace)`,
        );
        continue;
      }
      try {
        await this.serve(d.id, Number(port), false);
      } catch (error) {
        this.options.log(
          `local AWS: the CloudFront distribution ${d.id} cannot answer at ${d.domainName}: port ${port} is taken (${(error as NodeJS.ErrnoException).code}); free it and restart the local AWS`,
        );
      }
    }
  }

  /** Stops every edge and its connections. */
  async close(): Promise<void> {
    await Promise.all([...this.hosted.keys()].map((id) => this.stop(id)));
  }

  private async serve(id: string, port: number, pending: boolean): Promise<string> {
    const { host } = this.options;
    const server = createEdgeServer({
      tls: this.options.tls,
      view: () => edgeView(this.store, id),
      origin: (domain) => functionUrlOrigin(this.store, domain),
      credentials: this.options.credentials,
      ...(isLoopback(host) ? { allowedHostNames: loopbackHostNames(host) } : {}),
      log: (line) => this.options.log(`[${id} CloudFront] ${line}`),
    });
    const bound = await listen(server, port, host);
    this.hosted.set(id, { server, pending });
    return `${host.includes(":") ? `[${host}]` : host}:${bound}`;
  }

  private closeDeleted(): void {
    const deployed = distributions(this.store);
    for (const [id, hosted] of this.hosted) {
      if (deployed.has(id)) {
        hosted.pending = false;
      } else if (!hosted.pending) {
        void this.stop(id);
      }
    }
  }

  private stop(id: string): Promise<void> {
    const hosted = this.hosted.get(id);
    this.hosted.delete(id);
    if (hosted === undefined) {
      return Promise.resolve();
    }
    hosted.server.closeAllConnections();
    return new Promise((resolve) => hosted.server.close(() => resolve()));
  }
}
