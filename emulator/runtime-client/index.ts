// Entry of the transport bundle the runtime process loads in place of aws-lambda-ric's compiled
// client. On the main thread it is that client (`next`, `done`, `error`); started as the
// transport's worker thread, it serves the calls instead.

import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { type TransportWorkerData, WORKER_ROLE } from "./messages";
import { NodeTransportClient } from "./node-transport-client";
import { serveTransportCalls } from "./transport-worker";

const isTransportWorker = !isMainThread && (workerData as TransportWorkerData | undefined)?.role === WORKER_ROLE;

if (isTransportWorker && parentPort) {
  serveTransportCalls(workerData as TransportWorkerData, parentPort);
}

/** The client, created when the bundle loads (aws-lambda-ric loads it before the handler). */
const client = isTransportWorker ? undefined : new NodeTransportClient(__filename, runtimeApiAddress());

function runtimeApiAddress(): string {
  const address = process.env.AWS_LAMBDA_RUNTIME_API;
  if (!address) {
    throw new Error("AWS_LAMBDA_RUNTIME_API is not set; the runtime must be started with the Runtime API's host:port in it");
  }
  return address;
}

export const next = (): ReturnType<NodeTransportClient["next"]> => (client as NodeTransportClient).next();
export const done = (requestId: string, body: string): null => (client as NodeTransportClient).done(requestId, body);
export const error = (requestId: string, body: string, xrayCause: string): null =>
  (client as NodeTransportClient).error(requestId, body, xrayCause);
