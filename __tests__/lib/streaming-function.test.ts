import "cdktf/lib/testing/adapters/jest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ArchiveProvider } from "@cdktf/provider-archive/lib/provider";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { HANDLER_ENTRY } from "../../lib/lambda-streaming-stack";
import { StreamingFunction } from "../../lib/streaming-function";

/** Every file under `dir`, by relative path, with its bytes. */
function readTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const full = path.join(entry.parentPath, entry.name);
      files[path.relative(dir, full)] = fs.readFileSync(full).toString("base64");
    }
  }
  return files;
}

/** Copies handler/ into a fresh project folder, synthesizes a stack from it, returns the stack folder. */
function synthFromCopy(prefix: string, roots: string[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  roots.push(root);
  fs.cpSync(path.dirname(HANDLER_ENTRY), path.join(root, "handler"), { recursive: true });
  const stack = new TerraformStack(Testing.app(), "cars");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  new ArchiveProvider(stack, "archive");
  new StreamingFunction(stack, "streaming", { functionName: "cars", entry: path.join(root, "handler", "index.ts") });
  const outdir = Testing.fullSynth(stack);
  roots.push(outdir);
  return path.join(outdir, "stacks", "cars");
}

describe("StreamingFunction", () => {
  const roots: string[] = [];
  afterAll(() => {
    for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
  });

  test("synthesizes identical JSON and identical asset bytes from two different folders", () => {
    // GIVEN two clones of the handler at different paths
    // WHEN each is synthesized
    const a = readTree(synthFromCopy("ls-clone-a-", roots));
    const b = readTree(synthFromCopy("ls-clone-number-two-", roots));
    // THEN
    expect(Object.keys(a).sort()).toEqual(
      expect.arrayContaining(["cdk.tf.json", expect.stringMatching(/^assets\/streaming_bundle_[0-9A-F]+\/[0-9A-F]{32}\/index\.js$/)]),
    );
    expect(a).toEqual(b);
  });

  test("defaults to AWS_IAM, 256 MB, 60 s, arm64 and 14 days' retention", () => {
    const stack = new TerraformStack(Testing.app(), "cars");
    new StreamingFunction(stack, "streaming", { functionName: "cars", entry: HANDLER_ENTRY });
    const synthesized = Testing.synth(stack);
    const json = JSON.parse(synthesized);
    const fn = Object.values(json.resource.aws_lambda_function)[0] as Record<string, unknown>;
    expect(fn).toMatchObject({ memory_size: 256, timeout: 60, architectures: ["arm64"] });
    expect(Object.values(json.resource.aws_lambda_function_url)[0]).toMatchObject({ authorization_type: "AWS_IAM" });
    expect(Object.values(json.resource.aws_cloudwatch_log_group)[0]).toMatchObject({ retention_in_days: 14 });
  });
});
