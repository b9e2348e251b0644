// One kept-alive connection to the Runtime API, as on the compiled client's single curl handle:
// requests one at a time, in the order asked, each either awaited (`next`) or blocking (`done`,
// `error`: this thread waits until the answer is in).

import * as net from "node:net";
import { probeIdle, readSomeSync, socketFd, writeAllSync } from "./blocking-io";
import { AnswerReader, formatRequest, type RuntimeAnswer, type RuntimeRequest } from "./http-wire";

/** A blocking request cannot go on the connection now; nothing was sent. */
export class ConnectionUnavailableError extends Error {
  constructor(reason: string) {
    super(`the Runtime API connection cannot carry a blocking request now: ${reason}`);
    this.name = "ConnectionUnavailableError";
  }
}

/**
 * Libuv reads the socket only while an awaited request is out (and only then does the socket keep
 * the process alive); otherwise the bytes on it are read synchronously, by a blocking request.
 */
export class RuntimeConnection {
  private socket: net.Socket | undefined;
  /** Settles when the last awaited request asked for has been answered (or failed). */
  private tail: Promise<unknown> = Promise.resolve();
  /** Awaited requests asked for and not yet answered. */
  private awaited = 0;

  constructor(
    private readonly hostname: string,
    private readonly port: number,
  ) {
    // Connected now, while the runtime loads the function: the first call finds it open.
    this.socket = this.open();
  }

  /** `host:port`, as in AWS_LAMBDA_RUNTIME_API. */
  static fromAddress(address: string): RuntimeConnection {
    const match = /^([^:]+):(\d{1,5})$/.exec(address);
    if (!match) {
      throw new Error(`AWS_LAMBDA_RUNTIME_API is "${address}"; it must be host:port, e.g. 127.0.0.1:9001`);
    }
    return new RuntimeConnection(match[1], Number(match[2]));
  }

  /** Sends `request` once every request asked for before it has been answered; resolves with the answer. */
  request(request: RuntimeRequest): Promise<RuntimeAnswer> {
    this.awaited += 1;
    const result = this.tail.then(() => this.exchange(request)).finally(() => (this.awaited -= 1));
    this.tail = result.catch(() => undefined);
    return result;
  }

  /**
   * Sends `request` and blocks this thread until its answer is in, or until `deadlineMs` have
   * passed (then throws BlockingDeadlineError, and the connection is replaced).
   * @throws ConnectionUnavailableError when the connection could not carry it, and the Runtime API
   *   has not seen it: an awaited request is out, the socket is still connecting, or it was closed
   *   (found closed, or closed before a byte of the answer, as a kept-alive connection the server
   *   closed while idle is; libcurl retries those on a new connection too).
   */
  requestSync(request: RuntimeRequest, deadlineMs: number): RuntimeAnswer {
    const deadline = performance.now() + deadlineMs;
    if (this.awaited > 0) {
      throw new ConnectionUnavailableError("it is waiting for the answer to an earlier request");
    }
    const socket = this.socket;
    if (socket?.connecting) {
      throw new ConnectionUnavailableError("it is still connecting");
    }
    if (!socket || socket.destroyed) {
      this.replace();
      throw new ConnectionUnavailableError("it is closed");
    }
    const fd = socketFd(socket);
    if (fd < 0) {
      throw new ConnectionUnavailableError("Node.js gives no descriptor for its socket on this platform");
    }
    const idle = socket.readableLength > 0 ? "unasked-bytes" : probeIdle(fd);
    if (idle !== "open") {
      this.replace();
      throw new ConnectionUnavailableError(idle === "closed" ? "the Runtime API closed it" : "it holds bytes no request asked for");
    }
    let answered = false;
    try {
      writeAllSync(fd, formatRequest(this.host(), request), deadline);
      const reader = new AnswerReader();
      const into = Buffer.allocUnsafe(64 * 1024);
      for (;;) {
        const read = readSomeSync(fd, into, deadline);
        if (read === 0 && !answered) {
          throw new ConnectionUnavailableError("the Runtime API closed it before answering");
        }
        answered = true;
        const answer = read === 0 ? reader.end() : reader.push(Buffer.from(into.subarray(0, read)));
        if (answer) {
          if (answer.closes || read === 0) this.replace();
          return answer;
        }
      }
    } catch (error) {
      // Whatever is left on the socket (a late answer, half of one) belongs to no request.
      this.replace();
      const code = (error as NodeJS.ErrnoException).code;
      if (!answered && (code === "EPIPE" || code === "ECONNRESET")) {
        throw new ConnectionUnavailableError(`the Runtime API closed it before answering (${code})`);
      }
      throw error;
    }
  }

  /** Closes the socket. */
  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private host(): string {
    return `${this.hostname}:${this.port}`;
  }

  /** A socket that holds nothing alive and reads nothing until asked; its errors end it quietly. */
  private open(): net.Socket {
    const socket = net.connect({ host: this.hostname, port: this.port, noDelay: true });
    socket.pause();
    socket.unref();
    // A failure destroys the socket (its `close` clears it); the request it was carrying, if any,
    // hears of it from its own listener. Without a listener here it would be an uncaught error.
    socket.on("error", () => undefined);
    socket.once("close", () => {
      if (this.socket === socket) this.socket = undefined;
    });
    return socket;
  }

  /** Drops the current socket and opens the next one at once, for the next call. */
  private replace(): void {
    this.socket?.destroy();
    this.socket = this.open();
  }

  /** An open socket for an awaited request: the current one if it is usable, else a new one. */
  private async usableSocket(): Promise<net.Socket> {
    let socket = this.socket;
    if (socket && !socket.connecting) {
      const fd = socketFd(socket);
      if (socket.destroyed || fd < 0 || socket.readableLength > 0 || probeIdle(fd) !== "open") {
        socket = undefined;
      }
    }
    if (!socket) {
      this.replace();
      socket = this.socket as net.Socket;
    }
    if (socket.connecting) {
      socket.ref();
      await new Promise<void>((resolve, reject) => {
        const settle = (error?: Error): void => {
          socket.off("connect", settle).off("close", closed);
          if (error) reject(error);
          else resolve();
        };
        const closed = (): void => settle(new Error(`could not connect to the Runtime API at ${this.host()}`));
        socket.once("connect", settle).once("close", closed);
      });
    }
    return socket;
  }

  /** Writes `request` and reads its answer as it comes; the process stays alive meanwhile. */
  private async exchange(request: RuntimeRequest): Promise<RuntimeAnswer> {
    const bytes = formatRequest(this.host(), request);
    const socket = await this.usableSocket();
    const what = `${request.method} ${request.path}`;
    return new Promise<RuntimeAnswer>((resolve, reject) => {
      const reader = new AnswerReader();
      const settle = (read: () => RuntimeAnswer): void => {
        socket.off("data", onData).off("end", onEnd).off("close", onClose).off("error", onError);
        socket.pause();
        socket.unref();
        let answer: RuntimeAnswer;
        try {
          answer = read();
        } catch (error) {
          this.replace();
          reject(new Error(`${what}: ${(error as Error).message}`));
          return;
        }
        if (answer.closes) this.replace();
        resolve(answer);
      };
      const onData = (chunk: Buffer): void => {
        let answer: RuntimeAnswer | undefined;
        try {
          answer = reader.push(chunk);
        } catch (error) {
          settle(() => {
            throw error;
          });
          return;
        }
        if (answer) settle(() => answer);
      };
      const onEnd = (): void => settle(() => reader.end());
      const onError = (error: Error): void =>
        settle(() => {
          throw error;
        });
      const onClose = (): void =>
        settle(() => {
          throw new Error("the connection closed before the answer was complete");
        });
      socket.on("data", onData).once("end", onEnd).once("close", onClose).once("error", onError);
      socket.ref();
      socket.write(bytes);
      socket.resume();
    });
  }
}
