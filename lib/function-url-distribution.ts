// A CloudFront distribution in front of an AWS_IAM Function URL: origin access control (OAC) signs
// every request CloudFront sends to the URL, and the function lets only this distribution call it.
// @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-lambda.html

import { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CloudfrontOriginAccessControl } from "@cdktf/provider-aws/lib/cloudfront-origin-access-control";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import type { LambdaFunctionUrl } from "@cdktf/provider-aws/lib/lambda-function-url";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { DEFAULTS, type PriceClass } from "./config";
import { originAccessControlName } from "./resource-names";

export interface FunctionUrlDistributionProps {
  /** The function's name as configured (a plain string): names the origin access control. */
  readonly functionName: string;
  /** The function the permissions are for. */
  readonly function: LambdaFunction;
  /** Its URL, whose auth type must be AWS_IAM: OAC signs requests, and only AWS_IAM checks them. */
  readonly url: LambdaFunctionUrl;
  /**
   * Which edge locations serve it.
   * @default "PriceClass_100" (the cheapest)
   * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/PriceClass.html
   */
  readonly priceClass?: PriceClass;
}

/**
 * CloudFront's managed policies, by ID (the distribution takes IDs; a data source would look them
 * up through the CloudFront API, which the offline check cannot reach).
 */
const MANAGED_POLICY_IDS = {
  /**
   * `CachingDisabled`: TTLs 0, nothing in the cache key; every request reaches the function.
   * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html#managed-cache-policy-caching-disabled
   */
  cachingDisabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
  /**
   * `AllViewerExceptHostHeader`: the viewer's headers, query and cookies, all but `Host` (the
   * Function URL must see its own host, or the signature CloudFront makes for it fails).
   * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html#managed-origin-request-policy-all-viewer-except-host-header
   */
  allViewerExceptHostHeader: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
} as const;

/** Every method a cache behavior can allow: the function decides what it answers. */
const ALL_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];

/** CloudFront's service principal: the only caller the function's permissions name. */
const CLOUDFRONT_PRINCIPAL = "cloudfront.amazonaws.com";

const ORIGIN_ID = "function-url";

export class FunctionUrlDistribution extends Construct {
  readonly originAccessControl: CloudfrontOriginAccessControl;
  readonly distribution: CloudfrontDistribution;
  /** The distribution's address: `https://<id>.cloudfront.net/`. */
  readonly publicUrl: string;

  constructor(scope: Construct, id: string, props: FunctionUrlDistributionProps) {
    super(scope, id);

    this.originAccessControl = new CloudfrontOriginAccessControl(this, "oac", {
      name: originAccessControlName(props.functionName),
      description: `Signs CloudFront's requests to the Function URL of ${props.functionName}`,
      originAccessControlOriginType: "lambda",
      // Always sign, over any Authorization header the viewer sent: the URL trusts only CloudFront.
      signingBehavior: "always",
      signingProtocol: "sigv4",
    });

    this.distribution = new CloudfrontDistribution(this, "distribution", {
      enabled: true,
      comment: `Public address of the Function URL of ${props.functionName}`,
      isIpv6Enabled: true,
      priceClass: props.priceClass ?? DEFAULTS.priceClass,
      origin: [
        {
          originId: ORIGIN_ID,
          // The URL is https://<url-id>.lambda-url.<region>.on.aws/; the origin is its host.
          domainName: Fn.element(Fn.split("/", props.url.functionUrl), 2),
          originAccessControlId: this.originAccessControl.id,
          customOriginConfig: {
            httpPort: 80,
            httpsPort: 443,
            originProtocolPolicy: "https-only",
            originSslProtocols: ["TLSv1.2"],
          },
        },
      ],
      defaultCacheBehavior: {
        targetOriginId: ORIGIN_ID,
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: ALL_METHODS,
        cachedMethods: ["GET", "HEAD"],
        cachePolicyId: MANAGED_POLICY_IDS.cachingDisabled,
        originRequestPolicyId: MANAGED_POLICY_IDS.allViewerExceptHostHeader,
        // No compression: the stream reaches the viewer as the function writes it.
        compress: false,
      },
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate: { cloudfrontDefaultCertificate: true },
    });
    this.publicUrl = `https://${this.distribution.domainName}/`;

    // What AWS's guide grants, and no more: both actions (URLs created since October 2025 need
    // lambda:InvokeFunction too), to CloudFront's principal, only on behalf of this distribution.
    // @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-lambda.html#oac-permission-to-access-lambda
    new LambdaPermission(this, "invoke-url", {
      statementId: "AllowCloudFrontServicePrincipal",
      action: "lambda:InvokeFunctionUrl",
      functionName: props.function.functionName,
      principal: CLOUDFRONT_PRINCIPAL,
      sourceArn: this.distribution.arn,
    });
    new LambdaPermission(this, "invoke", {
      statementId: "AllowCloudFrontServicePrincipalInvokeFunction",
      action: "lambda:InvokeFunction",
      functionName: props.function.functionName,
      principal: CLOUDFRONT_PRINCIPAL,
      sourceArn: this.distribution.arn,
    });
  }
}
