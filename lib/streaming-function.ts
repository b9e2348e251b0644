// A reusable construct: a Node.js Lambda function that streams its response through a Function
// URL in RESPONSE_STREAM mode, with its bundle, zip, role, log group and (in public mode) the
// resource-based permissions a public URL needs.

import * as path from "node:path";
import { DataArchiveFile } from "@cdktf/provider-archive/lib/data-archive-file";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionUrl } from "@cdktf/provider-aws/lib/lambda-function-url";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { AssetType, Fn, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { bundleHandler } from "./bundling";
import type { Architecture, FunctionUrlAuth } from "./config";
import { FUNCTION_ENVIRONMENT, RUNTIME } from "./lambda-runtime";
import { invokerPolicyName, roleName } from "./resource-names";

export interface StreamingFunctionProps {
  /** Name of the Lambda function; also names its log group, role and invoker policy. */
  readonly functionName: string;
  /**
   * The handler's entry file; it must export `handler`.
   * @see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html
   */
  readonly entry: string;
  /**
   * Who may call the URL: `AWS_IAM` (SigV4-signed callers) or `NONE` (anyone).
   * @default "AWS_IAM"
   * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
   */
  readonly authType?: FunctionUrlAuth;
  /** @default 256 */
  readonly memorySize?: number;
  /**
   * Seconds before Lambda stops the function; a stream ends when its function does.
   * @default 60
   */
  readonly timeout?: number;
  /** @default "arm64" */
  readonly architecture?: Architecture;
  /** @default 14 */
  readonly logRetentionDays?: number;
  /**
   * Reserved concurrency: both a guarantee and a cap on simultaneous invocations.
   * @default undefined (unreserved); required in practice for a public URL
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
   */
  readonly reservedConcurrency?: number;
  /**
   * Origins allowed to call the URL from a browser. Empty means no CORS configuration.
   * @default []
   * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html#urls-cors
   */
  readonly corsAllowOrigins?: readonly string[];
}

/** Lambda's handler string for the bundle's `index.js`, export `handler`. */
const HANDLER = "index.handler";

/** Headers a browser sends when it signs a request with SigV4. */
const SIGV4_HEADERS = ["authorization", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token"];

export class StreamingFunction extends Construct {
  readonly function: LambdaFunction;
  readonly url: LambdaFunctionUrl;
  readonly logGroup: CloudwatchLogGroup;
  readonly role: IamRole;
  /**
   * AWS_IAM mode only: a managed policy that lets whoever it is attached to call this function's
   * URL, and nothing else. Attach it to the callers' users or roles.
   */
  readonly invokerPolicy?: IamPolicy;

  constructor(scope: Construct, id: string, props: StreamingFunctionProps) {
    super(scope, id);
    const authType = props.authType ?? "AWS_IAM";

    // The bundle folder becomes an asset, so the JSON names it by a relative path, and the
    // archive provider zips it at plan time. output_file_mode pins the entries' permissions so
    // the zip's bytes do not depend on the umask of whoever synthesized it.
    const asset = new TerraformAsset(this, "bundle", {
      path: bundleHandler(props.entry),
      type: AssetType.DIRECTORY,
    });
    const archive = new DataArchiveFile(this, "zip", {
      type: "zip",
      sourceDir: asset.path,
      outputPath: `\${path.module}/${path.posix.join("dist", `${props.functionName}-${asset.assetHash}.zip`)}`,
      outputFileMode: "0644",
    });

    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: `/aws/lambda/${props.functionName}`,
      retentionInDays: props.logRetentionDays ?? 14,
    });

    this.role = new IamRole(this, "role", {
      name: roleName(props.functionName),
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    });
    // Least privilege: write log events to this function's own log group and nothing else.
    // `${arn}:*` covers the group's log streams, which is where both actions apply. A policy that
    // holds a reference is written with Terraform's jsonencode, not JSON.stringify: `cdktf synth
    // --hcl` renders a JSON string with a reference inside as broken HCL (a cdktf bug that will not
    // be fixed: https://github.com/hashicorp/terraform-cdk/issues/3911), and jsonencode in both.
    const logPolicy = new IamRolePolicy(this, "logs-policy", {
      name: "write-own-logs",
      role: this.role.id,
      policy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: `${this.logGroup.arn}:*`,
          },
        ],
      }),
    });

    this.function = new LambdaFunction(this, "function", {
      functionName: props.functionName,
      role: this.role.arn,
      runtime: RUNTIME,
      handler: HANDLER,
      architectures: [props.architecture ?? "arm64"],
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? 60,
      filename: archive.outputPath,
      sourceCodeHash: archive.outputBase64Sha256,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: { variables: { ...FUNCTION_ENVIRONMENT } },
      // The log group must exist (with its retention) before Lambda writes to it, or Lambda
      // creates one of its own that never expires; the policy must exist before the first log.
      dependsOn: [this.logGroup, logPolicy],
    });

    // A public URL needs a resource-based policy that lets anyone invoke it through the URL. The
    // aws provider's function URL resource adds this same statement (FunctionURLAllowPublicAccess)
    // itself when it creates a NONE URL, and takes "already exists" in its stride; this permission
    // does not: it retries AddPermission's conflict until its timeout and fails. So the permission
    // comes first and the URL depends on it.
    // @see https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/lambda/function_url.go
    const publicUrl =
      authType === "NONE"
        ? new LambdaPermission(this, "public-url", {
            statementId: "FunctionURLAllowPublicAccess",
            action: "lambda:InvokeFunctionUrl",
            functionName: this.function.functionName,
            principal: "*",
            functionUrlAuthType: "NONE",
          })
        : undefined;
    if (authType === "NONE") {
      // Since October 2025 new function URLs also need lambda:InvokeFunction. AWS scopes it with
      // the lambda:InvokedViaFunctionUrl condition, which aws provider 5.100.0 cannot express,
      // so this statement is unconditional (see the README's security section).
      // @see https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
      new LambdaPermission(this, "public-invoke", {
        statementId: "FunctionURLAllowInvokeAction",
        action: "lambda:InvokeFunction",
        functionName: this.function.functionName,
        principal: "*",
      });
    }

    const origins = props.corsAllowOrigins ?? [];
    this.url = new LambdaFunctionUrl(this, "url", {
      functionName: this.function.functionName,
      authorizationType: authType,
      invokeMode: "RESPONSE_STREAM",
      cors:
        origins.length > 0
          ? {
              allowOrigins: [...origins],
              allowMethods: ["GET"],
              allowHeaders: authType === "AWS_IAM" ? SIGV4_HEADERS : [],
              maxAge: 3600,
            }
          : undefined,
      ...(publicUrl ? { dependsOn: [publicUrl] } : {}),
    });

    if (authType === "AWS_IAM") {
      // An AWS_IAM URL runs the function only for callers whose identity policy allows both
      // lambda:InvokeFunctionUrl and (for URLs created since October 2025) lambda:InvokeFunction
      // on it. This policy grants exactly that, on this function's ARN only; the auth-type
      // condition keeps the URL statement to AWS_IAM URLs.
      // @see https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
      this.invokerPolicy = new IamPolicy(this, "invoker-policy", {
        name: invokerPolicyName(props.functionName),
        description: `Call the Function URL of the Lambda function ${props.functionName}`,
        policy: Fn.jsonencode({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "InvokeThisFunctionUrl",
              Effect: "Allow",
              Action: "lambda:InvokeFunctionUrl",
              Resource: this.function.arn,
              Condition: { StringEquals: { "lambda:FunctionUrlAuthType": "AWS_IAM" } },
            },
            {
              Sid: "InvokeThisFunction",
              Effect: "Allow",
              Action: "lambda:InvokeFunction",
              Resource: this.function.arn,
            },
          ],
        }),
      });
    }
  }
}
