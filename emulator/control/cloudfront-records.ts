// CloudFront's records in the local AWS's store (origin access controls and distributions, their
// configurations kept as the caller sent them) and what the local edge reads from them at each
// request: whether the distribution is enabled, the origin its default cache behavior targets,
// and how that origin's access control signs.
// @see https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionConfig.html

import { parse } from "./cloudfront-xml";
import type { Store } from "./store";

export interface OriginAccessControl {
  readonly id: string;
  name: string;
  /** `<OriginAccessControlConfig>…</OriginAccessControlConfig>` as sent, without attributes. */
  config: string;
  etag: string;
}

export interface Distribution {
  readonly id: string;
  /** Where the local edge answers: `127.0.0.1:PORT` (a `d….cloudfront.net` name in older state). */
  readonly domainName: string;
  config: string;
  enabled: boolean;
  etag: string;
  lastModified: string;
  tags: Record<string, string>;
}

export const oacs = (store: Store) => store.table<OriginAccessControl>("cloudfront.oacs");
export const distributions = (store: Store) => store.table<Distribution>("cloudfront.distributions");

/** How CloudFront signs requests to an origin: an OAC's SigningBehavior, or `none` without an OAC. */
export type SigningBehavior = "always" | "never" | "no-override" | "none";

/** What the edge needs of a distribution, read from its configuration as it is now. */
export interface EdgeView {
  readonly id: string;
  readonly domainName: string;
  readonly enabled: boolean;
  /** The origin's DomainName (`host` or `host:port`); undefined when the default behavior's target is missing. */
  readonly originDomain: string | undefined;
  /** The origin's OriginPath, prepended to every request's path ("" when none). */
  readonly originPath: string;
  readonly signing: SigningBehavior;
  /** CustomOriginConfig's OriginReadTimeout, seconds (CloudFront's default: 30). */
  readonly readTimeoutSeconds: number;
}

interface OriginXml {
  Id?: string;
  DomainName?: string;
  OriginPath?: string;
  OriginAccessControlId?: string;
  CustomOriginConfig?: { OriginReadTimeout?: string };
}

/** The edge's view of distribution `id`, or undefined when there is no such distribution. */
export function edgeView(store: Store, id: string): EdgeView | undefined {
  const d = distributions(store).get(id);
  if (d === undefined) return undefined;
  const config = parse(d.config).DistributionConfig as
    | { DefaultCacheBehavior?: { TargetOriginId?: string }; Origins?: { Items?: { Origin?: OriginXml | OriginXml[] } } }
    | undefined;
  const listed = config?.Origins?.Items?.Origin;
  const origins = listed === undefined ? [] : Array.isArray(listed) ? listed : [listed];
  const target = config?.DefaultCacheBehavior?.TargetOriginId;
  const origin = origins.find((o) => o.Id === target);
  const oacId = origin?.OriginAccessControlId;
  const oacConfig = oacId ? oacs(store).get(oacId)?.config : undefined;
  const behavior = oacConfig
    ? String((parse(oacConfig).OriginAccessControlConfig as { SigningBehavior?: string } | undefined)?.SigningBehavior ?? "always")
    : "none";
  return {
    id,
    domainName: d.domainName,
    enabled: d.enabled,
    originDomain: origin?.DomainName,
    originPath: origin?.OriginPath ?? "",
    signing: (["always", "never", "no-override"].includes(behavior) ? behavior : "always") as SigningBehavior,
    readTimeoutSeconds: seconds(origin?.CustomOriginConfig?.OriginReadTimeout, 30),
  };
}

function seconds(text: string | undefined, fallback: number): number {
  const value = Number(text);
  return text !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}
