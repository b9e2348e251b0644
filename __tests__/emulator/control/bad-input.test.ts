// Bad input to the local AWS, signed (so it reaches each service's own reader): a fuzz pass of
// malformed bodies per protocol, an oversized body, and another account's
// ARN. Each gets a 4xx in its service's error shape, never a 500 or a hang, and the endpoint
// keeps serving after every one.

import * as http from "node:http";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, GetFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { zipSync } from "fflate";
import { MAX_CONTROL_BODY_BYTES } from "../../../emulator/control/control-server";
import { signRequest } from "../../../tools/invoke/sign-request";
import { LOCAL_AWS_CREDENTIALS as CREDENTIALS, LAMBDA_ASSUME_ROLE_POLICY, useLocalAws } from "../../helpers/local-aws-clients";

/** Bodies no service should take, the same for every protocol. */
const JUNK = [
  "",
  "{",
  "}",
  "[]",
  "null",
  "<",
  "<a><b></a>",
  "\u0000\u0001\u0002",
  "Action=&&&=",
  "%zz",
  '{"a":'.repeat(50),
  "x".repeat(10_000),
];

/** One request per protocol: where it goes, how it is signed, and how its errors look. */
const PROTOCOLS = [
  {
    name: "Lambda (REST-JSON)",
    service: "lambda",
    method: "POST",
    path: "/2015-03-31/functions",
    headers: { "content-type": "application/json" },
    shape: /"Type":"User"/,
  },
  {
    name: "Lambda URL config",
    service: "lambda",
    method: "PUT",
    path: "/2021-10-31/functions/absent/url",
    headers: {},
    shape: /"Type":"User"/,
  },
  {
    name: "CloudWatch Logs (JSON 1.1)",
    service: "logs",
    method: "POST",
    path: "/",
    headers: { "x-amz-target": "Logs_20140328.CreateLogGroup", "content-type": "application/x-amz-json-1.1" },
    shape: /"__type":/,
  },
  {
    name: "IAM (query)",
    service: "iam",
    method: "POST",
    path: "/",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    shape: /<ErrorResponse/,
  },
  {
    name: "STS (query)",
    service: "sts",
    method: "POST",
    path: "/",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    shape: /<ErrorResponse/,
  },
  {
    name: "CloudFront (REST-XML)",
    service: "cloudfront",
    method: "POST",
    path: "/2020-05-31/distribution",
    headers: { "content-type": "text/xml" },
    shape: /<ErrorResponse/,
  },
] as const;

const local = useLocalAws();

async function signedFetch(protocol: (typeof PROTOCOLS)[number], body: string): Promise<{ status: number; text: string }> {
  const url = new URL(protocol.path, local.endpoint());
  const headers = await signRequest(url, CREDENTIALS, {
    region: "us-east-1",
    service: protocol.service,
    method: protocol.method,
    body,
    headers: protocol.headers,
  });
  const res = await fetch(url, { method: protocol.method, headers: { ...headers, ...protocol.headers }, body });
  return { status: res.status, text: await res.text() };
}

const stillServing = async (): Promise<void> => {
  const sts = new STSClient({ endpoint: local.endpoint(), region: "us-east-1", credentials: CREDENTIALS, maxAttempts: 1 });
  expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe("000000000000");
  sts.destroy();
};

test.each(PROTOCOLS)("$name: every malformed body is a 4xx in the service's shape, and the endpoint keeps serving", async (protocol) => {
  for (const body of JUNK) {
    const { status, text } = await signedFetch(protocol, body);
    expect({ body, status: status >= 400 && status < 500 }).toEqual({ body, status: true });
    expect(text).toMatch(protocol.shape);
  }
  await stillServing();
});

test("a body over the bound is refused with 413 before it is read, and the connection closed", async () => {
  const status = await new Promise<number>((resolve, reject) => {
    const req = http.request(new URL("/2015-03-31/functions", local.endpoint()), {
      method: "POST",
      headers: {
        "content-length": String(MAX_CONTROL_BODY_BYTES + 1),
        authorization:
          "AWS4-HMAC-SHA256 Credential=AKIALOCALBADINPUT000/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=00",
      },
    });
    req.once("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once("error", reject);
    req.write("x");
  });
  expect(status).toBe(413);
  await stillServing();
});

test("another account's function ARN is not found here, though a function of that name is: the local AWS is one account", async () => {
  const config = { endpoint: local.endpoint(), region: "us-east-1", credentials: CREDENTIALS, maxAttempts: 1 };
  const role = (
    await new IAMClient(config).send(
      new CreateRoleCommand({ RoleName: "one-account", AssumeRolePolicyDocument: LAMBDA_ASSUME_ROLE_POLICY }),
    )
  ).Role?.Arn;
  const lambda = new LambdaClient(config);
  const zip = zipSync({ "index.js": new TextEncoder().encode("exports.handler = async () => 1;") });
  await lambda.send(
    new CreateFunctionCommand({ FunctionName: "x", Role: role, Runtime: "nodejs22.x", Handler: "index.handler", Code: { ZipFile: zip } }),
  );
  const ours = await lambda.send(new GetFunctionCommand({ FunctionName: "arn:aws:lambda:us-east-1:000000000000:function:x" }));
  expect(ours.Configuration?.FunctionName).toBe("x");
  await expect(
    lambda.send(new GetFunctionCommand({ FunctionName: "arn:aws:lambda:us-east-1:123456789012:function:x" })),
  ).rejects.toMatchObject({
    name: "ResourceNotFoundException",
  });
  lambda.destroy();
});
