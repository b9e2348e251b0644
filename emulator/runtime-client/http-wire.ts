// The HTTP/1.1 the transport speaks on its one socket, which it reads itself (a blocking call reads
// it synchronously, where Node's HTTP client cannot): a request written out, and an answer read in
// pieces, framed by Content-Length, chunked coding, no body, or the connection's close (RFC 9112).
// @see https://www.rfc-editor.org/rfc/rfc9112#section-6.3

/** A request to the Runtime API. */
export interface RuntimeRequest {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly headers?: Readonly<Record<string, string | number>>;
  /** Sent with its Content-Length (a POST without one sends an empty body). */
  readonly body?: string;
}

/** The Runtime API's answer: status, headers (names in lower case), and the whole body. */
export interface RuntimeAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** The server said it closes the connection after this answer. */
  readonly closes: boolean;
}

/** The answer on the wire is not HTTP/1.1 as the transport reads it. */
export class HttpWireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HttpWireError";
  }
}

/** As Go's HTTP server (RIE's) and the local Runtime API allow in an answer's head. */
const MAX_HEAD_BYTES = 80 * 1024;

/** `request` as bytes, for `host` (`host:port`). */
export function formatRequest(host: string, request: RuntimeRequest): Buffer {
  const body = Buffer.from(request.body ?? "", "utf8");
  const headers: Record<string, string | number> = { host, ...request.headers };
  if (request.method === "POST") {
    headers["content-length"] = body.length;
  }
  const lines = [`${request.method} ${request.path} HTTP/1.1`];
  for (const [name, value] of Object.entries(headers)) {
    // A line break would end the header early and let the rest pass for another one.
    if (/[\r\n]/.test(String(value))) {
      throw new HttpWireError(`the header ${name} holds a line break; a header value must be one line`);
    }
    lines.push(`${name}: ${value}`);
  }
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), body]);
}

type Framing = { readonly kind: "length"; readonly length: number } | { readonly kind: "chunked" } | { readonly kind: "close" };

interface Head {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly framing: Framing;
}

/** Reads one answer from the bytes of a connection, as they come. */
export class AnswerReader {
  private pending: Buffer = Buffer.alloc(0);
  private head: Head | undefined;
  /** The decoded body so far (chunked coding only). */
  private readonly chunks: Buffer[] = [];
  private chunkedDone = false;

  /**
   * Takes the next bytes; returns the answer once it is complete. Bytes past its end are an
   * error: the Runtime API answers one request at a time and says nothing unasked.
   */
  push(bytes: Buffer): RuntimeAnswer | undefined {
    this.pending = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    const answer = this.complete();
    if (answer && this.pending.length > 0) {
      throw new HttpWireError(`${this.pending.length} bytes arrived after the answer's end (status ${answer.status})`);
    }
    return answer;
  }

  /** The connection ended: the answer, if the close is its end; otherwise why it is incomplete. */
  end(): RuntimeAnswer {
    const head = this.head;
    if (head?.framing.kind === "close") {
      return { status: head.status, headers: head.headers, body: this.pending, closes: true };
    }
    throw new HttpWireError(head ? "the connection closed in the middle of the answer's body" : "the connection closed before an answer");
  }

  private complete(): RuntimeAnswer | undefined {
    if (!this.head) {
      this.head = this.readHead();
      if (!this.head) {
        return undefined;
      }
    }
    const { status, headers, framing } = this.head;
    const closes = /(^|,)\s*close\s*(,|$)/i.test(headers.connection ?? "");
    if (framing.kind === "length") {
      if (this.pending.length < framing.length) {
        return undefined;
      }
      const body = this.pending.subarray(0, framing.length);
      this.pending = this.pending.subarray(framing.length);
      return { status, headers, body, closes };
    }
    if (framing.kind === "chunked" && this.readChunks()) {
      return { status, headers, body: Buffer.concat(this.chunks), closes };
    }
    return undefined;
  }

  /** The status line and headers, once all of them are in; interim (1xx) answers are skipped. */
  private readHead(): Head | undefined {
    for (;;) {
      const end = this.pending.indexOf("\r\n\r\n");
      if (end < 0) {
        if (this.pending.length > MAX_HEAD_BYTES) {
          throw new HttpWireError(`the answer's head is over ${MAX_HEAD_BYTES} bytes`);
        }
        return undefined;
      }
      const [statusLine, ...fields] = this.pending.subarray(0, end).toString("latin1").split("\r\n");
      this.pending = this.pending.subarray(end + 4);
      const match = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(statusLine);
      if (!match) {
        throw new HttpWireError(`the answer does not start with an HTTP/1.1 status line: ${JSON.stringify(statusLine.slice(0, 80))}`);
      }
      const status = Number(match[1]);
      if (status >= 100 && status < 200) {
        continue;
      }
      const headers: Record<string, string> = Object.create(null);
      for (const field of fields) {
        const colon = field.indexOf(":");
        if (colon <= 0) {
          throw new HttpWireError(`the answer has a header line without a name: ${JSON.stringify(field.slice(0, 80))}`);
        }
        const name = field.slice(0, colon).trim().toLowerCase();
        const value = field.slice(colon + 1).trim();
        headers[name] = Object.hasOwn(headers, name) ? `${headers[name]}, ${value}` : value;
      }
      return { status, headers, framing: framingOf(status, headers) };
    }
  }

  /** Decodes what chunks are complete; true once the last chunk and its trailers are in. */
  private readChunks(): boolean {
    while (!this.chunkedDone) {
      const lineEnd = this.pending.indexOf("\r\n");
      if (lineEnd < 0) {
        return false;
      }
      const sizeText = this.pending.subarray(0, lineEnd).toString("latin1").split(";")[0].trim();
      if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) {
        throw new HttpWireError(`a chunk's size is not hexadecimal: ${JSON.stringify(sizeText.slice(0, 20))}`);
      }
      const size = Number.parseInt(sizeText, 16);
      if (size === 0) {
        this.chunkedDone = true;
        this.pending = this.pending.subarray(lineEnd + 2);
        break;
      }
      if (this.pending.length < lineEnd + 2 + size + 2) {
        return false;
      }
      this.chunks.push(this.pending.subarray(lineEnd + 2, lineEnd + 2 + size));
      this.pending = this.pending.subarray(lineEnd + 2 + size + 2);
    }
    // The trailer section: lines up to an empty one (the Runtime API's answers have none).
    if (this.pending.subarray(0, 2).toString("latin1") === "\r\n") {
      this.pending = this.pending.subarray(2);
      return true;
    }
    const end = this.pending.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    this.pending = this.pending.subarray(end + 4);
    return true;
  }
}

function framingOf(status: number, headers: Record<string, string>): Framing {
  if (status === 204 || status === 304) {
    return { kind: "length", length: 0 };
  }
  if (/(^|,)\s*chunked\s*$/i.test(headers["transfer-encoding"] ?? "")) {
    return { kind: "chunked" };
  }
  const length = headers["content-length"];
  if (length !== undefined) {
    if (!/^\d{1,15}$/.test(length)) {
      throw new HttpWireError(`the answer's Content-Length is not a number: ${JSON.stringify(length.slice(0, 40))}`);
    }
    return { kind: "length", length: Number(length) };
  }
  return { kind: "close" };
}
