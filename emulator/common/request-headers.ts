// A request's headers as Lambda reads them, for both doors and the signature check: lower-cased
// names, repeated headers joined with commas, and the hop-by-hop headers that describe the
// connection to Lambda (not the request) left out.

/** Headers Lambda answers for, not the function: they never reach the event. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection"]);

/**
 * Lower-cased header names; repeated headers joined with commas, as Lambda does. A null-prototype
 * object: a header named `constructor` or `__proto__` is a header like any other.
 */
export function joinHeaders(rawHeaders: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = Object.create(null);
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if (HOP_BY_HOP.has(name)) {
      continue;
    }
    headers[name] = Object.hasOwn(headers, name) ? `${headers[name]},${rawHeaders[i + 1]}` : rawHeaders[i + 1];
  }
  return headers;
}
