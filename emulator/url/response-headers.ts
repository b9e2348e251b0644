// The function's response headers on their way to the socket: the hop-by-hop ones never go.

/**
 * Connection-level response headers (RFC 9110, section 7.6.1): they describe one hop, and the hop
 * to the client is the URL's, so the function's never reach it. Sent on, they contradict the
 * URL's own framing: `transfer-encoding: gzip` leaves the body unframed, and `transfer-encoding`
 * beside a BUFFERED answer's content-length is a response clients refuse.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-7.6.1
 */
const HOP_BY_HOP_RESPONSE = new Set(["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"]);

/**
 * The function's response headers without the hop-by-hop ones (those above, and any that its
 * `connection` header names), and the names dropped, in order.
 */
export function dropHopByHopHeaders(headers: Readonly<Record<string, string>>): {
  readonly headers: Record<string, string>;
  readonly dropped: readonly string[];
} {
  const named = new Set(
    (headers.connection ?? "")
      .split(",")
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
  const kept: Record<string, string> = Object.create(null);
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (HOP_BY_HOP_RESPONSE.has(name) || named.has(name)) {
      dropped.push(name);
    } else {
      kept[name] = value;
    }
  }
  return { headers: kept, dropped };
}
