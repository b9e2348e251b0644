// X-Ray trace headers, as Lambda passes them to the runtime and puts them in the event.
// @see https://docs.aws.amazon.com/xray/latest/devguide/xray-concepts.html#xray-concepts-tracingheader

import { randomUUID } from "node:crypto";

/** `Root=1-<epoch seconds, hex>-<24 hex>;Parent=<16 hex>;Sampled=0`. */
export function newTraceId(now: Date = new Date()): string {
  const hex = `${randomUUID()}${randomUUID()}`.replace(/-/g, "");
  return `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${hex.slice(0, 24)};Parent=${hex.slice(24, 40)};Sampled=0`;
}
