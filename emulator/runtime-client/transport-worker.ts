// The worker thread that owns the one connection to the Runtime API: it makes the calls the main
// thread hands it, one at a time in the order they came, and answers each; for a blocking call it
// also wakes the main thread, which is waiting on a shared flag.

import type { MessagePort } from "node:worker_threads";
import type { TransportAnswer, TransportCall, TransportWorkerData } from "./messages";
import { OrderedConnection } from "./ordered-connection";
import { nextInvocation, postResult } from "./runtime-api-calls";

/** Serves calls from `calls` until the thread ends. */
export function serveTransportCalls(data: TransportWorkerData, calls: MessagePort): void {
  const connection = OrderedConnection.fromAddress(data.runtimeApi);
  const signal = new Int32Array(data.signal);
  calls.on("message", (message: TransportCall) => {
    // The connection queues the request at once, so calls reach the Runtime API in arrival order.
    const outcome: Promise<unknown> =
      message.call === "next"
        ? nextInvocation(connection)
        : postResult(connection, message.call, message.requestId, message.body, message.call === "error" ? message.xrayCause : "");
    void outcome.then(
      (value) => answer(message, { seq: message.seq, ok: true, value }),
      (error: unknown) => answer(message, { seq: message.seq, ok: false, message: (error as Error).message ?? String(error) }),
    );
  });

  function answer(message: TransportCall, reply: TransportAnswer): void {
    if (message.call === "next") {
      calls.postMessage(reply);
      return;
    }
    data.blockingAnswers.postMessage(reply);
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
  }
}
