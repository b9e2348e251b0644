// Each CloudFront distribution deployed into the local AWS answers at a domain of its own: a port
// on the local AWS's host, `127.0.0.1:PORT`, its DomainName, so the stack's public_url
// (`https://` + the domain) answers as printed. The port is chosen when the distribution is
// created and kept in its record; a restart serves it at the same address, and a deleted one
// stops answering. Behind each address is the distribution's edge (cloudfront-edge.ts), over TLS
// with the local AWS's certificate.

import type { VerifierCredentials } from "../auth/sigv4-signature";
import type { LogSink } from "../common/log-sink";
import { isLoopback, loopbackHostNames } from "../common/loopback";
import { distributions, edgeView } from "../control/cloudfront-records";
import { urls } from "../control/lambda-access";
import type { OpenedAddress } from "../control/service-call";
import type { Store } from "../control/store";
import { AddressHosts, formatHostPort, parseHostPort } from "./address-hosts";
import { createEdgeServer, type EdgeOrigin } from "./cloudfront-edge";
import { regionAndName } from "./deployed-function";

export interface DistributionHostsOptions {
  readonly host: string;
  /** The edge's certificate and key (edge-certificate.ts). */
  readonly tls: { readonly cert: string; readonly key: string };
  readonly credentials: VerifierCredentials;
  readonly log: LogSink;
}

/** The Function URL of this local AWS whose host is `domain` (`127.0.0.1:PORT`), by its Region. */
export function functionUrlOrigin(store: Store, domain: string): EdgeOrigin | undefined {
  const wanted = domain.toLowerCase();
  for (const config of urls(store).values()) {
    if (URL.canParse(config.FunctionUrl) && new URL(config.FunctionUrl).host === wanted) {
      return { region: regionAndName(config.FunctionArn).region };
    }
  }
  return undefined;
}

export class DistributionHosts {
  private readonly hosts: AddressHosts;

  constructor(store: Store, options: DistributionHostsOptions) {
    this.hosts = new AddressHosts(store, {
      host: options.host,
      log: options.log,
      serverFor: (id, host) =>
        createEdgeServer({
          tls: options.tls,
          view: () => edgeView(store, id),
          origin: (domain) => functionUrlOrigin(store, domain),
          credentials: options.credentials,
          ...(isLoopback(host) ? { allowedHostNames: loopbackHostNames(host) } : {}),
          log: (line) => options.log(`[${id} CloudFront] ${line}`),
        }),
      recorded: () => new Map([...distributions(store).values()].map((d) => [d.id, parseHostPort(d.domainName)])),
      describe: (id) => `the CloudFront distribution ${id}`,
      show: (at) => `https://${formatHostPort(at)}/`,
    });
  }

  /** Opens the edge of a new distribution on a free port (CreateDistribution): its domain. */
  async open(distributionId: string): Promise<OpenedAddress> {
    const { at, release } = await this.hosts.open(distributionId);
    return { address: formatHostPort(at), release };
  }

  /** Serves every distribution in the store at its recorded domain (at start). */
  restore(): Promise<void> {
    return this.hosts.restore();
  }

  /** Stops every edge and its connections. */
  close(): Promise<void> {
    return this.hosts.close();
  }
}
