// An in-memory stand-in for the Node.js runtime's response stream and the `awslambda` global, in
// the shape the runtime interface client (v3) gives them: `HttpResponseStream.from` sets the
// http-integration content type and arranges for the JSON prelude and an 8-byte NUL delimiter to
// go out on the first `write()`. As in the real client, `end(data)` does not pass through that
// hook, so a handler that only calls `end(data)` sends no prelude (Lambda then answers 502).
// The real runtime client is exercised by the local Function URL's tests.

import { Writable } from "node:stream";

/** The mark the runtime client puts on a handler wrapped by `streamifyResponse`. */
export const STREAMING_HANDLER_MARK = Symbol.for("aws.lambda.runtime.handler.streaming");

export const HTTP_INTEGRATION_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";
const DELIMITER = Buffer.alloc(8);

export interface InMemoryResponseStreamOptions {
  /** Bytes the stream buffers before `write` returns false. @default 16384 */
  readonly highWaterMark?: number;
  /** Accept each write on a later turn of the event loop, as a socket does. @default false */
  readonly slow?: boolean;
}

/** Records every write, and the order of writes and drains, in memory. */
export class InMemoryResponseStream extends Writable {
  contentType = "application/octet-stream";
  prelude: Record<string, unknown> | undefined;
  /** Every chunk as written, the prelude frame included. */
  readonly chunks: Buffer[] = [];
  /** "write:<bytes>:<accepted>" and "drain", in order. */
  readonly events: string[] = [];

  constructor(private readonly options: InMemoryResponseStreamOptions = {}) {
    super({ highWaterMark: options.highWaterMark ?? 16_384 });
    this.on("drain", () => this.events.push("drain"));
  }

  setContentType(contentType: string): void {
    this.contentType = contentType;
  }

  /** Set by HttpResponseStream.from: runs once, before the first write. */
  onBeforeFirstWrite: ((write: (chunk: Buffer) => void) => void) | undefined;

  override write(chunk: unknown, ...rest: unknown[]): boolean {
    const hook = this.onBeforeFirstWrite;
    if (hook) {
      this.onBeforeFirstWrite = undefined;
      hook((bytes) => this.write(bytes));
    }
    const accepted = super.write(chunk, ...(rest as [BufferEncoding, () => void]));
    this.events.push(`write:${Buffer.byteLength(chunk as Buffer)}:${accepted}`);
    return accepted;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(Buffer.from(chunk));
    if (this.options.slow) {
      setImmediate(callback);
    } else {
      callback();
    }
  }

  /** Everything written after the prelude frame. */
  body(): Buffer {
    const all = Buffer.concat(this.chunks);
    if (this.prelude === undefined) {
      return all;
    }
    return all.subarray(all.indexOf(DELIMITER) + DELIMITER.length);
  }

  /** Sizes of the body writes, in order (the prelude's two writes left out). */
  bodyWrites(): number[] {
    return this.events
      .filter((e) => e.startsWith("write:"))
      .slice(this.prelude === undefined ? 0 : 2)
      .map((e) => Number(e.split(":")[1]));
  }
}

/** Installs the `awslambda` global that the Lambda Node.js runtime provides. */
export function installAwslambdaStandIn(): void {
  (globalThis as Record<string, unknown>).awslambda = {
    streamifyResponse: <T extends object>(handler: T): T => Object.assign(handler, { [STREAMING_HANDLER_MARK]: "response" }),
    HttpResponseStream: {
      from(stream: InMemoryResponseStream, prelude: Record<string, unknown>): InMemoryResponseStream {
        stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
        const json = JSON.stringify(prelude);
        stream.onBeforeFirstWrite = (write) => {
          stream.prelude = prelude;
          write(Buffer.from(json));
          write(DELIMITER);
        };
        return stream;
      },
    },
  };
}

installAwslambdaStandIn();
