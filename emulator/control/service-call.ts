// What every service of the local AWS receives: a request already read and its signature checked,
// with the Region and the caller's key id from the signature's scope.

import type * as http from "node:http";
import type { VerificationFailure } from "../auth/sigv4-verifier";
import { LOCAL_ACCOUNT_ID } from "../common/constants";
import type { LogEvents } from "./log-events";
import type { ServiceError } from "./service-error";
import type { Store } from "./store";

export interface ServiceCall {
  readonly method: string;
  /** The path and query, as sent. */
  readonly url: URL;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  /** The Region the caller signed for. */
  readonly region: string;
  readonly requestId: string;
  readonly store: Store;
  /** The log events kept beside the store (CloudWatch Logs' streams and their lines). */
  readonly logEvents: LogEvents;
  readonly hosting: Hosting;
}

/** An address opened for something being created, answering already; released if the creation fails. */
export interface OpenedAddress {
  /** e.g. `http://127.0.0.1:43121/` (a Function URL) or `127.0.0.1:43122` (a distribution's domain). */
  readonly address: string;
  release(): Promise<void>;
}

/**
 * Where what is deployed answers: the local AWS gives each Function URL, and each CloudFront
 * distribution, an address of its own. The control plane asks for one when it creates the URL or
 * the distribution, and keeps it in the record.
 */
export interface Hosting {
  openFunctionUrl(functionArn: string): Promise<OpenedAddress>;
  /** The local edge of distribution `distributionId`: its address is the domain name, `127.0.0.1:PORT` (no scheme). */
  openDistribution(distributionId: string): Promise<OpenedAddress>;
}

/** One service of the local AWS, in its own protocol. */
export interface Service {
  /** The service's name in a SigV4 credential scope: `iam`, `sts`, `logs`, `lambda`, `cloudfront`. */
  readonly name: string;
  /** Answers `call` on `res`, errors included. */
  handle(call: ServiceCall, res: http.ServerResponse): void | Promise<void>;
  /** Writes `error` in the service's error shape. */
  sendError(res: http.ServerResponse, error: ServiceError, requestId: string): void;
  /** The error for a signature that fails as `failure` does, as this service's AWS counterpart answers it. */
  signatureError(failure: VerificationFailure): ServiceError;
}

/** The one account of the local AWS, as the local Lambda API names it. */
export const ACCOUNT_ID = LOCAL_ACCOUNT_ID;

/** An id AWS-shaped: a prefix (AROA for a role, ANPA for a policy) and 17 upper-case letters and digits. */
export function awsId(prefix: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let id = prefix;
  for (let i = 0; i < 17; i++) id += alphabet[Math.floor(Math.random() * alphabet.length)];
  return id;
}
