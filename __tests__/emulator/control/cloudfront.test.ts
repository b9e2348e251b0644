// CloudFront in the local AWS, through the AWS SDK's own client: the origin access control and a
// distribution as PUBLIC_ACCESS=cloudfront makes them, read back with what CloudFront always
// returns, changed only with the current ETag, deleted only once disabled; AWS's error types.
// (terraform's whole cloudfront-mode lifecycle runs in `npm run test:local-aws`: the aws provider
// waits 30 s and more for each distribution change, too long for npm test.)

import {
  CloudFrontClient,
  CreateDistributionCommand,
  CreateDistributionWithTagsCommand,
  CreateOriginAccessControlCommand,
  DeleteDistributionCommand,
  DeleteOriginAccessControlCommand,
  type DistributionConfig,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  GetOriginAccessControlCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateDistributionCommand,
  UpdateOriginAccessControlCommand,
} from "@aws-sdk/client-cloudfront";
import { signRequest } from "../../../tools/invoke/sign-request";
import { LOCAL_AWS_CREDENTIALS as CREDENTIALS, useLocalAws } from "../../helpers/local-aws-clients";

const local = useLocalAws();
let cloudfront: CloudFrontClient;
beforeAll(() => {
  cloudfront = local.client(CloudFrontClient);
});
afterAll(() => cloudfront.destroy());

function config(oacId: string, enabled: boolean): DistributionConfig {
  return {
    CallerReference: "ref-1",
    Comment: "the stack's",
    Enabled: enabled,
    Origins: {
      Quantity: 1,
      Items: [
        {
          Id: "function-url",
          DomainName: "abc.lambda-url.us-east-1.on.aws",
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
    DefaultCacheBehavior: {
      TargetOriginId: "function-url",
      ViewerProtocolPolicy: "redirect-to-https",
      CachePolicyId: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    },
  };
}

test("an origin access control and a distribution: made, read back, changed with the ETag, deleted once disabled", async () => {
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
  const oacId = oac.OriginAccessControl?.Id ?? "";
  expect(
    (await cloudfront.send(new GetOriginAccessControlCommand({ Id: oacId }))).OriginAccessControl?.OriginAccessControlConfig,
  ).toMatchObject({
    Name: "oac",
    OriginAccessControlOriginType: "lambda",
  });
  await expect(
    cloudfront.send(
      new CreateOriginAccessControlCommand({
        OriginAccessControlConfig: {
          Name: "oac",
          SigningProtocol: "sigv4",
          SigningBehavior: "always",
          OriginAccessControlOriginType: "lambda",
        },
      }),
    ),
  ).rejects.toMatchObject({ name: "OriginAccessControlAlreadyExists" });

  const created = await cloudfront.send(
    new CreateDistributionWithTagsCommand({
      DistributionConfigWithTags: { DistributionConfig: config(oacId, true), Tags: { Items: [{ Key: "stack", Value: "s" }] } },
    }),
  );
  const id = created.Distribution?.Id ?? "";
  const arn = created.Distribution?.ARN ?? "";
  // The same CallerReference again: the same distribution for the same configuration, else DistributionAlreadyExists.
  const again = await cloudfront.send(
    new CreateDistributionWithTagsCommand({
      DistributionConfigWithTags: { DistributionConfig: config(oacId, true), Tags: { Items: [{ Key: "stack", Value: "s" }] } },
    }),
  );
  expect(again.Distribution).toMatchObject({ Id: id, DomainName: created.Distribution?.DomainName });
  expect(again.ETag).toBe(created.ETag);
  await expect(
    cloudfront.send(new CreateDistributionCommand({ DistributionConfig: { ...config(oacId, true), Comment: "another" } })),
  ).rejects.toMatchObject({ name: "DistributionAlreadyExists", message: expect.stringContaining(`Already exists: ${id}`) });
  expect(arn).toBe(`arn:aws:cloudfront::000000000000:distribution/${id}`);
  const read = await cloudfront.send(new GetDistributionCommand({ Id: id }));
  // Its domain is where the local edge answers: a port of its own on the local AWS's host.
  expect(read.Distribution).toMatchObject({ Status: "Deployed", DomainName: created.Distribution?.DomainName });
  expect(read.Distribution?.DomainName).toMatch(/^127\.0\.0\.1:\d+$/);
  // What CloudFront always returns, though the request left it out.
  expect(read.Distribution?.DistributionConfig).toMatchObject({
    Enabled: true,
    Comment: "the stack's",
    OriginGroups: { Quantity: 0 },
    Aliases: { Quantity: 0 },
  });
  expect((await cloudfront.send(new ListTagsForResourceCommand({ Resource: arn }))).Tags?.Items).toEqual([{ Key: "stack", Value: "s" }]);
  await cloudfront.send(new TagResourceCommand({ Resource: arn, Tags: { Items: [{ Key: "stage", Value: "x" }] } }));
  await cloudfront.send(new UntagResourceCommand({ Resource: arn, TagKeys: { Items: ["stack"] } }));
  expect((await cloudfront.send(new ListTagsForResourceCommand({ Resource: arn }))).Tags?.Items).toEqual([{ Key: "stage", Value: "x" }]);

  // Changes need the current ETag; an enabled distribution or an origin access control in use is not deleted.
  await expect(cloudfront.send(new DeleteDistributionCommand({ Id: id, IfMatch: read.ETag }))).rejects.toMatchObject({
    name: "DistributionNotDisabled",
  });
  await expect(
    cloudfront.send(new UpdateDistributionCommand({ Id: id, IfMatch: "stale", DistributionConfig: config(oacId, false) })),
  ).rejects.toMatchObject({
    name: "PreconditionFailed",
  });
  const disabled = await cloudfront.send(
    new UpdateDistributionCommand({ Id: id, IfMatch: read.ETag, DistributionConfig: config(oacId, false) }),
  );
  expect(disabled.ETag).not.toBe(read.ETag);
  const current = await cloudfront.send(new GetDistributionConfigCommand({ Id: id }));
  expect(current.DistributionConfig?.Enabled).toBe(false);
  await expect(cloudfront.send(new DeleteOriginAccessControlCommand({ Id: oacId, IfMatch: oac.ETag }))).rejects.toMatchObject({
    name: "OriginAccessControlInUse",
  });
  await cloudfront.send(new DeleteDistributionCommand({ Id: id, IfMatch: current.ETag }));
  await expect(cloudfront.send(new GetDistributionCommand({ Id: id }))).rejects.toMatchObject({
    name: "NoSuchDistribution",
    $metadata: { httpStatusCode: 404 },
  });

  const renamed = await cloudfront.send(
    new UpdateOriginAccessControlCommand({
      Id: oacId,
      IfMatch: oac.ETag,
      OriginAccessControlConfig: {
        Name: "oac-2",
        SigningProtocol: "sigv4",
        SigningBehavior: "always",
        OriginAccessControlOriginType: "lambda",
      },
    }),
  );
  await expect(cloudfront.send(new DeleteOriginAccessControlCommand({ Id: oacId }))).rejects.toMatchObject({
    name: "InvalidIfMatchVersion",
  });
  await cloudfront.send(new DeleteOriginAccessControlCommand({ Id: oacId, IfMatch: renamed.ETag }));
  await expect(cloudfront.send(new GetOriginAccessControlCommand({ Id: oacId }))).rejects.toMatchObject({
    name: "NoSuchOriginAccessControl",
  });
});

test("malformed XML is MalformedXML, and the endpoint keeps serving", async () => {
  const url = new URL("/2020-05-31/origin-access-control", local.endpoint());
  const body = "<NotAConfig/>";
  const headers = await signRequest(url, CREDENTIALS, { region: "us-east-1", service: "cloudfront", method: "POST", body });
  const res = await fetch(url, { method: "POST", headers, body });
  expect(res.status).toBe(400);
  expect(await res.text()).toMatch(/<Code>MalformedXML<\/Code>/);
  await expect(cloudfront.send(new GetDistributionCommand({ Id: "E000000000000" }))).rejects.toMatchObject({ name: "NoSuchDistribution" });
});
