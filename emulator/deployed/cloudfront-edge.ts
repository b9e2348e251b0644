// One CloudFront distribution's local edge: a TLS server that answers at the distribution's domain
// and sends each viewer request on to its origin, a Function URL of this local AWS, signed as its
// origin access control signs (the x-amz-content-sha256 rule for POST and PUT included), and the
// origin's answer back chunk by chunk, nothing buffered or cached. The distribution is read as it
// is at each request: disabled, it refuses; an origin that does not answer is CloudFront's 502,
// one that stalls past the origin's read timeout its 504.

import { randomBytes } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import { pipeline } from "node:stream";
import type { VerifierCredentials } from "../auth/sigv4-signature";
import { logWhenClosed } from "../common/access-log";
import { MAX_REQUEST_HEADER_BYTES, STREAM_HIGH_WATER_MARK } from "../common/constants";
import type { LogSink } from "../common/log-sink";
import { isAllowedHost } from "../common/loopback";
import type { EdgeView } from "../control/cloudfront-records";
import { sendErrorBody } from "../door/door";
import { readRequestInput } from "../door/request-input";
import { passThroughDistribution, payloadHash, SIGNATURE_MISMATCH } from "../url/cloudfront-origin";
import { dropHopByHopHeaders } from "../url/response-headers";
import { functionUrlDoor } from "../url/send";
import {
  DISTRIBUTION_DISABLED,
  EDGE_HEADERS,
  type EdgeError,
  NOT_THIS_EDGE,
  ORIGIN_TIMEOUT,
  ORIGIN_UNREACHABLE,
  sendErrorPage,
} from "./edge-error-page";
import { SIGNING_HEADERS, signForOrigin } from "./origin-signature";

/** A Function URL of this local AWS that an origin domain names. */
export interface EdgeOrigin {
  /** The URL's Region: the signature's scope. */
  readonly region: string;
}

export interface EdgeServerOptions {
  readonly tls: { readonly cert: string; readonly key: string };
  /** The distribution as it is now; undefined once it is deleted. */
  readonly view: () => EdgeView | undefined;
  /** The local Function URL whose host is `domain` (`127.0.0.1:PORT`); undefined when there is none. */
  readonly origin: (domain: string) => EdgeOrigin | undefined;
  /** The local AWS's key pair: what the origin access control signs with. */
  readonly credentials: VerifierCredentials;
  /** For an edge bound to loopback: the Host names it answers to (DNS rebinding is refused). */
  readonly allowedHostNames?: readonly string[];
  readonly log: LogSink;
}

/** Creates (does not start) the edge of one distribution. */
export function createEdgeServer(options: EdgeServerOptions): https.Server {
  const server = https.createServer(
    {
      cert: options.tls.cert,
      key: options.tls.key,
      noDelay: true,
      maxHeaderSize: MAX_REQUEST_HEADER_BYTES,
      highWaterMark: STREAM_HIGH_WATER_MARK,
    },
    (req, res) => {
      // CloudFront's request ids are 56 characters of base64.
      const requestId = randomBytes(42).toString("base64url");
      logWhenClosed(req, res, requestId, options.log);
      handle(req, res, requestId, options).catch((error: Error) => {
        options.log(`local CloudFront edge: internal error: ${error.stack ?? error.message}`);
        sendErrorPage(res, ORIGIN_UNREACHABLE, requestId);
      });
    },
  );
  server.on("clientError", (_error, socket) => socket.destroy());
  return server;
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, requestId: string, options: EdgeServerOptions): Promise<void> {
  const { log } = options;
  const refuse = (error: EdgeError, reason: string): void => {
    req.resume();
    log(`${error.status} for RequestId: ${requestId}: ${reason}`);
    sendErrorPage(res, error, requestId);
  };
  const host = req.headers.host;
  if (options.allowedHostNames && host !== undefined && !isAllowedHost(host, options.allowedHostNames)) {
    refuse(
      NOT_THIS_EDGE,
      `Host ${JSON.stringify(host)} is not a loopback name; the edge answers only ${options.allowedHostNames.join(", ")}`,
    );
    return;
  }
  const view = options.view();
  if (view === undefined) {
    refuse(NOT_THIS_EDGE, "the distribution was deleted");
    return;
  }
  if (!view.enabled) {
    refuse(DISTRIBUTION_DISABLED, `distribution ${view.id} is disabled: enable it (Enabled = true, terraform's enabled) to serve it again`);
    return;
  }
  const path = req.url ?? "/";
  if (!path.startsWith("/")) {
    // An absolute-form target (`GET http://host/…`) names another host than the origin: the edge
    // forwards paths only (`//x` is one: its origin gets it as it came), to its origin only.
    refuse(
      ORIGIN_UNREACHABLE,
      `the request target ${JSON.stringify(path.slice(0, 200))} is not a path: the edge forwards only paths, to its origin`,
    );
    return;
  }
  const origin = view.originDomain === undefined ? undefined : options.origin(view.originDomain);
  if (view.originDomain === undefined || origin === undefined) {
    refuse(
      ORIGIN_UNREACHABLE,
      `the origin ${JSON.stringify(view.originDomain ?? "(none: no origin has the default cache behavior's TargetOriginId)")} is not a Function URL of this local AWS; ` +
        "the local edge forwards only to those (nothing leaves this machine): set the origin's domain_name to the host of the URL's function_url",
    );
    return;
  }
  // The body is read whole (up to Lambda's 6 MB, as the Function URL reads it) so that its hash can
  // be signed; the answer is what streams.
  const door = { ...functionUrlDoor(log), name: "local CloudFront edge" };
  const input = await readRequestInput(door, req, res, requestId);
  if (!input) return;
  const method = req.method ?? "GET";
  const viewerSigned = input.headers.authorization !== undefined;
  const signs = view.signing === "always" || (view.signing === "no-override" && !viewerSigned);
  const headers: Record<string, string> = { ...input.headers };
  delete headers.host;
  if (signs) {
    // CloudFront signs with the viewer's x-amz-content-sha256 and Lambda accepts no unsigned
    // payload: the rule npm start's cloudfront mode plays, and the same 403 when it is broken.
    const verdict = passThroughDistribution({ method, headers: input.headers, body: input.body });
    if (!verdict.ok) {
      log(`${SIGNATURE_MISMATCH.status} for RequestId: ${requestId}: ${verdict.reason}`);
      res.setHeader("x-cache", "Error from cloudfront");
      sendErrorBody(res, SIGNATURE_MISMATCH.status, SIGNATURE_MISMATCH.errorType, JSON.stringify(SIGNATURE_MISMATCH.body));
      return;
    }
    for (const name of SIGNING_HEADERS) delete headers[name];
  }
  const target = new URL(`http://${view.originDomain}${view.originPath}${path}`);
  if (target.host !== view.originDomain) {
    refuse(ORIGIN_UNREACHABLE, `the request would go to ${target.host}, not the origin ${view.originDomain}: refused`);
    return;
  }
  if (signs) {
    const hash = input.headers["x-amz-content-sha256"] ?? payloadHash(input.body);
    Object.assign(headers, await signForOrigin({ method, url: target, payloadHash: hash }, options.credentials, origin.region));
  }
  const via = `1.1 ${view.domainName} (CloudFront)`;
  Object.assign(headers, {
    host: target.host,
    "content-length": String(input.body.length),
    "x-forwarded-for": req.socket.remoteAddress ?? "127.0.0.1",
    via: headers.via ? `${headers.via}, ${via}` : via,
    "x-amz-cf-id": requestId,
  });
  forward(res, { method, target, headers, body: input.body, readTimeoutMs: view.readTimeoutSeconds * 1000, via, requestId }, log);
}

interface Forwarded {
  readonly method: string;
  readonly target: URL;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly readTimeoutMs: number;
  readonly via: string;
  readonly requestId: string;
}

/** Sends the request to the origin and its answer to the viewer as it arrives. */
function forward(res: http.ServerResponse, f: Forwarded, log: LogSink): void {
  const originReq = http.request(f.target, { method: f.method, headers: f.headers, agent: false });
  // The origin's read timeout, as CloudFront's: how long to wait for the answer, and then between
  // two of its packets. Idle, not total: a stream that keeps writing runs as long as it writes.
  originReq.setTimeout(f.readTimeoutMs, () => {
    log(
      `${ORIGIN_TIMEOUT.status} for RequestId: ${f.requestId}: the origin ${f.target.host} sent nothing for ${f.readTimeoutMs / 1000} s (the origin's read timeout, OriginReadTimeout)`,
    );
    originReq.destroy();
    sendErrorPage(res, ORIGIN_TIMEOUT, f.requestId);
  });
  // A viewer that leaves takes the origin's request with it: the function sees its client gone.
  res.once("close", () => {
    if (!res.writableFinished) originReq.destroy();
  });
  originReq.once("error", (error: NodeJS.ErrnoException) => {
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    log(
      `${ORIGIN_UNREACHABLE.status} for RequestId: ${f.requestId}: the origin ${f.target.host} did not answer (${error.code ?? error.message})`,
    );
    sendErrorPage(res, ORIGIN_UNREACHABLE, f.requestId);
  });
  originReq.once("response", (originRes) => {
    const { headers } = dropHopByHopHeaders(joinedResponseHeaders(originRes));
    const raw: string[] = [];
    for (const [name, value] of Object.entries(headers)) {
      if (name === "set-cookie") continue;
      raw.push(name, value);
    }
    for (const cookie of originRes.headers["set-cookie"] ?? []) raw.push("set-cookie", cookie);
    raw.push(
      "x-cache",
      (originRes.statusCode ?? 502) >= 400 ? "Error from cloudfront" : "Miss from cloudfront",
      "via",
      f.via,
      "x-amz-cf-pop",
      "LOCAL",
      "x-amz-cf-id",
      f.requestId,
    );
    if (!("server" in headers)) raw.push("server", EDGE_HEADERS.server);
    res.writeHead(originRes.statusCode ?? 502, raw);
    res.flushHeaders();
    // Each chunk goes on as it comes, with the viewer's pace pushed back to the origin; a cut on
    // either side cuts the other.
    pipeline(originRes, res, () => {});
  });
  originReq.end(f.body);
}

/** The origin's response headers, lower-cased, repeats joined with commas (set-cookie kept apart by the caller). */
function joinedResponseHeaders(res: http.IncomingMessage): Record<string, string> {
  const joined: Record<string, string> = Object.create(null);
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    const name = res.rawHeaders[i].toLowerCase();
    joined[name] = Object.hasOwn(joined, name) ? `${joined[name]}, ${res.rawHeaders[i + 1]}` : res.rawHeaders[i + 1];
  }
  return joined;
}
