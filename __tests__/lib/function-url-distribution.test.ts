// PUBLIC_ACCESS=cloudfront: the distribution, its origin access control and CloudFront's two
// permissions, argument by argument, as synthesized; and no wildcard principal anywhere.
import "cdktf/lib/testing/adapters/jest";
import { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CloudfrontOriginAccessControl } from "@cdktf/provider-aws/lib/cloudfront-origin-access-control";
import { LambdaFunctionUrl } from "@cdktf/provider-aws/lib/lambda-function-url";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { onlyResource, synthFor, synthJson } from "../helpers/synth";

const CLOUDFRONT = { PUBLIC_ACCESS: "cloudfront" };

describe("PUBLIC_ACCESS=cloudfront", () => {
  const synthesized = synthFor(CLOUDFRONT);
  const json = JSON.parse(synthesized);
  const oacId = Object.keys(json.resource.aws_cloudfront_origin_access_control)[0];
  const distributionId = Object.keys(json.resource.aws_cloudfront_distribution)[0];
  const urlId = Object.keys(json.resource.aws_lambda_function_url)[0];
  const functionId = Object.keys(json.resource.aws_lambda_function)[0];

  test("keeps the Function URL AWS_IAM, streaming", () => {
    expect(synthesized).toHaveResourceWithProperties(LambdaFunctionUrl, { authorization_type: "AWS_IAM", invoke_mode: "RESPONSE_STREAM" });
  });

  test("an origin access control for Lambda that always signs, with SigV4", () => {
    expect(onlyResource(json, "aws_cloudfront_origin_access_control")).toEqual({
      name: "lambda-streaming-oac",
      description: "Signs CloudFront's requests to the Function URL of lambda-streaming",
      origin_access_control_origin_type: "lambda",
      signing_behavior: "always",
      signing_protocol: "sigv4",
    });
    expect(synthesized).toHaveResource(CloudfrontOriginAccessControl);
  });

  test("one origin: the URL's host, over HTTPS only, signed by that access control", () => {
    expect(onlyResource(json, "aws_cloudfront_distribution").origin).toEqual([
      {
        origin_id: "function-url",
        domain_name: `\${element(split("/", aws_lambda_function_url.${urlId}.function_url), 2)}`,
        origin_access_control_id: `\${aws_cloudfront_origin_access_control.${oacId}.id}`,
        custom_origin_config: { http_port: 80, https_port: 443, origin_protocol_policy: "https-only", origin_ssl_protocols: ["TLSv1.2"] },
      },
    ]);
  });

  test("the default behavior: HTTPS for viewers, every method, no cache, every viewer value but Host, no compression", () => {
    expect(onlyResource(json, "aws_cloudfront_distribution").default_cache_behavior).toEqual({
      target_origin_id: "function-url",
      viewer_protocol_policy: "redirect-to-https",
      allowed_methods: ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"],
      cached_methods: ["GET", "HEAD"],
      // Managed-CachingDisabled and Managed-AllViewerExceptHostHeader, by the IDs AWS publishes:
      // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html
      // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html
      cache_policy_id: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
      origin_request_policy_id: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
      compress: false,
    });
  });

  test("the distribution: enabled, IPv6, the cheapest price class, no geo restriction, CloudFront's own certificate", () => {
    expect(synthesized).toHaveResourceWithProperties(CloudfrontDistribution, {
      enabled: true,
      is_ipv6_enabled: true,
      price_class: "PriceClass_100",
      restrictions: { geo_restriction: { restriction_type: "none" } },
      viewer_certificate: { cloudfront_default_certificate: true },
    });
  });

  test("the price class is configurable", () => {
    const all = synthJson({ ...CLOUDFRONT, CLOUDFRONT_PRICE_CLASS: "PriceClass_All" });
    expect(onlyResource(all, "aws_cloudfront_distribution").price_class).toBe("PriceClass_All");
  });

  test("both invoke actions for CloudFront's principal, only on behalf of this distribution", () => {
    const permissions = Object.values(json.resource.aws_lambda_permission as Record<string, Record<string, unknown>>).sort((a, b) =>
      String(a.action).localeCompare(String(b.action)),
    );
    const common = {
      function_name: `\${aws_lambda_function.${functionId}.function_name}`,
      principal: "cloudfront.amazonaws.com",
      source_arn: `\${aws_cloudfront_distribution.${distributionId}.arn}`,
    };
    expect(permissions).toEqual([
      { ...common, action: "lambda:InvokeFunction", statement_id: "AllowCloudFrontServicePrincipalInvokeFunction" },
      { ...common, action: "lambda:InvokeFunctionUrl", statement_id: "AllowCloudFrontServicePrincipal" },
    ]);
    expect(synthesized).toHaveResourceWithProperties(LambdaPermission, { principal: "cloudfront.amazonaws.com" });
  });

  test("no permission names the wildcard principal, and none lacks a source", () => {
    for (const permission of Object.values(json.resource.aws_lambda_permission as Record<string, Record<string, unknown>>)) {
      expect(permission.principal).not.toBe("*");
      expect(permission.source_arn).toEqual(expect.stringContaining("aws_cloudfront_distribution."));
    }
    expect(synthesized).not.toHaveResourceWithProperties(LambdaPermission, { principal: "*" });
  });

  test("outputs the public https:// address and the distribution's id, beside the usual outputs", () => {
    expect(json.output.public_url.value).toBe(`https://\${aws_cloudfront_distribution.${distributionId}.domain_name}/`);
    expect(json.output.distribution_id.value).toBe(`\${aws_cloudfront_distribution.${distributionId}.id}`);
    expect(Object.keys(json.output)).toEqual(
      expect.arrayContaining(["function_url", "auth_type", "region", "invoker_policy_arn", "public_url", "distribution_id"]),
    );
  });

  test("a public distribution gets the public concurrency cap", () => {
    expect(Object.values(json.resource.aws_lambda_function)[0]).toMatchObject({ reserved_concurrent_executions: 10 });
  });

  test("without PUBLIC_ACCESS there is no CloudFront at all", () => {
    for (const env of [{}, { FUNCTION_URL_AUTH: "NONE" }] as Record<string, string>[]) {
      const plain = synthJson(env);
      expect(plain.resource).not.toHaveProperty("aws_cloudfront_distribution");
      expect(plain.resource).not.toHaveProperty("aws_cloudfront_origin_access_control");
      expect(plain.output).not.toHaveProperty("public_url");
      expect(plain.output).not.toHaveProperty("distribution_id");
    }
  });
});
