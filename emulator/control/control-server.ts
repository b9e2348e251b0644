// The local AWS's one endpoint (`npm run local-aws`, 127.0.0.1:4566): every request is read whole
// (up to a bound AWS's largest accepted body fits in), its SigV4 signature checked against the
// server's key pair for the service and Region its credential scope names, then handed to that
// service, which answers in its own protocol. AWS_ENDPOINT_URL sends terraform's aws provider and
// the AWS CLI and SDKs here for every service.

import type * as http from "node:http";
import { credentialScopeOf } from "../auth/credential-scope";
import type { KeyRing } from "../auth/verifier-credentials";
import type { LogSink } from "../common/log-sink";
import { readBody } from "../common/read-body";
import { joinHeaders } from "../common/request-headers";
import type { Door } from "../door/door";
import { checkSignature } from "../door/request-input";
import { createDoorServer } from "../door/server";
import { cloudfront } from "./cloudfront";
import { iam } from "./iam";
import { lambda } from "./lambda";
import type { LogEvents } from "./log-events";
import { logs } from "./logs";
import type { Hosting, Service } from "./service-call";
import { ServiceError } from "./service-error";
import type { Store } from "./store";
import { sts } from "./sts";

/**
 * The largest request body read: a CreateFunction with a 50 MB zip (AWS's direct-upload limit),
 * base64 in JSON, fits; a larger body is refused with 413 before it is read.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
export const MAX_CONTROL_BODY_BYTES = 70 * 1024 * 1024;

/** The services, by their name in a SigV4 credential scope. */
const SERVICES: ReadonlyMap<string, Service> = new Map([iam, sts, logs, lambda, cloudfront].map((service) => [service.name, service]));

/** Lambda's data plane (Invoke, InvokeWithResponseStream), served on the same endpoint by the Lambda API door. */
export interface LambdaDataPlane {
  serves(path: string): boolean;
  handle(req: http.IncomingMessage, res: http.ServerResponse, requestId: string): Promise<void>;
}

export interface ControlServerOptions {
  readonly store: Store;
  readonly hosting: Hosting;
  readonly dataPlane?: LambdaDataPlane;
  /** The log events kept beside `store`: what Logs' operations read and write. */
  readonly logEvents: LogEvents;
  readonly keys: KeyRing;
  readonly log: LogSink;
  readonly allowedHostNames?: readonly string[];
}

/** Where the local AWS's pair comes from, as a refusal names it. */
export const LOCAL_AWS_PAIR =
  "the pair npm run local-aws printed when it started (its shell's, its AWS profile's, or one made for its state folder)";

/** The local AWS as a door: its log lines and, for what fails below the services, a JSON error. */
function controlDoor(log: LogSink, service = "the service the request names"): Door {
  return {
    name: "local AWS",
    log,
    errorBody: (_status, errorType, message) => JSON.stringify({ __type: errorType, message }),
    signing: {
      target: `the local AWS's ${service}`,
      required: "every AWS service takes only signed calls",
      signWith: (region) => `the AWS CLI, SDKs or terraform with AWS_ENDPOINT_URL set, for Region ${region}`,
      invokeCommand: "the key pair npm run local-aws printed",
      service,
      pairNamedBy: LOCAL_AWS_PAIR,
    },
    refusalLine: (status, errorType, requestId, reason) => `local AWS ${status} ${errorType} for RequestId: ${requestId}: ${reason}`,
  };
}

/**
 * The service a request is for, from its signature's scope; for an unsigned request, from its
 * shape (only to answer in the right error shape).
 */
function serviceOf(req: http.IncomingMessage, url: URL): { service: Service | undefined; named: string; region?: string } {
  const scope = credentialScopeOf(req.headers.authorization);
  if (scope) {
    return { service: SERVICES.get(scope.service), named: scope.service, region: scope.region };
  }
  const target = String(req.headers["x-amz-target"] ?? "");
  const guess = target.startsWith("Logs_")
    ? "logs"
    : /^\/20\d\d-\d\d-\d\d\/(functions|tags)/.test(url.pathname)
      ? "lambda"
      : url.pathname.startsWith("/2020-05-31/")
        ? "cloudfront"
        : "iam";
  return { service: SERVICES.get(guess), named: guess };
}

/** Creates (does not start) the local AWS's server. */
export function createControlServer(options: ControlServerOptions): http.Server {
  const { store, keys, log } = options;
  const door = controlDoor(log);
  return createDoorServer({
    door,
    ...(options.allowedHostNames ? { allowedHostNames: options.allowedHostNames } : {}),
    async handle(req, res, requestId) {
      const url = new URL(req.url ?? "/", "http://local-aws");
      const { service, named, region } = serviceOf(req, url);
      if (service === undefined) {
        req.resume();
        const known = [...SERVICES.keys()].join(", ");
        door.log(
          `local AWS 400 for RequestId: ${requestId}: the signature names the service ${JSON.stringify(named)}; the local AWS serves ${known}`,
        );
        res.writeHead(400, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ __type: "UnknownOperationException", message: `The local AWS does not serve ${named}; it serves ${known}.` }),
        );
        return;
      }
      if (service.name === "lambda" && options.dataPlane?.serves(url.pathname)) {
        // Invoking is the Lambda API door's: its own body limit (6 MB), signature check and answers.
        await options.dataPlane.handle(req, res, requestId);
        return;
      }
      const declared = Number(req.headers["content-length"] ?? 0);
      const body =
        declared > MAX_CONTROL_BODY_BYTES
          ? undefined
          : await readBody(req, MAX_CONTROL_BODY_BYTES, { overLimit: "stop" }).catch(() => null);
      if (body === null) {
        return;
      }
      if (body === undefined) {
        res.setHeader("connection", "close");
        service.sendError(
          res,
          new ServiceError(413, "RequestEntityTooLargeException", `Request must be smaller than ${MAX_CONTROL_BODY_BYTES} bytes.`),
          requestId,
        );
        res.once("finish", () => req.socket.destroy());
        return;
      }
      const signedRegion = region ?? "us-east-1";
      const serviceDoor = controlDoor(log, service.name);
      const input = { headers: joinHeaders(req.rawHeaders), body };
      const verification = await checkSignature(
        serviceDoor,
        keys,
        { method: req.method ?? "GET", url: req.url ?? "/", input },
        signedRegion,
      );
      if (!verification.ok) {
        const error = service.signatureError(verification.failure);
        log(serviceDoor.refusalLine(error.status, error.code, requestId, verification.reason));
        service.sendError(res, error, requestId);
        return;
      }
      try {
        await service.handle(
          {
            method: req.method ?? "GET",
            url,
            headers: req.headers,
            body,
            region: signedRegion,
            requestId,
            store,
            hosting: options.hosting,
            logEvents: options.logEvents,
          },
          res,
        );
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        log(`local AWS ${error.status} ${error.code} for RequestId: ${requestId}: ${service.name}: ${error.message}`);
        service.sendError(res, error, requestId);
      }
    },
  });
}
