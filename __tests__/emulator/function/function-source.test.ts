import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseCliOptions } from "../../../emulator/cli/cli-options";
import type { FunctionConfig } from "../../../emulator/common/function-config";
import { resolveFunction, watchPlan, withOverrides } from "../../../emulator/function/function-source";
import { readStack } from "../../../emulator/function/stack-reader";
import { bundleHandler } from "../../../lib/bundling";
import { readConfig } from "../../../lib/config";
import { FUNCTION_ENVIRONMENT, RUNTIME } from "../../../lib/lambda-runtime";
import { HANDLER_ENTRY } from "../../../lib/lambda-streaming-stack";
import { synthesizeStack } from "../../../lib/synthesize";

const FIXTURES = path.join(__dirname, "..", "..", "fixtures", "handlers");
const ENV_FILE = path.join(__dirname, "..", "..", "fixtures", "env-vars", "env.json");

describe("resolveFunction", () => {
  let outdir: string;
  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), "ls-source-"));
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test("--bundle: the folder's name, the stack's runtime and environment, and BUFFERED as AWS creates a URL", () => {
    const fn = resolveFunction(
      parseCliOptions(["--bundle", FIXTURES, "--handler", "handlers.paced"], {}),
      { AWS_REGION: "eu-west-2" },
      outdir,
    );
    expect(fn).toEqual({
      functionName: "handlers",
      region: "eu-west-2",
      handler: "handlers.paced",
      runtime: RUNTIME,
      memoryMb: 256,
      timeoutSeconds: 60,
      environment: FUNCTION_ENVIRONMENT,
      bundleDir: FIXTURES,
      invokeMode: "BUFFERED",
      authType: "AWS_IAM",
    });
  });

  test("--bundle of the project's own handler (handler/index.ts, or handler/): served as the stack serves it, flags still override", () => {
    const projectRoot = path.dirname(path.dirname(HANDLER_ENTRY));
    const env = { FUNCTION_NAME: "my-streamer", AWS_REGION: "eu-west-2", MEMORY_MB: "512" };
    const config = readConfig(env);
    for (const bundle of [HANDLER_ENTRY, path.dirname(HANDLER_ENTRY)]) {
      expect(resolveFunction(parseCliOptions(["--bundle", bundle], {}), env, projectRoot)).toMatchObject({
        functionName: config.functionName,
        region: config.region,
        memoryMb: config.memoryMb,
        timeoutSeconds: config.timeoutSeconds,
        invokeMode: "RESPONSE_STREAM",
        authType: config.functionUrlAuth,
        handler: "index.handler",
      });
    }
    expect(
      resolveFunction(parseCliOptions(["--bundle", HANDLER_ENTRY, "--invoke-mode", "BUFFERED"], {}), env, projectRoot).invokeMode,
    ).toBe("BUFFERED");
  });

  test("--stack: what the stack says, with every flag overriding it", () => {
    const stackDir = synthesizeStack(readConfig({ STACK_NAME: "source" }), outdir);
    const options = parseCliOptions(
      ["--stack", stackDir, "--invoke-mode", "BUFFERED", "--auth", "NONE", "--timeout", "7", "--memory", "1024", "--env-vars", ENV_FILE],
      {},
    );
    const fn = resolveFunction(options, {}, outdir);
    expect(fn).toMatchObject({ functionName: "source", invokeMode: "BUFFERED", authType: "NONE", timeoutSeconds: 7, memoryMb: 1024 });
    expect(fn.environment).toEqual({ ...FUNCTION_ENVIRONMENT, STAGE: "local", RETRIES: "3" });
  });

  test("a stack's bundle is served from its project's .build/, where the source map's paths reach the sources", () => {
    // GIVEN a project folder with a synthesized stack (cdktf copies the bundle deeper, into its assets)
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "ls-project-"));
    try {
      const stackDir = synthesizeStack(readConfig({}), path.join(project, "cdktf.out"));
      const asset = readStack(stackDir).bundleDir;
      expect(asset.startsWith(path.join(stackDir, "assets") + path.sep)).toBe(true);
      // WHEN it is served
      const fn = resolveFunction(parseCliOptions(["--stack", stackDir], {}), {}, project);
      // THEN from <project>/.build/handler-<hash>: the folder bundleHandler keeps, with the asset's bytes
      expect(fn.bundleDir).toBe(path.join(project, ".build", path.basename(bundleHandler(HANDLER_ENTRY))));
      for (const file of fs.readdirSync(asset)) {
        expect(fs.readFileSync(path.join(fn.bundleDir, file))).toEqual(fs.readFileSync(path.join(asset, file)));
      }
      // A stack folder that is not <project>/<outdir>/stacks/<name> is served as it is.
      const elsewhere = path.join(project, "copy");
      fs.cpSync(stackDir, elsewhere, { recursive: true });
      expect(resolveFunction(parseCliOptions(["--stack", elsewhere], {}), {}, project).bundleDir).toBe(readStack(elsewhere).bundleDir);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});

describe("--bundle with an entry file", () => {
  let project: string;
  beforeEach(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), "ls-entry-"));
    fs.cpSync(path.join(__dirname, "..", "..", "..", "handler"), path.join(project, "src"), { recursive: true });
  });
  afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

  test("is bundled as the stack's handler is, into the serving project's .build/, and served as index.EXPORT", () => {
    const entry = path.join(project, "src", "index.ts");
    const root = path.join(project, "server");
    fs.mkdirSync(root);
    const fn = resolveFunction(parseCliOptions(["--bundle", entry], {}), {}, root);
    expect(fn).toMatchObject({
      functionName: "index",
      handler: "index.handler",
      invokeMode: "BUFFERED",
      environment: FUNCTION_ENVIRONMENT,
    });
    expect(fn.bundleDir).toMatch(new RegExp(`^${root}/\\.build/handler-[0-9a-f]{16}$`));
    // The source map still reaches the entry from there.
    const map = JSON.parse(fs.readFileSync(path.join(fn.bundleDir, "index.js.map"), "utf8")) as { sources: string[] };
    expect(map.sources.map((source) => path.resolve(fn.bundleDir, source))).toContain(entry);
  });

  test("--watch watches the entry's folder and bundles it again", async () => {
    const entry = path.join(project, "src", "index.ts");
    const options = parseCliOptions(["--bundle", entry, "--watch"], {});
    const plan = watchPlan(options, {}, project);
    expect(plan.dirs).toEqual([path.join(project, "src")]);
    const before = resolveFunction(options, {}, project);
    fs.appendFileSync(entry, "\nexport const edited = true;\n");
    const rebuilt = await plan.rebuild([entry], before);
    expect(rebuilt.what).toBe("entry bundled again");
    expect(rebuilt.fn.bundleDir).not.toBe(before.bundleDir);
    expect(fs.readFileSync(path.join(rebuilt.fn.bundleDir, "index.js"), "utf8")).toContain("edited");
  });
});

describe("watchPlan", () => {
  const current = { functionName: "handlers", bundleDir: FIXTURES, environment: {} } as unknown as FunctionConfig;

  test("--bundle watches the folder and reloads it as it is", async () => {
    const options = parseCliOptions(["--bundle", FIXTURES, "--handler", "handlers.paced", "--watch"], {});
    const plan = watchPlan(options, {}, "/project");
    expect(plan.dirs).toEqual([FIXTURES]);
    expect(await plan.rebuild([path.join(FIXTURES, "handlers.mjs")], current)).toEqual({
      fn: withOverrides(current, options),
      what: "new environments load the folder again",
    });
  });

  test("the project: a handler edit is bundled again, in-process", async () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "ls-plan-"));
    try {
      fs.cpSync(path.join(__dirname, "..", "..", "..", "handler"), path.join(project, "handler"), { recursive: true });
      fs.mkdirSync(path.join(project, "lib"));
      const plan = watchPlan(parseCliOptions(["--watch"], {}), {}, project);
      expect(plan.dirs).toEqual([path.join(project, "handler"), path.join(project, "lib")]);
      const rebuilt = await plan.rebuild([path.join(project, "handler", "index.ts")], current);
      expect(rebuilt.what).toBe("handler bundled again");
      expect(rebuilt.fn.bundleDir).toMatch(new RegExp(`^${project}/\\.build/handler-[0-9a-f]{16}$`));
      expect(fs.existsSync(path.join(rebuilt.fn.bundleDir, "index.js"))).toBe(true);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });

  test("the project: a stack edit that does not synthesize is reported with synth's own words", async () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "ls-plan-"));
    try {
      fs.mkdirSync(path.join(project, "lib"));
      const plan = watchPlan(parseCliOptions(["--watch"], {}), {}, project);
      await expect(plan.rebuild([path.join(project, "lib", "config.ts")], current)).rejects.toThrow(
        /^synth failed: .*Cannot find module '\.\/lib\/config'/s,
      );
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
