// CORS for the Function URL, as Lambda applies the URL's CORS configuration: the headers on an
// answer to an allowed origin (with Vary: Origin whenever the answer depends on it), and the
// preflight, which Lambda answers itself, without auth and without invoking the function.
// @see https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html#urls-cors

import type * as http from "node:http";
import type { CorsConfig } from "../common/function-config";

export function applyCors(res: http.ServerResponse, cors: CorsConfig | undefined, origin: string | undefined): void {
  if (!cors) {
    return;
  }
  const anyOrigin = cors.allowOrigins.includes("*");
  if (!anyOrigin) {
    // The answer depends on Origin for every origin (and for none): a cache must not serve one
    // origin's answer, with or without its allow-origin, to another.
    // @see https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches
    res.setHeader("vary", "Origin");
  }
  const allowed = anyOrigin ? "*" : origin !== undefined && cors.allowOrigins.includes(origin) ? origin : undefined;
  if (!allowed) {
    return;
  }
  res.setHeader("access-control-allow-origin", allowed);
  if (cors.allowCredentials) {
    res.setHeader("access-control-allow-credentials", "true");
  }
  if (cors.exposeHeaders.length > 0) {
    res.setHeader("access-control-expose-headers", cors.exposeHeaders.join(","));
  }
}

export function answerPreflight(res: http.ServerResponse, cors: CorsConfig): void {
  if (cors.allowMethods.length > 0) {
    res.setHeader("access-control-allow-methods", cors.allowMethods.join(","));
  }
  if (cors.allowHeaders.length > 0) {
    res.setHeader("access-control-allow-headers", cors.allowHeaders.join(","));
  }
  if (cors.maxAge !== undefined) {
    res.setHeader("access-control-max-age", String(cors.maxAge));
  }
  res.writeHead(200, { "content-length": 0 });
  res.end();
}
