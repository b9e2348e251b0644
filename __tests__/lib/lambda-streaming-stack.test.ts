import "cdktf/lib/testing/adapters/jest";
import { DataArchiveFile } from "@cdktf/provider-archive/lib/data-archive-file";
import { ArchiveProvider } from "@cdktf/provider-archive/lib/provider";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionUrl } from "@cdktf/provider-aws/lib/lambda-function-url";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { onlyResource, policyDocument, synthFor, synthJson } from "../helpers/synth";

describe("LambdaStreamingStack, default (AWS_IAM) mode", () => {
  const synthesized = synthFor();
  const json = JSON.parse(synthesized);

  test("configures the aws provider for the region and the archive provider", () => {
    expect(synthesized).toHaveProvider(AwsProvider);
    expect(synthesized).toHaveProviderWithProperties(AwsProvider, { region: "us-east-1" });
    expect(synthesized).toHaveProvider(ArchiveProvider);
    expect(json.terraform.required_providers).toEqual({
      aws: { source: "aws", version: "5.100.0" },
      archive: { source: "hashicorp/archive", version: "2.7.1" },
    });
  });

  test("zips the bundle asset with archive_file, by a relative path and fixed file mode", () => {
    expect(synthesized).toHaveDataSourceWithProperties(DataArchiveFile, {
      type: "zip",
      source_dir: expect.stringMatching(/^assets\/streaming_bundle_[0-9A-F]+\/[0-9A-F]{32}$/),
      output_path: expect.stringMatching(/^\$\{path\.module\}\/dist\/lambda-streaming-[0-9A-F]{32}\.zip$/),
      output_file_mode: "0644",
    });
  });

  test("creates a role that only lambda.amazonaws.com can assume", () => {
    expect(synthesized).toHaveResourceWithProperties(IamRole, { name: "lambda-streaming-role" });
    const role = onlyResource(json, "aws_iam_role");
    expect(JSON.parse(role.assume_role_policy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
    });
    expect(role).not.toHaveProperty("managed_policy_arns");
    expect(json.resource).not.toHaveProperty("aws_iam_role_policy_attachment");
  });

  test("lets the role write logs to its own log group only", () => {
    expect(synthesized).toHaveResourceWithProperties(IamRolePolicy, {
      role: expect.stringMatching(/^\$\{aws_iam_role\.streaming_role_[0-9A-F]+\.id\}$/),
    });
    const policy = policyDocument(onlyResource(json, "aws_iam_role_policy").policy);
    const logGroup = Object.keys(json.resource.aws_cloudwatch_log_group)[0];
    expect(policy).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `\${aws_cloudwatch_log_group.${logGroup}.arn}:*`,
        },
      ],
    });
  });

  test("creates the log group /aws/lambda/<function> with 14 days' retention, before the function", () => {
    expect(synthesized).toHaveResourceWithProperties(CloudwatchLogGroup, { name: "/aws/lambda/lambda-streaming", retention_in_days: 14 });
    const logGroup = Object.keys(json.resource.aws_cloudwatch_log_group)[0];
    expect(onlyResource(json, "aws_lambda_function").depends_on).toContain(`aws_cloudwatch_log_group.${logGroup}`);
  });

  test("creates a nodejs22.x arm64 function with 256 MB, 60 s and source maps, from the archive", () => {
    expect(synthesized).toHaveResourceWithProperties(LambdaFunction, {
      function_name: "lambda-streaming",
      runtime: "nodejs22.x",
      handler: "index.handler",
      architectures: ["arm64"],
      memory_size: 256,
      timeout: 60,
      environment: { variables: { NODE_OPTIONS: "--enable-source-maps" } },
      filename: expect.stringMatching(/^\$\{data\.archive_file\.streaming_zip_[0-9A-F]+\.output_path\}$/),
      source_code_hash: expect.stringMatching(/^\$\{data\.archive_file\.streaming_zip_[0-9A-F]+\.output_base64sha256\}$/),
      role: expect.stringMatching(/^\$\{aws_iam_role\.streaming_role_[0-9A-F]+\.arn\}$/),
    });
    expect(onlyResource(json, "aws_lambda_function")).not.toHaveProperty("reserved_concurrent_executions");
  });

  test("creates a RESPONSE_STREAM Function URL with AWS_IAM auth and no CORS", () => {
    expect(synthesized).toHaveResourceWithProperties(LambdaFunctionUrl, { invoke_mode: "RESPONSE_STREAM", authorization_type: "AWS_IAM" });
    expect(onlyResource(json, "aws_lambda_function_url")).not.toHaveProperty("cors");
  });

  test("grants no public permission", () => {
    expect(synthesized).not.toHaveResource(LambdaPermission);
  });

  test("outputs the URL, ARN, name, log group, auth type, Region and the invoker policy's ARN", () => {
    expect(Object.keys(json.output).sort()).toEqual([
      "auth_type",
      "function_arn",
      "function_name",
      "function_url",
      "invoker_policy_arn",
      "log_group_name",
      "region",
    ]);
    // The README's curl signs for this Region.
    expect(json.output.region.value).toBe("us-east-1");
    expect(json.output.function_url.value).toMatch(/^\$\{aws_lambda_function_url\.streaming_url_[0-9A-F]+\.function_url\}$/);
    expect(json.output.auth_type.value).toMatch(/\.authorization_type\}$/);
    expect(json.output.log_group_name.value).toMatch(/^\$\{aws_cloudwatch_log_group\..*\.name\}$/);
  });

  test("keeps state in a local file at the project root, by a relative path", () => {
    expect(json.terraform.backend).toEqual({ local: { path: "../../../terraform.lambda-streaming.tfstate" } });
  });

  test("holds no absolute path of this machine", () => {
    expect(synthesized).not.toContain(process.cwd());
    expect(synthesized).not.toMatch(/"\/(tmp|home|root|work|Users)\//);
  });
});

describe("LambdaStreamingStack, public (NONE) mode", () => {
  const synthesized = synthFor({ FUNCTION_URL_AUTH: "NONE" });
  const json = JSON.parse(synthesized);

  test("creates a URL with authorization_type NONE", () => {
    expect(synthesized).toHaveResourceWithProperties(LambdaFunctionUrl, { invoke_mode: "RESPONSE_STREAM", authorization_type: "NONE" });
  });

  test("grants lambda:InvokeFunctionUrl to everyone, for URL calls only", () => {
    expect(synthesized).toHaveResourceWithProperties(LambdaPermission, {
      action: "lambda:InvokeFunctionUrl",
      principal: "*",
      function_url_auth_type: "NONE",
      function_name: expect.stringMatching(/\.function_name\}$/),
    });
  });

  test("creates the public-access permission before the URL, which adds the same statement itself and would race it", () => {
    const permissions = json.resource.aws_lambda_permission as Record<string, { statement_id: string }>;
    const publicAccess = Object.entries(permissions).find(([, p]) => p.statement_id === "FunctionURLAllowPublicAccess")?.[0];
    const [url] = Object.values(json.resource.aws_lambda_function_url) as { depends_on?: string[] }[];
    expect(url.depends_on).toEqual([`aws_lambda_permission.${publicAccess}`]);
  });

  test("grants lambda:InvokeFunction too, as URLs created since October 2025 require", () => {
    expect(synthesized).toHaveResourceWithProperties(LambdaPermission, { action: "lambda:InvokeFunction", principal: "*" });
    expect(Object.keys(json.resource.aws_lambda_permission)).toHaveLength(2);
  });

  test("caps reserved concurrency at 10 by default, or as configured", () => {
    expect(synthesized).toHaveResourceWithProperties(LambdaFunction, { reserved_concurrent_executions: 10 });
    expect(synthFor({ FUNCTION_URL_AUTH: "NONE", RESERVED_CONCURRENCY: "2" })).toHaveResourceWithProperties(LambdaFunction, {
      reserved_concurrent_executions: 2,
    });
  });
});

describe("LambdaStreamingStack, configured", () => {
  test("applies every sizing variable", () => {
    const synthesized = synthFor({
      FUNCTION_NAME: "cars",
      MEMORY_MB: "1024",
      TIMEOUT_S: "300",
      ARCHITECTURE: "x86_64",
      LOG_RETENTION_DAYS: "3",
      AWS_REGION: "eu-central-1",
      RESERVED_CONCURRENCY: "5",
    });
    expect(synthesized).toHaveResourceWithProperties(LambdaFunction, {
      function_name: "cars",
      memory_size: 1024,
      timeout: 300,
      architectures: ["x86_64"],
      reserved_concurrent_executions: 5,
    });
    expect(synthesized).toHaveResourceWithProperties(CloudwatchLogGroup, { name: "/aws/lambda/cars", retention_in_days: 3 });
    expect(synthesized).toHaveProviderWithProperties(AwsProvider, { region: "eu-central-1" });
  });

  test("configures CORS for the given origins, with the SigV4 headers in AWS_IAM mode", () => {
    expect(synthFor({ FUNCTION_URL_CORS_ORIGINS: "https://a.example,https://b.example" })).toHaveResourceWithProperties(LambdaFunctionUrl, {
      cors: {
        allow_origins: ["https://a.example", "https://b.example"],
        allow_methods: ["GET"],
        allow_headers: ["authorization", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token"],
        max_age: 3600,
      },
    });
    expect(
      JSON.stringify(
        onlyResource(synthJson({ FUNCTION_URL_AUTH: "NONE", FUNCTION_URL_CORS_ORIGINS: "*" }), "aws_lambda_function_url").cors,
      ),
    ).toBe(JSON.stringify({ allow_headers: [], allow_methods: ["GET"], allow_origins: ["*"], max_age: 3600 }));
  });

  test("keeps state in S3 with native locking when TF_STATE_BUCKET is set", () => {
    const json = synthJson({ TF_STATE_BUCKET: "my-tf-state", STACK_NAME: "cars", AWS_REGION: "eu-west-1" });
    expect(json.terraform.backend).toEqual({
      s3: { bucket: "my-tf-state", key: "cars/terraform.tfstate", region: "eu-west-1", encrypt: true, use_lockfile: true },
    });
  });

  test("names the local state file after the stack", () => {
    expect(synthJson({ STACK_NAME: "cars" }).terraform.backend).toEqual({ local: { path: "../../../terraform.cars.tfstate" } });
  });

  test("deployed into the local AWS, keeps state in its own file beside the real one, never in S3 even with TF_STATE_BUCKET set", () => {
    const local = { local: { path: "../../../terraform.cars.local-aws.tfstate" } };
    const endpoint = "http://127.0.0.1:4566";
    expect(synthJson({ STACK_NAME: "cars", LAMBDA_STREAMING_LOCAL_AWS: endpoint }).terraform.backend).toEqual(local);
    expect(
      synthJson({ STACK_NAME: "cars", LAMBDA_STREAMING_LOCAL_AWS: endpoint, TF_STATE_BUCKET: "my-tf-state" }).terraform.backend,
    ).toEqual(local);
  });

  test("deployed into the local AWS, pins every service the stack calls to its endpoint in the provider itself", () => {
    const endpoint = "http://127.0.0.1:4566";
    const provider = synthJson({ LAMBDA_STREAMING_LOCAL_AWS: endpoint }).provider.aws[0];
    expect(provider.endpoints).toEqual([
      { sts: endpoint, iam: endpoint, lambda: endpoint, cloudwatchlogs: endpoint, cloudfront: endpoint },
    ]);
    expect(synthJson({}).provider.aws[0].endpoints).toBeUndefined();
  });
});
