// The README's "Call it from code" example is examples/stream-from-code.mjs, verbatim, and works as
// the README says: run with `node`, pointed at a local Lambda API by AWS_ENDPOINT_URL_LAMBDA (the
// SDK's own variable) and signed with its key pair, it prints the stack's function as it streams.

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type LocalFunctionUrl, startLocalFunctionUrl } from "../../emulator/cli/local-function-url";
import { locateRuntime } from "../../emulator/environment/runtime-command";
import { bundleHandler } from "../../lib/bundling";
import { DEFAULTS } from "../../lib/config";
import { HANDLER_ENTRY } from "../../lib/lambda-streaming-stack";
import { fixtureFunction } from "../helpers/function-config";
import { LogCollector } from "../helpers/log-collector";
import { describeWhenAvailable, missingReason } from "../helpers/requirements";

const ROOT = path.join(__dirname, "..", "..");
const EXAMPLE = "examples/stream-from-code.mjs";
const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const SECTION = README.slice(README.indexOf("\n## Call it from code\n"), README.indexOf("\n## Configuration\n"));

test("the README's SDK example is examples/stream-from-code.mjs, after its opening comment", () => {
  const block = /```js\n([\s\S]*?)```/.exec(SECTION)?.[1];
  const file = fs.readFileSync(path.join(ROOT, EXAMPLE), "utf8");
  expect(file.replace(/^(\/\/[^\n]*\n)+/, "")).toBe(block);
  // The names it calls are the stack's defaults, which the README's comments tie to its outputs.
  expect(block).toContain(`region: process.env.AWS_REGION ?? "${DEFAULTS.region}" }); // the stack's region output`);
  expect(block).toContain(`FunctionName: process.env.FUNCTION_NAME ?? "${DEFAULTS.stackName}", // the stack's function_name output`);
});

describeWhenAvailable("the README's SDK example, run against a local Lambda API", missingReason(locateRuntime), () => {
  let local: LocalFunctionUrl | undefined;
  const afterCleanup: Array<() => void> = [];
  afterEach(async () => {
    await local?.close();
    local = undefined;
    for (const clean of afterCleanup.splice(0)) clean();
  });

  test("node examples/stream-from-code.mjs with AWS_ENDPOINT_URL_LAMBDA: the prelude, 8 NULs, then 20 cars, 100 ms apart", async () => {
    const log = new LogCollector();
    const fn = fixtureFunction({
      functionName: DEFAULTS.stackName,
      region: DEFAULTS.region,
      handler: "index.handler",
      bundleDir: bundleHandler(HANDLER_ENTRY),
      authType: "AWS_IAM",
      timeoutSeconds: 10,
    });
    const pair = { accessKeyId: "AKIAREADMEEXAMPLE000", secretAccessKey: "readme-example-secret" };
    local = await startLocalFunctionUrl({ fn, port: 0, log: log.sink, credentials: pair });
    if (!local.apiUrl) throw new Error("the local server serves no Lambda API");
    // Nothing of this machine's AWS setup: the endpoint and the pair, as the README says to set them.
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "ls-sdk-example-"));
    afterCleanup.push(() => fs.rmSync(home, { recursive: true, force: true }));
    const child = spawn(process.execPath, [EXAMPLE], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_ENDPOINT_URL_LAMBDA: local.apiUrl,
        AWS_ACCESS_KEY_ID: pair.accessKeyId,
        AWS_SECRET_ACCESS_KEY: pair.secretAccessKey,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const arrivals: { at: number; bytes: Buffer }[] = [];
    let stderr = "";
    child.stdout.on("data", (bytes: Buffer) => arrivals.push({ at: performance.now(), bytes }));
    child.stderr.on("data", (bytes: Buffer) => {
      stderr += bytes.toString();
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      const deadline = setTimeout(() => {
        child.kill();
        reject(new Error(`the example did not finish within 20 s; stderr: ${stderr}`));
      }, 20_000);
      child.once("close", (exitCode) => {
        clearTimeout(deadline);
        resolve(exitCode);
      });
    });
    // Node.js 20 gets the SDK's notice that its releases from 2027 need Node.js 22: those lines only.
    const notice =
      /^\(node:\d+\) Warning: NodeVersionSupportWarning.*\n(?:(?!\(node:).*\n)*?\(Use `node --trace-warnings \.\.\.` to show where the warning was created\)\n/m;
    expect({ code, stderr: stderr.replace(notice, "") }).toEqual({ code: 0, stderr: "" });
    const out = Buffer.concat(arrivals.map((a) => a.bytes));
    const prelude = JSON.stringify({ statusCode: 200, headers: { "content-type": "text/plain; charset=utf-8" } });
    expect(out.toString("latin1")).toBe(
      Buffer.concat([Buffer.from(prelude), Buffer.alloc(8), Buffer.from("🚗".repeat(20))]).toString("latin1"),
    );
    // Printed as the function writes (19 pauses of 100 ms), not at the end.
    expect(arrivals.length).toBeGreaterThan(5);
    expect(arrivals[arrivals.length - 1].at - arrivals[0].at).toBeGreaterThan(1000);
    await log.waitFor(/^REPORT RequestId: /);
  });
});
