// Starting a server on a host and port, for every server the emulator runs.

import type { AddressInfo, Server } from "node:net";

/**
 * Listens on `host:port` and resolves with the port bound; a failure to listen rejects. Its error
 * listener goes once the server listens: left behind, it would swallow every later server error.
 */
export async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
