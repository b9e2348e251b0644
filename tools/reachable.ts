// Whether anything answers at an address: one TCP connect, with a deadline. `npm run invoke` asks
// it of a local server before blaming the caller's credentials; `npm run deploy` of the Terraform
// registry before terraform init needs it.

import * as net from "node:net";

/** How long a connect may take before it counts as no answer. */
const CONNECT_DEADLINE_MS = 2_000;

/**
 * undefined when something accepts a TCP connection at `endpoint`'s host and port; otherwise the
 * reason (`ECONNREFUSED`, or `ETIMEDOUT` after {@link CONNECT_DEADLINE_MS}).
 */
export function unreachableCode(endpoint: string, deadlineMs: number = CONNECT_DEADLINE_MS): Promise<string | undefined> {
  const { hostname, port, protocol } = new URL(endpoint);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname.replace(/^\[|\]$/g, ""), port: Number(port || (protocol === "https:" ? 443 : 80)) });
    const done = (code: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(code);
    };
    const timer = setTimeout(() => done("ETIMEDOUT"), deadlineMs);
    socket.once("connect", () => done(undefined));
    socket.once("error", (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}
