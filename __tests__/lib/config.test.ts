import { ConfigError, readConfig } from "../../lib/config";

describe("readConfig", () => {
  test("fills every default from an empty environment", () => {
    expect(readConfig({})).toEqual({
      stackName: "lambda-streaming",
      region: "us-east-1",
      functionName: "lambda-streaming",
      functionUrlAuth: "AWS_IAM",
      memoryMb: 256,
      timeoutSeconds: 60,
      architecture: "arm64",
      logRetentionDays: 14,
      reservedConcurrency: undefined,
      corsAllowOrigins: [],
      stateBucket: undefined,
    });
  });

  test("reads every variable", () => {
    expect(
      readConfig({
        STACK_NAME: "demo",
        AWS_REGION: "eu-west-1",
        FUNCTION_NAME: "cars_demo",
        FUNCTION_URL_AUTH: "NONE",
        MEMORY_MB: "1024",
        TIMEOUT_S: "900",
        ARCHITECTURE: "x86_64",
        LOG_RETENTION_DAYS: "0",
        RESERVED_CONCURRENCY: "3",
        FUNCTION_URL_CORS_ORIGINS: "https://example.com, http://localhost:5173",
        TF_STATE_BUCKET: "my-state.bucket",
      }),
    ).toEqual({
      stackName: "demo",
      region: "eu-west-1",
      functionName: "cars_demo",
      functionUrlAuth: "NONE",
      memoryMb: 1024,
      timeoutSeconds: 900,
      architecture: "x86_64",
      logRetentionDays: 0,
      reservedConcurrency: 3,
      corsAllowOrigins: ["https://example.com", "http://localhost:5173"],
      stateBucket: "my-state.bucket",
    });
  });

  test("caps a public URL's concurrency at 10 unless told otherwise", () => {
    expect(readConfig({ FUNCTION_URL_AUTH: "NONE" }).reservedConcurrency).toBe(10);
    expect(readConfig({ FUNCTION_URL_AUTH: "AWS_IAM" }).reservedConcurrency).toBeUndefined();
  });

  test("PUBLIC_ACCESS=cloudfront: a distribution in front of the AWS_IAM URL, the cheapest price class unless told, and the public cap", () => {
    expect(readConfig({ PUBLIC_ACCESS: "cloudfront" })).toMatchObject({
      functionUrlAuth: "AWS_IAM",
      cloudFront: { priceClass: "PriceClass_100" },
      reservedConcurrency: 10,
    });
    expect(
      readConfig({ PUBLIC_ACCESS: "cloudfront", FUNCTION_URL_AUTH: "AWS_IAM", CLOUDFRONT_PRICE_CLASS: "PriceClass_All" }).cloudFront,
    ).toEqual({ priceClass: "PriceClass_All" });
    expect(readConfig({ PUBLIC_ACCESS: "cloudfront", RESERVED_CONCURRENCY: "50" }).reservedConcurrency).toBe(50);
  });

  test("no distribution without PUBLIC_ACCESS, whatever the price class", () => {
    expect(readConfig({}).cloudFront).toBeUndefined();
    expect(readConfig({ PUBLIC_ACCESS: "", CLOUDFRONT_PRICE_CLASS: "PriceClass_200" }).cloudFront).toBeUndefined();
  });

  test("FUNCTION_URL_AUTH=NONE with PUBLIC_ACCESS=cloudfront is one line that says how to fix it", () => {
    let error: unknown;
    try {
      readConfig({ FUNCTION_URL_AUTH: "NONE", PUBLIC_ACCESS: "cloudfront" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'PUBLIC_ACCESS=cloudfront needs FUNCTION_URL_AUTH=AWS_IAM (got "NONE"): CloudFront signs its requests to the URL; unset FUNCTION_URL_AUTH, or unset PUBLIC_ACCESS for a public URL without CloudFront',
    ]);
  });

  test("treats an empty variable as unset", () => {
    expect(readConfig({ FUNCTION_URL_AUTH: "", MEMORY_MB: "  " })).toMatchObject({ functionUrlAuth: "AWS_IAM", memoryMb: 256 });
  });

  test.each([
    ["FUNCTION_URL_AUTH", "PUBLIC", 'FUNCTION_URL_AUTH must be AWS_IAM or NONE (got "PUBLIC")'],
    ["FUNCTION_URL_AUTH", "aws_iam", 'FUNCTION_URL_AUTH must be AWS_IAM or NONE (got "aws_iam")'],
    ["STACK_NAME", "my stack", 'STACK_NAME must be 1 to 63 letters, digits, - or _, starting with a letter (got "my stack")'],
    ["AWS_REGION", "mars-1", 'AWS_REGION must be an AWS Region code such as us-east-1 (got "mars-1")'],
    ["FUNCTION_NAME", "a".repeat(65), `FUNCTION_NAME must be 1 to 64 letters, digits, - or _ (got "${"a".repeat(65)}")`],
    ["MEMORY_MB", "64", 'MEMORY_MB must be a whole number of MB from 128 to 10240 (got "64")'],
    ["MEMORY_MB", "256MB", 'MEMORY_MB must be a whole number of MB from 128 to 10240 (got "256MB")'],
    ["TIMEOUT_S", "901", 'TIMEOUT_S must be a whole number of seconds from 1 to 900 (got "901")'],
    ["TIMEOUT_S", "0", 'TIMEOUT_S must be a whole number of seconds from 1 to 900 (got "0")'],
    ["ARCHITECTURE", "arm", 'ARCHITECTURE must be arm64 or x86_64 (got "arm")'],
    [
      "LOG_RETENTION_DAYS",
      "10",
      'LOG_RETENTION_DAYS must be one of 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653; 0 means never expire (got "10")',
    ],
    [
      "RESERVED_CONCURRENCY",
      "0",
      'RESERVED_CONCURRENCY must be a whole number from 1 to 10000 (leave it unset for no reservation on a private URL) (got "0")',
    ],
    [
      "FUNCTION_URL_CORS_ORIGINS",
      "https://example.com/",
      expect.stringMatching(/^FUNCTION_URL_CORS_ORIGINS must be a comma-separated list of origins .* \(got "https:\/\/example.com\/"\)$/),
    ],
    ["FUNCTION_URL_CORS_ORIGINS", "example.com", expect.stringMatching(/^FUNCTION_URL_CORS_ORIGINS must be .*\(got "example.com"\)$/)],
    [
      "FUNCTION_URL_CORS_ORIGINS",
      "ftp://example.com",
      expect.stringMatching(/^FUNCTION_URL_CORS_ORIGINS must be .*\(got "ftp:\/\/example.com"\)$/),
    ],
    [
      "PUBLIC_ACCESS",
      "CloudFront",
      'PUBLIC_ACCESS must be "cloudfront" (CloudFront in front of the AWS_IAM URL), or unset (got "CloudFront")',
    ],
    ["PUBLIC_ACCESS", "NONE", 'PUBLIC_ACCESS must be "cloudfront" (CloudFront in front of the AWS_IAM URL), or unset (got "NONE")'],
    ["CLOUDFRONT_PRICE_CLASS", "100", 'CLOUDFRONT_PRICE_CLASS must be one of PriceClass_100, PriceClass_200, PriceClass_All (got "100")'],
    [
      "TF_STATE_BUCKET",
      "My_Bucket",
      'TF_STATE_BUCKET must be an S3 bucket name: 3 to 63 lower-case letters, digits, . or - (got "My_Bucket")',
    ],
    [
      "LAMBDA_STREAMING_LOCAL_AWS",
      "https://lambda.us-east-1.amazonaws.com",
      'LAMBDA_STREAMING_LOCAL_AWS must be the local AWS\'s endpoint, http://HOST:PORT such as http://127.0.0.1:4566, or unset (npm run deploy -- --local sets it; unset it to deploy to AWS) (got "https://lambda.us-east-1.amazonaws.com")',
    ],
  ])("rejects %s=%j with one line naming the variable, the value and what is allowed", (name, value, message) => {
    let error: unknown;
    try {
      readConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).name).toBe("ConfigError");
    expect((error as ConfigError).problems).toEqual([message]);
    expect((error as ConfigError).message).not.toContain("\n");
  });

  test("LAMBDA_STREAMING_LOCAL_AWS (the local AWS's endpoint) marks a deploy into the local AWS; unset, the stack is AWS's", () => {
    expect(readConfig({ LAMBDA_STREAMING_LOCAL_AWS: "http://127.0.0.1:4566" }).localAws).toEqual({ endpoint: "http://127.0.0.1:4566" });
    // A local AWS bound to another address of this machine (--host) is one too.
    expect(readConfig({ LAMBDA_STREAMING_LOCAL_AWS: "http://0.0.0.0:4566" }).localAws).toEqual({ endpoint: "http://0.0.0.0:4566" });
    expect(readConfig({}).localAws).toBeUndefined();
  });

  test("reports every bad variable at once, one line each", () => {
    expect(() => readConfig({ MEMORY_MB: "1", ARCHITECTURE: "mips" })).toThrow(
      'MEMORY_MB must be a whole number of MB from 128 to 10240 (got "1")\nARCHITECTURE must be arm64 or x86_64 (got "mips")',
    );
  });
});
