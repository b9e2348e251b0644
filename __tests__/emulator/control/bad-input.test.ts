// Bad input to the local AWS, signed (so it reaches each service's own reader): a fuzz pass of
// malformed bodies per protocol, an oversized body, and another account's
// ARN. Each gets a 4xx in its service's error shape, never a 500 or a hang, and the endpoint
// keeps serving after every one.

import * as http from "node:http";
import { CreateRoleCommand, GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, GetFunctionCommand, LambdaClient, UpdateFunctionCodeCommand } from "@aws-sdk/client-lambda";
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
const ZIP = zipSync({ "index.js": new TextEncoder().encode("exports.handler = async () => 1;") });

async function signedFetch(protocol: (typeof PROTOCOLS)[number], body: string): Promise<{ status: number; text: string }> {
  const url = new URL(protocol.path, local.endpoint());
  const headers = await signRequest(url, CREDENTIALS, {
    region: "us-east-1",
    service: protocol.service,
    method: protocol.method,
    body,
    headers: protocol.headers,
  });
  const method: string = protocol.method;
  const res = await fetch(url, { method, headers: { ...headers, ...protocol.headers }, ...(method === "GET" ? {} : { body }) });
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
  const iam = new IAMClient(config);
  const role = (await iam.send(new CreateRoleCommand({ RoleName: "one-account", AssumeRolePolicyDocument: LAMBDA_ASSUME_ROLE_POLICY })))
    .Role?.Arn;
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
  iam.destroy();
});

describe("input that would have been a 500, or half a change", () => {
  const config = () => ({ endpoint: local.endpoint(), region: "us-east-1", credentials: CREDENTIALS, maxAttempts: 1 });
  let lambda: LambdaClient;
  let iam: IAMClient;
  let role: string;
  beforeAll(async () => {
    lambda = new LambdaClient(config());
    iam = new IAMClient(config());
    role =
      (await iam.send(new CreateRoleCommand({ RoleName: "halves", AssumeRolePolicyDocument: LAMBDA_ASSUME_ROLE_POLICY }))).Role?.Arn ?? "";
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "halves",
        Role: role,
        Runtime: "nodejs22.x",
        Handler: "index.handler",
        Code: { ZipFile: ZIP },
      }),
    );
  });
  afterAll(() => {
    lambda.destroy();
    iam.destroy();
  });

  test("a path escape that is not one is 404, not 500", async () => {
    const { status, text } = await signedFetch(
      { ...PROTOCOLS[0], method: "GET", path: "/2015-03-31/functions/%ZZ" } as unknown as (typeof PROTOCOLS)[number],
      "",
    );
    expect([status, text]).toEqual([404, expect.stringMatching(/ResourceNotFound|does not exist/)]);
  });

  test("a field of the wrong type is InvalidParameterValueException, not 500", async () => {
    const route = {
      ...PROTOCOLS[0],
      method: "PUT",
      path: "/2015-03-31/functions/halves/configuration",
    } as unknown as (typeof PROTOCOLS)[number];
    for (const input of [
      { Environment: null },
      { TracingConfig: null },
      { Layers: "x" },
      { Environment: { Variables: { A: 1 } } },
      { LoggingConfig: 7 },
    ]) {
      const { status, text } = await signedFetch(route, JSON.stringify(input));
      expect({ input, status, text }).toEqual({ input, status: 400, text: expect.stringMatching(/"Type":"User"/) });
    }
  });

  test("a refused request changes nothing: new code with a bad zip keeps the architecture; a bad session length keeps the description", async () => {
    await expect(
      lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "halves", Architectures: ["arm64"], ZipFile: new Uint8Array([1, 2, 3]) })),
    ).rejects.toMatchObject({ name: "InvalidParameterValueException" });
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: "halves" }))).Configuration?.Architectures).toEqual(["x86_64"]);
    const { status } = await signedFetch(
      { ...PROTOCOLS[3] } as unknown as (typeof PROTOCOLS)[number],
      "Action=UpdateRole&Version=2010-05-08&RoleName=halves&Description=CHANGED&MaxSessionDuration=abc",
    );
    expect(status).toBe(400);
    expect((await iam.send(new GetRoleCommand({ RoleName: "halves" }))).Role?.Description).toBeUndefined();
  });

  test("zips: a backslash in a name, and an entry that declares less than it holds, are refused", async () => {
    const create = (name: string, zip: Uint8Array) =>
      lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Role: role,
          Runtime: "nodejs22.x",
          Handler: "index.handler",
          Code: { ZipFile: zip },
        }),
      );
    await expect(create("backslash", zipSync({ "dir\\evil.js": new Uint8Array([1]) }))).rejects.toMatchObject({
      name: "InvalidParameterValueException",
    });
    // Stored (not compressed), 100 KB, its sizes in the local and central headers rewritten to 1.
    const lying = Buffer.from(zipSync({ "big.js": new Uint8Array(100_000) }, { level: 0 }));
    for (const [signature, offset] of [
      [0x04034b50, 22],
      [0x02014b50, 24],
    ] as const) {
      for (let i = 0; i < lying.length - 4; i++) if (lying.readUInt32LE(i) === signature) lying.writeUInt32LE(1, i + offset);
    }
    await expect(create("lying", lying)).rejects.toMatchObject({ name: "InvalidParameterValueException" });
  });
});
