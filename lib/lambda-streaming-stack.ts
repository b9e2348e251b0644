// The stack: providers, state backend, one StreamingFunction (with PUBLIC_ACCESS=cloudfront, a
// FunctionUrlDistribution in front of it), and the outputs a user reads after `cdktf deploy`.

import * as path from "node:path";
import { ArchiveProvider } from "@cdktf/provider-archive/lib/provider";
import { AwsProvider, type AwsProviderEndpoints } from "@cdktf/provider-aws/lib/provider";
import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { StackConfig } from "./config";
import { FunctionUrlDistribution } from "./function-url-distribution";
import { localAwsStatePath, localStatePath, s3StateKey } from "./state-location";
import { StreamingFunction } from "./streaming-function";

/** The handler that ships to Lambda. */
export const HANDLER_ENTRY = path.join(__dirname, "..", "handler", "index.ts");

/** The provider's endpoints for the services the stack calls (the credential check's STS too), all at `endpoint`. */
function localAwsEndpoints(endpoint: string): AwsProviderEndpoints {
  return { sts: endpoint, iam: endpoint, lambda: endpoint, cloudwatchlogs: endpoint, cloudfront: endpoint };
}

export class LambdaStreamingStack extends TerraformStack {
  readonly streamingFunction: StreamingFunction;

  constructor(scope: Construct, config: StackConfig) {
    super(scope, config.stackName);

    new AwsProvider(this, "aws", {
      region: config.region,
      defaultTags: [{ tags: { project: "lambda-streaming", stack: config.stackName } }],
      // Into the local AWS: each service the stack calls pinned to it, so that nothing (an
      // AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, a profile's endpoint settings) sends it to AWS.
      ...(config.localAws ? { endpoints: [localAwsEndpoints(config.localAws.endpoint)] } : {}),
    });
    new ArchiveProvider(this, "archive");

    if (config.localAws) {
      // Into the local AWS: its own state file, never the real deployment's (nor its bucket).
      new LocalBackend(this, { path: localAwsStatePath(config.stackName) });
    } else if (config.stateBucket) {
      new S3Backend(this, {
        bucket: config.stateBucket,
        key: s3StateKey(config.stackName),
        region: config.region,
        encrypt: true,
      });
      // S3-native locking (Terraform 1.10+); cdktf 0.21's S3BackendConfig predates the option.
      // @see https://developer.hashicorp.com/terraform/language/backend/s3#use_lockfile
      this.addOverride("terraform.backend.s3.use_lockfile", true);
    } else {
      new LocalBackend(this, { path: localStatePath(config.stackName) });
    }

    this.streamingFunction = new StreamingFunction(this, "streaming", {
      functionName: config.functionName,
      entry: HANDLER_ENTRY,
      authType: config.functionUrlAuth,
      memorySize: config.memoryMb,
      timeout: config.timeoutSeconds,
      architecture: config.architecture,
      logRetentionDays: config.logRetentionDays,
      reservedConcurrency: config.reservedConcurrency,
      corsAllowOrigins: config.corsAllowOrigins,
    });

    const fn = this.streamingFunction;
    new TerraformOutput(this, "function_url", { value: fn.url.functionUrl, description: "The Function URL; call it with curl -N" });
    new TerraformOutput(this, "function_arn", { value: fn.function.arn });
    new TerraformOutput(this, "function_name", { value: fn.function.functionName });
    new TerraformOutput(this, "log_group_name", { value: fn.logGroup.name });
    new TerraformOutput(this, "auth_type", { value: fn.url.authorizationType });
    if (fn.invokerPolicy) {
      new TerraformOutput(this, "invoker_policy_arn", {
        value: fn.invokerPolicy.arn,
        description: "Attach to a user or role to let it call the URL: aws iam attach-role-policy --role-name ROLE --policy-arn ARN",
      });
    }
    // The Region a caller signs for (SigV4's credential scope), so the README's curl need not guess it.
    new TerraformOutput(this, "region", { value: config.region });
    if (config.cloudFront) {
      const front = new FunctionUrlDistribution(this, "cloudfront", {
        functionName: config.functionName,
        function: fn.function,
        url: fn.url,
        priceClass: config.cloudFront.priceClass,
      });
      new TerraformOutput(this, "public_url", {
        value: front.publicUrl,
        description: "The public address: CloudFront, which signs each request to the AWS_IAM Function URL",
      });
      new TerraformOutput(this, "distribution_id", { value: front.distribution.id });
    }
  }
}
