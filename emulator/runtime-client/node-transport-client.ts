// What aws-lambda-ric loads in place of its compiled `rapid-client.node`: the same three
// functions. `next()` resolves when an event arrives; `done()` and `error()` return only once the
// Runtime API has answered, as the compiled client's do (a crash report is sent before exit).

import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { type TransportAnswer, type TransportCall, type TransportWorkerData, WORKER_ROLE } from "./messages";
import type { NextInvocation } from "./runtime-api-calls";

/** How long `done()` or `error()` waits for the Runtime API before giving up on the post. */
export const BLOCKING_CALL_DEADLINE_MS = 30_000;

export class NodeTransportClient {
  private readonly worker: Worker;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly blockingAnswers: MessageChannel["port1"];
  private readonly pendingNext = new Map<number, { resolve: (value: NextInvocation) => void; reject: (error: Error) => void }>();
  private seq = 0;

  /**
   * @param workerFile the file the worker runs: the transport bundle itself.
   * @param runtimeApi AWS_LAMBDA_RUNTIME_API, `host:port`.
   */
  constructor(workerFile: string, runtimeApi: string) {
    const channel = new MessageChannel();
    this.blockingAnswers = channel.port1;
    const workerData: TransportWorkerData = {
      role: WORKER_ROLE,
      runtimeApi,
      signal: this.signal.buffer as SharedArrayBuffer,
      blockingAnswers: channel.port2,
    };
    this.worker = new Worker(workerFile, { workerData, transferList: [channel.port2], stdout: false, stderr: false });
    this.worker.on("message", (answer: TransportAnswer) => this.settleNext(answer));
    this.worker.on("error", (error) => this.failAll(`the Runtime API transport failed: ${error.message}`));
    this.worker.on("exit", (code) => this.failAll(`the Runtime API transport ended (exit code ${code})`));
    // Only a waiting `next()` keeps the process alive, as with the compiled client: an idle
    // transport must not hold back the `beforeExit` that aws-lambda-ric relies on.
    this.worker.unref();
  }

  /** Waits for the next event: `{ bodyJson, headers }`. */
  next(): Promise<NextInvocation> {
    const seq = this.nextSeq();
    return new Promise((resolve, reject) => {
      this.pendingNext.set(seq, { resolve, reject });
      this.worker.ref();
      this.post({ seq, call: "next" });
    });
  }

  /** Posts the response for `requestId` (URI-encoded already) and returns once it is answered. */
  done(requestId: string, body: string): null {
    this.callAndWait({ seq: this.nextSeq(), call: "response", requestId, body });
    return null;
  }

  /** Posts the error for `requestId` (URI-encoded already) and returns once it is answered. */
  error(requestId: string, body: string, xrayCause: string): null {
    this.callAndWait({ seq: this.nextSeq(), call: "error", requestId, body, xrayCause });
    return null;
  }

  private nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  private post(call: TransportCall): void {
    this.worker.postMessage(call);
  }

  /**
   * Blocks this thread until the worker has the Runtime API's answer. A refusal is ignored, as the
   * compiled client ignores it; a post that got no answer is reported on stderr.
   */
  private callAndWait(call: TransportCall): void {
    Atomics.store(this.signal, 0, 0);
    this.post(call);
    const waited = Atomics.wait(this.signal, 0, 0, BLOCKING_CALL_DEADLINE_MS);
    let answer: TransportAnswer | undefined;
    for (let received = receiveMessageOnPort(this.blockingAnswers); received; received = receiveMessageOnPort(this.blockingAnswers)) {
      // Skip the late answer of an earlier call that timed out.
      if ((received.message as TransportAnswer).seq === call.seq) {
        answer = received.message as TransportAnswer;
      }
    }
    if (waited === "timed-out" || !answer) {
      process.stderr.write(
        `Runtime API transport: no answer to POST /${call.call} within ${BLOCKING_CALL_DEADLINE_MS / 1000} s; the result was not delivered\n`,
      );
    } else if (!answer.ok) {
      process.stderr.write(`Runtime API transport: POST /${call.call} failed: ${answer.message}\n`);
    }
  }

  private settleNext(answer: TransportAnswer): void {
    const pending = this.pendingNext.get(answer.seq);
    if (!pending) {
      return;
    }
    this.pendingNext.delete(answer.seq);
    if (this.pendingNext.size === 0) {
      this.worker.unref();
    }
    if (answer.ok) {
      pending.resolve(answer.value as NextInvocation);
    } else {
      pending.reject(new Error(answer.message));
    }
  }

  private failAll(message: string): void {
    for (const [seq, pending] of this.pendingNext) {
      this.pendingNext.delete(seq);
      pending.reject(new Error(message));
    }
    this.worker.unref();
  }
}
