// What counts as this machine: the addresses a server may bind so that only local clients reach
// it, and the Host names such a server answers to (anything else may be DNS rebinding).

/** Whether `host` (an address or name to bind) is a loopback one. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** `host` as a URL or a Host header writes it: an IPv6 address in brackets. */
export function urlHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** The Host names a server bound to loopback `boundHost` answers to, without their port. */
export function loopbackHostNames(boundHost: string): readonly string[] {
  const bound = urlHost(boundHost);
  return [...new Set(["127.0.0.1", "localhost", "[::1]", bound.toLowerCase()])];
}

/** Whether the request's `Host` (name, optional port) is one of `names`. */
export function isAllowedHost(host: string, names: readonly string[]): boolean {
  const name = /^(\[[^\]]+\]|[^:]+)(:\d{1,5})?$/.exec(host.toLowerCase())?.[1];
  return name !== undefined && names.includes(name);
}
