import type { AddressInfo, Server } from "node:net";
import * as net from "node:net";

/** Listens on an ephemeral loopback port; resolves to that port. */
async function listenOnLoopbackPort(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return (server.address() as AddressInfo).port;
}

/** Listens on an ephemeral loopback port; resolves to the server's base URL, `http://127.0.0.1:<port>` (no trailing slash). */
export async function listenOnLoopback(server: Server): Promise<string> {
  return `http://127.0.0.1:${await listenOnLoopbackPort(server)}`;
}

/** Closes the server after dropping its open connections, so a streaming response still in flight cannot hold the close. */
export function closeServer(server: Server & { closeAllConnections(): void }): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A loopback port nothing listens on: one the system just handed out, closed again. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listenOnLoopbackPort(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}
