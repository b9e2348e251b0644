// Turns the errors `server.listen` reports for a bad --host or --port into one line that names
// the value and the fix, instead of a stack trace.
// @see https://nodejs.org/api/net.html#serverlisten (errors are emitted on the server)

/** The fields Node sets on a listen or lookup error. */
type ListenError = NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string; flag?: string };

/** Marks a listen error as the Lambda API's (its port comes from --api-port, not --port). */
export function asApiListenError(error: unknown): unknown {
  return Object.assign(error as object, { flag: "--api-port" });
}

/** Marks a listen error as npm run local-aws's, whose port comes from --port alone (it reads no PORT). */
export function asLocalAwsListenError(error: unknown): unknown {
  return Object.assign(error as object, { flag: "--port" });
}

/** Marks a listen error as the debugger's (its port comes from --inspect). */
export function asInspectListenError(error: unknown): unknown {
  return Object.assign(error as object, { flag: "--inspect" });
}

/** One line explaining a listen error, or undefined when it is not one of the known kinds. */
export function listenErrorMessage(error: unknown): string | undefined {
  const e = error as ListenError;
  const where = e.port ? `${e.address}:${e.port}` : (e.address ?? "that address");
  switch (e.code) {
    case "EADDRINUSE":
      if (e.flag === "--inspect") {
        return `Cannot listen on ${where} for the debugger: the port is in use (EADDRINUSE), perhaps by another --inspect; pick another with --inspect PORT.`;
      }
      if (e.flag === "--port") {
        return `Cannot listen on ${where}: the port is in use (EADDRINUSE); pick another with --port (0 picks a free one).`;
      }
      return e.flag === "--api-port"
        ? `Cannot listen on ${where} for the Lambda API: the port is in use (EADDRINUSE); pick another with --api-port (0 turns the API off), or move both with --port.`
        : `Cannot listen on ${where}: the port is in use (EADDRINUSE); pick another with --port or PORT (0 picks a free one).`;
    case "EADDRNOTAVAIL":
      return `Cannot listen on ${where}: ${e.address} is not an address of this machine (EADDRNOTAVAIL); use --host 127.0.0.1, --host 0.0.0.0 (every interface) or one of this machine's addresses.`;
    case "EACCES":
      return `Cannot listen on ${where}: not permitted (EACCES); ports below 1024 need privileges, use --port 3000 or another above 1023.`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `Cannot listen on --host ${JSON.stringify(e.hostname)}: the name does not resolve (${e.code}); use an IP address such as 127.0.0.1, or a name this machine resolves.`;
    default:
      return undefined;
  }
}
