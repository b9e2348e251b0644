// CloudFront in REST-XML (2020-05-31): the origin access control and the distribution that
// PUBLIC_ACCESS=cloudfront puts in front of the Function URL, with their ETags (If-Match on every
// change, as CloudFront asks), their tags, and AWS's errors (NoSuchDistribution,
// DistributionNotDisabled, PreconditionFailed, …). A distribution's configuration is kept as the
// caller sent it and given back as it is, with what CloudFront adds (id, ARN, domain name, status
// Deployed at once): the SDKs send every field, defaults included.
// @see https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateDistributionWithTags.html

import { randomBytes } from "node:crypto";
import type * as http from "node:http";
import { type Distribution, distributions, type OriginAccessControl, oacs } from "./cloudfront-records";
import { distributionConfig, enabledOf, parse, rawElement, rooted, send, tagsOf } from "./cloudfront-xml";
import { querySignatureError } from "./query-protocol";
import { ACCOUNT_ID, type Service, type ServiceCall } from "./service-call";
import { ServiceError } from "./service-error";
import type { Store } from "./store";
import { withoutTags } from "./tags";
import { element, escapeXml } from "./xml";

const arnOf = (id: string): string => `arn:aws:cloudfront::${ACCOUNT_ID}:distribution/${id}`;

/** A CloudFront id: E and 13 upper-case letters and digits. */
function cloudFrontId(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  return `E${[...randomBytes(13)].map((b) => alphabet[b % alphabet.length]).join("")}`;
}

const newEtag = (): string => `E${randomBytes(7).toString("hex").toUpperCase()}`;

function distributionXml(d: Distribution): string {
  const inactive = { Enabled: false, Quantity: 0 };
  return rooted(
    `<Distribution>${element("Id", d.id)}${element("ARN", arnOf(d.id))}${element("Status", "Deployed")}${element("LastModifiedTime", d.lastModified)}` +
      `${element("InProgressInvalidationBatches", 0)}${element("DomainName", d.domainName)}${element("ActiveTrustedSigners", inactive)}` +
      `${element("ActiveTrustedKeyGroups", inactive)}${d.config}</Distribution>`,
  );
}

const oacXml = (o: OriginAccessControl): string => rooted(`<OriginAccessControl>${element("Id", o.id)}${o.config}</OriginAccessControl>`);

function distribution(store: Store, id: string): Distribution {
  const found = distributions(store).get(id);
  if (!found) throw new ServiceError(404, "NoSuchDistribution", "The specified distribution does not exist.");
  return found;
}

function oac(store: Store, id: string): OriginAccessControl {
  const found = oacs(store).get(id);
  if (!found) throw new ServiceError(404, "NoSuchOriginAccessControl", "The specified origin access control does not exist.");
  return found;
}

/** CloudFront's If-Match rule: present, and the resource's current ETag. */
function checkIfMatch(call: ServiceCall, etag: string): void {
  const given = call.headers["if-match"];
  if (given === undefined)
    throw new ServiceError(400, "InvalidIfMatchVersion", "The If-Match version is missing or not valid for the resource.");
  if (given !== etag)
    throw new ServiceError(
      412,
      "PreconditionFailed",
      "The precondition given in one or more of the request header fields evaluated to false.",
    );
}

async function createDistribution(call: ServiceCall, res: http.ServerResponse): Promise<void> {
  const body = call.body.toString("utf8");
  const withTags = call.url.searchParams.has("WithTags");
  const config = distributionConfig(body);
  const tags = withTags ? tagsOf((parse(body).DistributionConfigWithTags as { Tags?: unknown } | undefined)?.Tags) : {};
  // A CallerReference sent before: the same answer for the same configuration, else DistributionAlreadyExists.
  const earlier = sameCallerReference(call.store, config);
  if (earlier !== undefined) {
    sendCreated(res, earlier);
    return;
  }
  const id = cloudFrontId();
  // The distribution answers at a domain of its own (the local edge, 127.0.0.1:PORT), opened now
  // and kept in the record, so a restart serves it at the same address.
  const opened = await call.hosting.openDistribution(id);
  // Checked again once the address is open: the state may have changed meanwhile (the same
  // CallerReference sent twice at once gets the first's distribution, as a retry does; another
  // configuration that took it is DistributionAlreadyExists). Either way the address goes back.
  let meanwhile: Distribution | undefined;
  try {
    meanwhile = sameCallerReference(call.store, config);
    if (distributions(call.store).has(id)) {
      throw new ServiceError(409, "DistributionAlreadyExists", `A distribution with the id ${id} already exists; send the request again.`);
    }
  } catch (error) {
    await opened.release();
    throw error;
  }
  if (meanwhile !== undefined) {
    await opened.release();
    sendCreated(res, meanwhile);
    return;
  }
  const d: Distribution = {
    id,
    domainName: opened.address,
    config,
    enabled: enabledOf(config),
    etag: newEtag(),
    lastModified: new Date().toISOString(),
    tags,
  };
  distributions(call.store).set(id, d);
  try {
    call.store.commit();
  } catch (error) {
    distributions(call.store).delete(id);
    await opened.release();
    throw error;
  }
  sendCreated(res, d);
}

/** CreateDistribution's answer: 201, the distribution, its ETag and where it is. */
function sendCreated(res: http.ServerResponse, d: Distribution): void {
  send(res, 201, distributionXml(d), { etag: d.etag, location: `https://cloudfront.amazonaws.com/2020-05-31/distribution/${d.id}` });
}

/**
 * The distribution created with `config`'s CallerReference, when its configuration is the same
 * (whitespace between elements aside); DistributionAlreadyExists when it is another.
 * @see https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateDistribution.html
 */
function sameCallerReference(store: Store, config: string): Distribution | undefined {
  const reference = callerReferenceOf(config);
  const earlier = [...distributions(store).values()].find((d) => callerReferenceOf(d.config) === reference);
  if (earlier === undefined) {
    return undefined;
  }
  const compact = (xml: string): string => xml.replace(/>\s+</g, "><").trim();
  if (compact(earlier.config) !== compact(config)) {
    throw new ServiceError(
      409,
      "DistributionAlreadyExists",
      `The caller reference that you are using to create a distribution is associated with another distribution. Already exists: ${earlier.id}`,
    );
  }
  return earlier;
}

function callerReferenceOf(config: string): string {
  return String((parse(config).DistributionConfig as { CallerReference?: unknown } | undefined)?.CallerReference ?? "");
}

/** A route's handler; `id` is the distribution's or the origin access control's. */
type Route = (call: ServiceCall, res: http.ServerResponse, id: string) => void | Promise<void>;

/** The routes, by method and path. */
const ROUTES: ReadonlyArray<readonly [string, RegExp, Route]> = [
  ["POST", /^\/2020-05-31\/distribution$/, (call, res) => createDistribution(call, res)],
  [
    "GET",
    /^\/2020-05-31\/distribution\/([A-Z0-9]+)$/,
    (call, res, id) => {
      const d = distribution(call.store, id);
      send(res, 200, distributionXml(d), { etag: d.etag });
    },
  ],
  [
    "GET",
    /^\/2020-05-31\/distribution\/([A-Z0-9]+)\/config$/,
    (call, res, id) => {
      const d = distribution(call.store, id);
      send(res, 200, rooted(d.config), { etag: d.etag });
    },
  ],
  [
    "PUT",
    /^\/2020-05-31\/distribution\/([A-Z0-9]+)\/config$/,
    (call, res, id) => {
      const d = distribution(call.store, id);
      checkIfMatch(call, d.etag);
      // Read whole before anything changes: a body that does not parse leaves the distribution as it was.
      const config = distributionConfig(call.body.toString("utf8"));
      const enabled = enabledOf(config);
      d.config = config;
      d.enabled = enabled;
      d.etag = newEtag();
      d.lastModified = new Date().toISOString();
      call.store.commit();
      send(res, 200, distributionXml(d), { etag: d.etag });
    },
  ],
  [
    "DELETE",
    /^\/2020-05-31\/distribution\/([A-Z0-9]+)$/,
    (call, res, id) => {
      const d = distribution(call.store, id);
      checkIfMatch(call, d.etag);
      if (d.enabled)
        throw new ServiceError(409, "DistributionNotDisabled", "The distribution you are trying to delete has not been disabled.");
      distributions(call.store).delete(id);
      call.store.commit();
      send(res, 204, undefined);
    },
  ],
  [
    "POST",
    /^\/2020-05-31\/origin-access-control$/,
    (call, res) => {
      const config = rawElement(call.body.toString("utf8"), "OriginAccessControlConfig");
      const name = String((parse(config).OriginAccessControlConfig as { Name?: string } | undefined)?.Name ?? "");
      if ([...oacs(call.store).values()].some((o) => o.name === name)) {
        throw new ServiceError(409, "OriginAccessControlAlreadyExists", `An origin access control with the name ${name} already exists.`);
      }
      const o: OriginAccessControl = { id: cloudFrontId(), name, config, etag: newEtag() };
      oacs(call.store).set(o.id, o);
      call.store.commit();
      send(res, 201, oacXml(o), { etag: o.etag, location: `https://cloudfront.amazonaws.com/2020-05-31/origin-access-control/${o.id}` });
    },
  ],
  [
    "GET",
    /^\/2020-05-31\/origin-access-control\/([A-Z0-9]+)$/,
    (call, res, id) => {
      const o = oac(call.store, id);
      send(res, 200, oacXml(o), { etag: o.etag });
    },
  ],
  [
    "GET",
    /^\/2020-05-31\/origin-access-control\/([A-Z0-9]+)\/config$/,
    (call, res, id) => {
      const o = oac(call.store, id);
      send(res, 200, rooted(o.config), { etag: o.etag });
    },
  ],
  [
    "PUT",
    /^\/2020-05-31\/origin-access-control\/([A-Z0-9]+)\/config$/,
    (call, res, id) => {
      const o = oac(call.store, id);
      checkIfMatch(call, o.etag);
      const config = rawElement(call.body.toString("utf8"), "OriginAccessControlConfig");
      const name = String((parse(config).OriginAccessControlConfig as { Name?: string } | undefined)?.Name ?? o.name);
      o.config = config;
      o.name = name;
      o.etag = newEtag();
      call.store.commit();
      send(res, 200, oacXml(o), { etag: o.etag });
    },
  ],
  [
    "DELETE",
    /^\/2020-05-31\/origin-access-control\/([A-Z0-9]+)$/,
    (call, res, id) => {
      const o = oac(call.store, id);
      checkIfMatch(call, o.etag);
      if (
        [...distributions(call.store).values()].some((d) => d.config.includes(`<OriginAccessControlId>${o.id}</OriginAccessControlId>`))
      ) {
        throw new ServiceError(
          409,
          "OriginAccessControlInUse",
          "Cannot delete the origin access control because it's in use by one or more distributions.",
        );
      }
      oacs(call.store).delete(id);
      call.store.commit();
      send(res, 204, undefined);
    },
  ],
  [
    "GET",
    /^\/2020-05-31\/tagging$/,
    (call, res) => {
      const d = taggedDistribution(call);
      const items = Object.entries(d.tags)
        .map(([Key, Value]) => `<Tag>${element("Key", Key)}${element("Value", Value)}</Tag>`)
        .join("");
      send(res, 200, rooted(`<Tags><Items>${items}</Items></Tags>`));
    },
  ],
  [
    "POST",
    /^\/2020-05-31\/tagging$/,
    (call, res) => {
      const d = taggedDistribution(call);
      const operation = call.url.searchParams.get("Operation");
      const body = parse(call.body.toString("utf8"));
      if (operation === "Tag") {
        d.tags = { ...d.tags, ...tagsOf(body.Tags) };
      } else if (operation === "Untag") {
        const keys = ((body.TagKeys as { Items?: { Key?: string[] } } | undefined)?.Items?.Key ?? []).map(String);
        d.tags = withoutTags(d.tags, keys);
      } else {
        throw new ServiceError(400, "InvalidArgument", `Operation must be Tag or Untag (got ${escapeXml(String(operation))})`);
      }
      call.store.commit();
      send(res, 204, undefined);
    },
  ],
];

function taggedDistribution(call: ServiceCall): Distribution {
  const arn = call.url.searchParams.get("Resource") ?? "";
  const id = /^arn:aws:cloudfront::\d{12}:distribution\/([A-Z0-9]+)$/.exec(arn)?.[1];
  if (!id) throw new ServiceError(400, "InvalidArgument", `Resource must be a distribution's ARN (got ${arn})`);
  return distribution(call.store, id);
}

export const cloudfront: Service = {
  name: "cloudfront",
  handle(call, res) {
    for (const [method, path, route] of ROUTES) {
      const match = path.exec(call.url.pathname);
      if (match && method === call.method) {
        return route(call, res, match[1] ?? "");
      }
    }
    throw new ServiceError(404, "UnknownOperation", `The local AWS's CloudFront has no operation at ${call.method} ${call.url.pathname}`);
  },
  sendError(res, error, requestId) {
    send(
      res,
      error.status,
      rooted(
        `<ErrorResponse>${element("Error", { Type: error.status >= 500 ? "Receiver" : "Sender", Code: error.code, Message: error.message })}${element("RequestId", requestId)}</ErrorResponse>`,
      ),
    );
  },
  signatureError: querySignatureError,
};
