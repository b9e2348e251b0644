// One keep-alive HTTP connection to the Runtime API that sends requests strictly one after
// another, in the order they were asked for: a request goes out only once the previous answer has
// been read to its end, as on the compiled client's single curl handle.

import * as http from "node:http";

export interface OrderedRequest {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly headers?: Readonly<Record<string, string | number>>;
  readonly body?: string;
}

export interface OrderedResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export class OrderedConnection {
  /** One socket, kept open between requests; a second is never opened while the first lives. */
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
  /** Settles when the last request asked for has been answered (or failed). */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly hostname: string,
    private readonly port: number,
  ) {}

  /** `host:port`, as in AWS_LAMBDA_RUNTIME_API. */
  static fromAddress(address: string): OrderedConnection {
    const match = /^([^:]+):(\d{1,5})$/.exec(address);
    if (!match) {
      throw new Error(`AWS_LAMBDA_RUNTIME_API is "${address}"; it must be host:port, e.g. 127.0.0.1:9001`);
    }
    return new OrderedConnection(match[1], Number(match[2]));
  }

  /** Sends `request` after every request asked for before it has been answered. */
  request(request: OrderedRequest): Promise<OrderedResponse> {
    const result = this.tail.then(() => this.send(request));
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Closes the kept-alive socket. */
  close(): void {
    this.agent.destroy();
  }

  private send({ method, path, headers, body }: OrderedRequest): Promise<OrderedResponse> {
    return new Promise((resolve, reject) => {
      const req = http.request({ agent: this.agent, hostname: this.hostname, port: this.port, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
        res.on("close", () => reject(new Error(`the connection closed before the answer to ${method} ${path} was complete`)));
      });
      req.setNoDelay(true);
      req.on("error", reject);
      req.end(body);
    });
  }
}
