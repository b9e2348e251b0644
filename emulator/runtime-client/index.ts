// Entry of the transport bundle the runtime process loads in place of aws-lambda-ric's compiled
// client: `next`, `done` and `error`, on a client made when the bundle loads (aws-lambda-ric loads
// it before the handler, so the connection opens while the handler loads).

import { NodeTransportClient } from "./node-transport-client";

const client = new NodeTransportClient(runtimeApiAddress());

function runtimeApiAddress(): string {
  const address = process.env.AWS_LAMBDA_RUNTIME_API;
  if (!address) {
    throw new Error("AWS_LAMBDA_RUNTIME_API is not set; the runtime must be started with the Runtime API's host:port in it");
  }
  return address;
}

export const next = (): ReturnType<NodeTransportClient["next"]> => client.next();
export const done = (requestId: string, body: string): null => client.done(requestId, body);
export const error = (requestId: string, body: string, xrayCause: string): null => client.error(requestId, body, xrayCause);
