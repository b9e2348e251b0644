import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { StackReadError } from "../../emulator/errors";
import { readStack } from "../../emulator/stack-reader";
import { readConfig } from "../../lib/config";
import { synthesizeStack } from "../../lib/synthesize";

describe("readStack", () => {
  let outdir: string;
  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), "ls-reader-"));
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test("reads what Terraform would deploy from the synthesized JSON", () => {
    const stackDir = synthesizeStack(
      readConfig({
        STACK_NAME: "reader",
        FUNCTION_URL_AUTH: "NONE",
        MEMORY_MB: "512",
        TIMEOUT_S: "30",
        AWS_REGION: "eu-west-1",
        FUNCTION_URL_CORS_ORIGINS: "https://a.example",
      }),
      outdir,
    );
    const fn = readStack(stackDir);
    expect(fn).toEqual({
      functionName: "reader",
      region: "eu-west-1",
      handler: "index.handler",
      runtime: "nodejs22.x",
      memoryMb: 512,
      timeoutSeconds: 30,
      environment: { NODE_OPTIONS: "--enable-source-maps" },
      reservedConcurrency: 10,
      bundleDir: expect.stringContaining(path.join(stackDir, "assets")),
      invokeMode: "RESPONSE_STREAM",
      authType: "NONE",
      cors: {
        allowOrigins: ["https://a.example"],
        allowMethods: ["GET"],
        allowHeaders: [],
        exposeHeaders: [],
        allowCredentials: false,
        maxAge: 3600,
      },
    });
    expect(fs.readdirSync(fn.bundleDir)).toContain("index.js");
  });

  test("names a folder without a synthesized stack, and the fix: the stack inside cdktf's output folder", () => {
    expect(() => readStack(outdir)).toThrow(
      new StackReadError(
        `No synthesized stack at ${outdir} (no cdk.tf.json). Pass --stack ${path.join(outdir, "stacks", "reader")}, or run \`npm run synth\`.`,
      ),
    );
    expect(() => readStack(path.join(outdir, "stacks"))).toThrow(
      new StackReadError(
        `No synthesized stack at ${path.join(outdir, "stacks")} (no cdk.tf.json). Pass --stack cdktf.out/stacks/<name>, or run \`npm run synth\`.`,
      ),
    );
  });

  test("refuses a stack without a Function URL", () => {
    const dir = fs.mkdtempSync(path.join(outdir, "nourl-"));
    fs.writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify({ resource: { aws_lambda_function: { f: { function_name: "f" } } } }));
    expect(() => readStack(dir)).toThrow(/has no aws_lambda_function_url for f; there is no URL to serve/);
  });
});
