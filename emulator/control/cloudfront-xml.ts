// CloudFront's REST-XML as the local AWS reads and writes it: an element taken whole from a body
// (a configuration is kept as the caller sent it), the few fields read from it with
// fast-xml-parser, what CloudFront always returns in a distribution's configuration, and answers
// in its namespace.
// @see https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionConfig.html

import type * as http from "node:http";
import { XMLParser } from "fast-xml-parser";
import { ServiceError } from "./service-error";

const NAMESPACE = "http://cloudfront.amazonaws.com/doc/2020-05-31/";

const PARSER = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => ["Tag", "Key"].includes(name) });

/** The element `name` of `body`, whole and without attributes, or MalformedXML. */
export function rawElement(body: string, name: string): string {
  // indexOf and lastIndexOf, no backtracking pattern: linear in the body, however it is built.
  let at = body.indexOf(`<${name}`);
  while (at >= 0 && !/[\s>]/.test(body.charAt(at + name.length + 1))) at = body.indexOf(`<${name}`, at + 1);
  const start = at < 0 ? -1 : body.indexOf(">", at) + 1;
  const close = body.lastIndexOf(`</${name}>`);
  if (start <= 0 || close < start) {
    throw new ServiceError(400, "MalformedXML", `The XML you provided was not well-formed or did not validate: no ${name} element.`);
  }
  return `<${name}>${body.slice(start, close)}</${name}>`;
}

export function parse(xml: string): Record<string, unknown> {
  try {
    return PARSER.parse(xml, true) as Record<string, unknown>;
  } catch (error) {
    throw new ServiceError(
      400,
      "MalformedXML",
      `The XML you provided was not well-formed or did not validate: ${(error as Error).message}`,
    );
  }
}

export function tagsOf(tags: unknown): Record<string, string> {
  const items = ((tags as { Items?: { Tag?: { Key: string[] | string; Value?: string }[] } } | undefined)?.Items?.Tag ?? []).map((t) => [
    Array.isArray(t.Key) ? t.Key[0] : t.Key,
    t.Value ?? "",
  ]);
  return Object.fromEntries(items);
}

export function send(res: http.ServerResponse, status: number, xml: string | undefined, headers: Record<string, string> = {}): void {
  const body = xml === undefined ? "" : `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
  res.writeHead(status, { "content-type": "text/xml", "content-length": String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

/** `xml` with the CloudFront namespace on its root element. */

export const rooted = (xml: string): string => xml.replace(/^<([A-Za-z]+)>/, `<$1 xmlns="${NAMESPACE}">`);

/**
 * The lists CloudFront always returns in a distribution's configuration, empty when the caller
 * sent none (readers, terraform's among them, take them as present).
 * @see https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionConfig.html
 */
const ALWAYS_RETURNED = ["Aliases", "CacheBehaviors", "CustomErrorResponses", "OriginGroups"];

/** A DistributionConfig as CloudFront keeps it: as sent, with its always-returned lists. */
export function distributionConfig(body: string): string {
  let config = rawElement(body, "DistributionConfig");
  for (const name of ALWAYS_RETURNED) {
    if (!new RegExp(`<${name}>`).test(config)) {
      config = config.replace(/<\/DistributionConfig>$/, `<${name}><Quantity>0</Quantity></${name}></DistributionConfig>`);
    }
  }
  return config;
}

export function enabledOf(config: string): boolean {
  return String((parse(config).DistributionConfig as { Enabled?: string } | undefined)?.Enabled) === "true";
}
