import type * as http from "node:http";
import type { AddressInfo } from "node:net";

/** Listens on an ephemeral loopback port; resolves to the server's base URL, `http://127.0.0.1:<port>` (no trailing slash). */
export async function listenOnLoopback(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes the server after dropping its open connections, so a streaming response still in flight cannot hold the close. */
export function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
