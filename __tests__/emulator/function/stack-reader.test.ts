import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readStack, StackReadError } from "../../../emulator/function/stack-reader";
import { readConfig } from "../../../lib/config";
import { synthesizeStack } from "../../../lib/synthesize";

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

  test("knows a URL that a CloudFront distribution signs for (PUBLIC_ACCESS=cloudfront), and only that one", () => {
    const behind = readStack(synthesizeStack(readConfig({ STACK_NAME: "behind-cloudfront", PUBLIC_ACCESS: "cloudfront" }), outdir));
    expect(behind).toMatchObject({ authType: "AWS_IAM", publicAccess: "cloudfront", reservedConcurrency: 10 });
    expect(readStack(synthesizeStack(readConfig({ STACK_NAME: "private" }), outdir))).not.toHaveProperty("publicAccess");
    // An access control that does not always sign leaves callers to sign for themselves: plain AWS_IAM.
    const stackDir = synthesizeStack(readConfig({ STACK_NAME: "never-signs", PUBLIC_ACCESS: "cloudfront" }), outdir);
    const file = path.join(stackDir, "cdk.tf.json");
    const json = JSON.parse(fs.readFileSync(file, "utf8"));
    for (const oac of Object.values(json.resource.aws_cloudfront_origin_access_control) as Record<string, unknown>[]) {
      oac.signing_behavior = "never";
    }
    fs.writeFileSync(file, JSON.stringify(json));
    expect(readStack(stackDir)).not.toHaveProperty("publicAccess");
  });

  test("refuses a stack without a Function URL", () => {
    const dir = fs.mkdtempSync(path.join(outdir, "nourl-"));
    fs.writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify({ resource: { aws_lambda_function: { f: { function_name: "f" } } } }));
    expect(() => readStack(dir)).toThrow(/has no aws_lambda_function_url for f; there is no URL to serve/);
  });

  describe("fails closed on what it cannot serve faithfully", () => {
    type Json = Record<string, Record<string, Record<string, Record<string, unknown>>>>;
    /** A copy of a synthesized stack with `edit` applied to its JSON. */
    const editedStack = (
      name: string,
      edit: (json: Record<string, Record<string, Record<string, Record<string, unknown>>>>) => void,
    ): string => {
      const stackDir = synthesizeStack(readConfig({ STACK_NAME: name }), outdir);
      const file = path.join(stackDir, "cdk.tf.json");
      const json = JSON.parse(fs.readFileSync(file, "utf8"));
      edit(json);
      fs.writeFileSync(file, JSON.stringify(json));
      return stackDir;
    };
    const url = (json: Record<string, Record<string, Record<string, Record<string, unknown>>>>): Record<string, unknown> =>
      Object.values(json.resource.aws_lambda_function_url)[0];
    const lambda = (json: Record<string, Record<string, Record<string, Record<string, unknown>>>>): Record<string, unknown> =>
      Object.values(json.resource.aws_lambda_function)[0];

    test.each(["aws_iam", "PUBLIC", undefined])("refuses authorization_type %p rather than serve it unauthenticated", (value) => {
      const stackDir = editedStack("auth-type", (json) => {
        url(json).authorization_type = value;
      });
      expect(() => readStack(stackDir)).toThrow(
        new RegExp(
          `the function URL's authorization_type is ${value === undefined ? "undefined" : `"${value}"`}; the local Function URL serves only AWS_IAM or NONE`,
        ),
      );
    });

    test("refuses an unknown invoke_mode, and reads a missing one as BUFFERED (what AWS creates)", () => {
      expect(() =>
        readStack(
          editedStack("invoke-mode", (json) => {
            url(json).invoke_mode = "STREAMING";
          }),
        ),
      ).toThrow(/invoke_mode is "STREAMING"; the local Function URL serves only RESPONSE_STREAM or BUFFERED/);
      const missing = editedStack("invoke-mode-missing", (json) => {
        delete url(json).invoke_mode;
      });
      expect(readStack(missing).invokeMode).toBe("BUFFERED");
    });

    test.each([
      [
        "no function",
        (json: Json) => delete json.resource.aws_lambda_function,
        /has 0 aws_lambda_function resources; the local Function URL serves a stack with exactly one/,
      ],
      [
        "two functions",
        (json: Json) => {
          const [id, fn] = Object.entries(json.resource.aws_lambda_function)[0];
          json.resource.aws_lambda_function[`${id}-copy`] = fn;
        },
        /has 2 aws_lambda_function resources/,
      ],
      [
        "a function not zipped from a folder",
        (json: Json) => (lambda(json).filename = "function.zip"),
        /the function's filename "function\.zip" is not an archive_file of a source_dir.*--bundle DIR --handler FILE\.EXPORT/,
      ],
      [
        "a bundle folder that is gone",
        (json: Json) => {
          const archive = Object.values(json.data.archive_file)[0];
          archive.source_dir = "assets/gone";
        },
        /The bundle folder .*assets\/gone named by .* does not exist; synthesize the stack again/,
      ],
    ])("names what is wrong with a stack that has %s", (name, edit, message) => {
      const stackDir = editedStack(`broken-${name.replace(/\W+/g, "-")}`, edit);
      expect(() => readStack(stackDir)).toThrow(StackReadError);
      expect(() => readStack(stackDir)).toThrow(message);
    });

    test.each([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not a JavaScript template
      ["memory_size", "${var.memory}", /memory_size is "\$\{var\.memory\}"; the local Function URL needs a whole number from 128 to 10240/],
      ["timeout", 0, /timeout is 0; the local Function URL needs a whole number from 1 to 900/],
    ])("refuses a %s it cannot enforce (%p)", (attribute, value, message) => {
      const stackDir = editedStack(`numbers-${attribute}`, (json: Json) => {
        lambda(json)[attribute] = value;
      });
      expect(() => readStack(stackDir)).toThrow(message);
    });

    test("names a cdk.tf.json that is not JSON", () => {
      const stackDir = editedStack("not-json", () => undefined);
      fs.writeFileSync(path.join(stackDir, "cdk.tf.json"), "{ truncated");
      expect(() => readStack(stackDir)).toThrow(/cdk\.tf\.json is not valid JSON \(.*\); synthesize the stack again/);
    });

    test("refuses a reserved environment variable, naming it, as Lambda refuses it at deploy time", () => {
      const stackDir = editedStack("reserved", (json) => {
        lambda(json).environment = { variables: { AWS_LAMBDA_RUNTIME_API: "10.0.0.1:80" } };
      });
      expect(() => readStack(stackDir)).toThrow(StackReadError);
      expect(() => readStack(stackDir)).toThrow(/the function's environment sets AWS_LAMBDA_RUNTIME_API, which Lambda reserves/);
    });
  });
});
