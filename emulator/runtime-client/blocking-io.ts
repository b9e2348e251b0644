// Synchronous writes and reads on a connected (non-blocking) socket, for the calls that must not
// return before the Runtime API has answered: what would block is retried after a short sleep in
// `Atomics.wait` (this thread only), the sleep doubling up to a millisecond, until a deadline.

import * as fs from "node:fs";
import type { Socket } from "node:net";

/** The deadline passed before the socket was ready. */
export class BlockingDeadlineError extends Error {
  constructor(what: string) {
    super(`${what} did not finish before the deadline`);
    this.name = "BlockingDeadlineError";
  }
}

/**
 * The socket's file descriptor, or -1 where it has none to give: Node.js keeps it on the socket's
 * handle (`_handle.fd`, what its own `net` and `child_process` read), -1 on Windows and before
 * the socket exists.
 */
export function socketFd(socket: Socket): number {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === "number" ? fd : -1;
}

/** What a read that does not wait finds on an idle connection. */
export type IdleState = "open" | "closed" | "unasked-bytes";

/**
 * Looks at an idle connection without waiting: `open` when nothing is there to read, `closed` when
 * the other side has closed it (or it failed), `unasked-bytes` when something arrived that no
 * request asked for (the bytes read are lost: the connection is no longer usable).
 */
export function probeIdle(fd: number): IdleState {
  try {
    return fs.readSync(fd, Buffer.alloc(1)) === 0 ? "closed" : "unasked-bytes";
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EAGAIN" ? "open" : "closed";
  }
}

const nap = new Int32Array(new SharedArrayBuffer(4));
const FIRST_SLEEP_MS = 0.01;
const LONGEST_SLEEP_MS = 1;

/** Calls `attempt` until it does not throw EAGAIN, sleeping between tries, until `deadline`. */
function untilReady<T>(attempt: () => T, deadline: number, what: string): T {
  for (let sleep = FIRST_SLEEP_MS; ; sleep = Math.min(sleep * 2, LONGEST_SLEEP_MS)) {
    try {
      return attempt();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") {
        throw error;
      }
    }
    const left = deadline - performance.now();
    if (left <= 0) {
      throw new BlockingDeadlineError(what);
    }
    Atomics.wait(nap, 0, 0, Math.min(sleep, left));
  }
}

/** Writes all of `bytes` to `fd` before `deadline` (a `performance.now()` time). */
export function writeAllSync(fd: number, bytes: Buffer, deadline: number): void {
  for (let left = bytes; left.length > 0; ) {
    const written = untilReady(() => fs.writeSync(fd, left), deadline, "writing the request");
    left = left.subarray(written);
  }
}

/** Reads what is there (waiting for something) into `into`; 0 means the other side closed. */
export function readSomeSync(fd: number, into: Buffer, deadline: number): number {
  return untilReady(() => fs.readSync(fd, into), deadline, "reading the answer");
}
