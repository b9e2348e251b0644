// What Function URLs and CloudFront distributions deployed into the local AWS share: each answers
// at an address of its own, `HOST:PORT`, a port chosen when it is created and kept in its record,
// so a restart serves it at the same address (on the host it was made on) and terraform's state
// stays true; a server being created is kept until its record is committed, and one whose record
// is gone stops answering. What serves each address is the caller's.

import type { Server } from "node:http";
import { listen } from "../common/listen";
import type { LogSink } from "../common/log-sink";
import { urlHost } from "../common/loopback";
import type { OpenedAddress } from "../control/service-call";
import { ServiceError } from "../control/service-error";
import type { Store } from "../control/store";

/** `HOST:PORT`, the host as a URL writes it (`[::1]`). */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface AddressHostsOptions {
  /** Where new addresses are opened. */
  readonly host: string;
  readonly log: LogSink;
  /** The server for `key`, bound to `host` (an address of this machine). */
  serverFor(key: string, host: string): Server;
  /** Every key the store holds now, with its recorded address (undefined: one this local AWS cannot serve). */
  recorded(): ReadonlyMap<string, HostPort | undefined>;
  /** What `key` is, for the log: "bob's Function URL". */
  describe(key: string): string;
  /** How the log shows an address: `http://127.0.0.1:4567/`. */
  show(at: HostPort): string;
}

interface Hosted {
  readonly server: Server;
  /** Until its record is committed, an address being created is not closed by another change. */
  pending: boolean;
}

/** `host:port`, as a Function URL or a distribution's domain names it. */
export function formatHostPort({ host, port }: HostPort): string {
  return `${urlHost(host)}:${port}`;
}

/** `HOST:PORT` (`127.0.0.1:4567`, `[::1]:4567`) read back; undefined when it is not one. */
export function parseHostPort(text: string): HostPort | undefined {
  const found = /^(\[[^\]]+\]|[^/:[\]]+):(\d{1,5})$/.exec(text);
  return found ? { host: found[1], port: Number(found[2]) } : undefined;
}

export class AddressHosts {
  /** The servers, by key. */
  private readonly hosted = new Map<string, Hosted>();
  private closed = false;

  constructor(
    store: Store,
    private readonly options: AddressHostsOptions,
  ) {
    store.onCommit(() => this.closeDeleted());
  }

  /**
   * Opens a server for a new `key` on a free port of the host: its address, and how to give it
   * back. A key already served (created twice at once) is ResourceConflictException.
   */
  async open(key: string): Promise<{ readonly at: HostPort; readonly release: OpenedAddress["release"] }> {
    if (this.closed) {
      throw new Error("the local AWS is stopping");
    }
    if (this.hosted.has(key)) {
      throw new ServiceError(409, "ResourceConflictException", `${this.options.describe(key)} is being created, or exists`);
    }
    const at = await this.serve(key, { host: this.options.host, port: 0 }, true);
    const { server } = this.hosted.get(key) as Hosted;
    // Gives back this server only: never one a later create put under the same key.
    return { at, release: () => (this.hosted.get(key)?.server === server ? this.stop(key) : Promise.resolve()) };
  }

  /** Serves every recorded key at its address (at start); one that cannot be is one line, and the rest serve. */
  async restore(): Promise<void> {
    for (const [key, at] of this.options.recorded()) {
      const what = this.options.describe(key);
      if (at === undefined) {
        this.options.log(
          `local AWS: ${what} was made by an older local AWS and does not answer: delete and create it again (terraform apply -replace)`,
        );
        continue;
      }
      try {
        await this.serve(key, at, false);
      } catch (error) {
        const { code, message } = error as NodeJS.ErrnoException;
        const why =
          code === "EADDRINUSE"
            ? `port ${at.port} is taken: free it and restart the local AWS`
            : code === "EADDRNOTAVAIL"
              ? `${at.host} is not an address of this machine any more`
              : (code ?? message);
        this.options.log(`local AWS: ${what} cannot answer at ${this.options.show(at)}: ${why}`);
      }
    }
  }

  /** Stops every server and its connections; nothing opens afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.hosted.keys()].map((key) => this.stop(key)));
  }

  private async serve(key: string, at: HostPort, pending: boolean): Promise<HostPort> {
    const bindHost = at.host.replace(/^\[(.*)\]$/, "$1");
    const server = this.options.serverFor(key, bindHost);
    // Held while it binds, so a second create of the same key meets it.
    this.hosted.set(key, { server, pending });
    let port: number;
    try {
      port = await listen(server, at.port, bindHost);
    } catch (error) {
      if (this.hosted.get(key)?.server === server) this.hosted.delete(key);
      throw error;
    }
    if (this.closed) {
      server.close();
      throw new Error("the local AWS is stopping");
    }
    const bound = { host: at.host, port };
    this.options.log(`local AWS: ${this.options.describe(key)} answers at ${this.options.show(bound)}`);
    return bound;
  }

  private closeDeleted(): void {
    const recorded = this.options.recorded();
    for (const [key, hosted] of this.hosted) {
      if (recorded.has(key)) {
        hosted.pending = false;
      } else if (!hosted.pending) {
        void this.stop(key);
      }
    }
  }

  private stop(key: string): Promise<void> {
    const hosted = this.hosted.get(key);
    this.hosted.delete(key);
    if (hosted === undefined) {
      return Promise.resolve();
    }
    hosted.server.closeAllConnections();
    return new Promise((resolve) => hosted.server.close(() => resolve()));
  }
}
