// CloudFront distributions deployed into the local AWS answer at their domain, through the AWS
// SDK's own clients: an origin access control and a distribution in front of an AWS_IAM Function
// URL serve unsigned viewers over TLS (the local AWS's certificate), streaming, while the URL itself
// still wants a signature; a POST needs x-amz-content-sha256; a disabled distribution refuses, a
// restart serves it at the same domain, and a deleted one stops answering.

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import {
  CloudFrontClient,
  CreateDistributionCommand,
  CreateOriginAccessControlCommand,
  DeleteDistributionCommand,
  type DistributionConfig,
  GetDistributionConfigCommand,
  UpdateDistributionCommand,
} from "@aws-sdk/client-cloudfront";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, CreateFunctionUrlConfigCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { zipSync } from "fflate";
import { type RunningLocalAws, serveLocalAws } from "../../../emulator/cli/local-aws";
import { locateRuntime } from "../../../emulator/environment/runtime-command";
import { send } from "../../helpers/http-client";
import { LAMBDA_ASSUME_ROLE_POLICY, LOCAL_AWS_CREDENTIALS, LOCAL_AWS_ENV } from "../../helpers/local-aws-clients";
import { LogCollector } from "../../helpers/log-collector";
import { describeWhenAvailable, missingReason, requireCurl, testWhenAvailable } from "../../helpers/requirements";

const HANDLERS = path.join(__dirname, "..", "..", "fixtures", "handlers");
const ZIP = zipSync({ "handlers.mjs": new Uint8Array(fs.readFileSync(path.join(HANDLERS, "handlers.mjs"))) });

describeWhenAvailable("CloudFront distributions deployed into the local AWS", missingReason(locateRuntime), () => {
  let state: string;
  let aws: RunningLocalAws;
  let log: LogCollector;
  let cloudfront: CloudFrontClient;
  let ca: string;
  let caFile: string;
  let functionUrl: string;
  let oacId: string;

  const start = async (): Promise<void> => {
    log = new LogCollector();
    aws = (await serveLocalAws(["--port", "0", "--state", state], LOCAL_AWS_ENV, log.sink)) as RunningLocalAws;
    cloudfront = new CloudFrontClient({ endpoint: aws.endpoint, region: "us-east-1", credentials: LOCAL_AWS_CREDENTIALS, maxAttempts: 1 });
  };

  beforeAll(async () => {
    state = fs.mkdtempSync(path.join(os.tmpdir(), "ls-edge-deployed-"));
    await start();
    caFile = path.join(state, "tls", "ca.pem");
    ca = fs.readFileSync(caFile, "utf8");
    const client = { endpoint: aws.endpoint, region: "eu-west-1", credentials: LOCAL_AWS_CREDENTIALS, maxAttempts: 1 };
    const role = await new IAMClient(client).send(
      new CreateRoleCommand({ RoleName: "edge", AssumeRolePolicyDocument: LAMBDA_ASSUME_ROLE_POLICY }),
    );
    const lambda = new LambdaClient(client);
    for (const handler of ["paced", "echo"]) {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: handler,
          Role: role.Role?.Arn,
          Runtime: "nodejs22.x",
          Handler: `handlers.${handler}`,
          Timeout: 5,
          Code: { ZipFile: ZIP },
        }),
      );
    }
    functionUrl =
      (await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "paced", AuthType: "AWS_IAM", InvokeMode: "RESPONSE_STREAM" })))
        .FunctionUrl ?? "";
    const oac = await cloudfront.send(
      new CreateOriginAccessControlCommand({
        OriginAccessControlConfig: {
          Name: "oac",
          SigningProtocol: "sigv4",
          SigningBehavior: "always",
          OriginAccessControlOriginType: "lambda",
        },
      }),
    );
    oacId = oac.OriginAccessControl?.Id ?? "";
  });
  afterAll(async () => {
    await aws?.close();
    fs.rmSync(state, { recursive: true, force: true });
  });

  /** The stack's distribution in front of `url`, as PUBLIC_ACCESS=cloudfront makes it. */
  function config(url: string, enabled: boolean): DistributionConfig {
    return {
      CallerReference: `ref-${url}`,
      Comment: "edge test",
      Enabled: enabled,
      Origins: {
        Quantity: 1,
        Items: [
          {
            Id: "function-url",
            // element(split("/", function_url), 2): the URL's host.
            DomainName: url.split("/")[2],
            OriginAccessControlId: oacId,
            CustomOriginConfig: {
              HTTPPort: 80,
              HTTPSPort: 443,
              OriginProtocolPolicy: "https-only",
              OriginSslProtocols: { Quantity: 1, Items: ["TLSv1.2"] },
            },
          },
        ],
      },
      DefaultCacheBehavior: { TargetOriginId: "function-url", ViewerProtocolPolicy: "redirect-to-https" },
    };
  }

  async function createDistribution(url: string): Promise<{ id: string; publicUrl: string }> {
    const created = await cloudfront.send(new CreateDistributionCommand({ DistributionConfig: config(url, true) }));
    return { id: created.Distribution?.Id ?? "", publicUrl: `https://${created.Distribution?.DomainName}/` };
  }

  test("the start lines name the certificate authority to trust", () => {
    expect(log.matching(/CloudFront distributions answer over TLS/)).toEqual([
      `CloudFront distributions answer over TLS with a certificate from ${caFile}: curl --cacert ${caFile} (or -k); Node: NODE_EXTRA_CA_CERTS=${caFile}`,
    ]);
  });

  test("an unsigned viewer streams progressively through the distribution; the URL itself still refuses it", async () => {
    const { publicUrl } = await createDistribution(functionUrl);
    expect(publicUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await send(`${publicUrl}?count=4&ms=150`, { ca });
    expect(res.status).toBe(201);
    expect(res.body.toString()).toBe("chunk-0\nchunk-1\nchunk-2\nchunk-3\n");
    expect(res).toArriveProgressively(4, 150);
    expect(res.headers["x-cache"]).toBe("Miss from cloudfront");
    expect((await send(`${functionUrl}?count=1`)).status).toBe(403);
    // As curl -k: the certificate is not checked, the answer is the same.
    expect((await send(`${publicUrl}?count=1`, { insecure: true })).body.toString()).toBe("chunk-0\n");
  });

  test("a POST through the distribution needs x-amz-content-sha256, as Lambda does", async () => {
    const lambda = new LambdaClient({ endpoint: aws.endpoint, region: "eu-west-1", credentials: LOCAL_AWS_CREDENTIALS, maxAttempts: 1 });
    const url = (
      await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "echo", AuthType: "AWS_IAM", InvokeMode: "RESPONSE_STREAM" }))
    ).FunctionUrl as string;
    const { publicUrl } = await createDistribution(url);
    const body = '{"hello":"edge"}';
    const hash = createHash("sha256").update(body).digest("hex");
    const ok = await send(publicUrl, {
      ca,
      method: "POST",
      body,
      headers: { "x-amz-content-sha256": hash, "content-type": "application/json" },
    });
    expect(ok.status).toBe(200);
    const event = JSON.parse(ok.body.toString());
    expect(event.body).toBe(body);
    expect(event.requestContext.http.method).toBe("POST");
    const refused = await send(publicUrl, { ca, method: "POST", body });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body.toString()).message).toMatch(/^The request signature we calculated does not match/);
  });

  testWhenAvailable("curl --cacert the named file reaches the distribution as printed", missingReason(requireCurl), async () => {
    const { publicUrl } = await createDistribution(functionUrl);
    const { stdout } = await promisify(execFile)("curl", ["-sS", "-N", "--max-time", "30", "--cacert", caFile, `${publicUrl}?count=2`]);
    expect(stdout).toBe("chunk-0\nchunk-1\n");
  });

  test("disabled, it refuses; a restart serves it at the same domain; deleted, it stops answering", async () => {
    const { id, publicUrl } = await createDistribution(functionUrl);
    let current = await cloudfront.send(new GetDistributionConfigCommand({ Id: id }));
    await cloudfront.send(new UpdateDistributionCommand({ Id: id, IfMatch: current.ETag, DistributionConfig: config(functionUrl, false) }));
    const disabled = await send(`${publicUrl}?count=1`, { ca });
    expect(disabled.status).toBe(403);
    expect(disabled.body.toString()).toContain("This distribution is disabled.");

    await aws.close();
    await start();
    expect((await send(`${publicUrl}?count=1`, { ca })).status).toBe(403);
    current = await cloudfront.send(new GetDistributionConfigCommand({ Id: id }));
    await cloudfront.send(new UpdateDistributionCommand({ Id: id, IfMatch: current.ETag, DistributionConfig: config(functionUrl, true) }));
    expect((await send(`${publicUrl}?count=1`, { ca })).body.toString()).toBe("chunk-0\n");

    current = await cloudfront.send(new GetDistributionConfigCommand({ Id: id }));
    const off = await cloudfront.send(
      new UpdateDistributionCommand({ Id: id, IfMatch: current.ETag, DistributionConfig: config(functionUrl, false) }),
    );
    await cloudfront.send(new DeleteDistributionCommand({ Id: id, IfMatch: off.ETag }));
    await expect(send(publicUrl, { ca })).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });
});
