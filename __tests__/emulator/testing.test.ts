// The README's "Test your own streaming handler" example, run exactly as printed there: the code
// between the two example markers must equal the README's code block (the last test checks), so
// the README cannot go stale.

import * as fs from "node:fs";
import { locateRuntime } from "../../emulator/environment/runtime-command";
import { startTestFunctionUrl } from "../../emulator/testing";
import { describeWhenAvailable, missingReason } from "../helpers/requirements";

/**
 * jest's describe for the example, or without the runtime client a loud skip (a failure under
 * CI=true), as for this project's other end-to-end suites.
 */
const describe = (name: string, body: () => void): void => describeWhenAvailable(name, missingReason(locateRuntime), body);

// README example: start
import * as path from "node:path";
import { bundleAndStart, type TestFunctionUrl } from "lambda-streaming/testing";

describe("the 🚗 handler, through AWS's runtime interface client", () => {
  let fn: TestFunctionUrl;
  beforeAll(async () => {
    fn = await bundleAndStart(path.resolve("handler", "index.ts")); // npm test runs at the project root
  });
  afterAll(() => fn.close());

  test("streams three cars, the first before the last is written, and logs as Lambda does", async () => {
    const res = await fetch(`${fn.url}?count=3&chunk=1&delay=200`);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    const [reads, decoder] = [[] as { at: number; text: string }[], new TextDecoder()];
    for await (const chunk of res.body ?? []) {
      reads.push({ at: performance.now(), text: decoder.decode(chunk, { stream: true }) });
    }
    expect(reads.map((read) => read.text).join("")).toBe("🚗🚗🚗");
    // A stream, however late the reads: the first holds only some cars, and the cars written
    // after it, 200 ms apart, take their time (timers fire late, never much early).
    const inFirst = [...reads[0].text].length;
    expect(inFirst).toBeLessThan(3);
    expect(reads[reads.length - 1].at - reads[0].at).toBeGreaterThanOrEqual((3 - inFirst - 1) * 200 * 0.9);
    const report = await fn.waitForLog(new RegExp(`^REPORT RequestId: ${res.headers.get("x-amzn-requestid")}\\b`));
    expect(report).toMatch(/Max Memory Used: \d+ MB/);
  });
});
// README example: end

test("the README's example is the code above, verbatim", () => {
  const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("\n## Test your own streaming handler\n"));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  const self = fs.readFileSync(__filename, "utf8");
  const example = self.slice(self.indexOf("// README example: start\n") + 25, self.indexOf("// README example: end"));
  expect(block).toBe(example);
  // One import path from any folder, not one that holds only two folders below the root.
  expect(block).not.toMatch(/from "\.{1,2}\//);
});

test("lambda-streaming/testing is one module for jest and tsc, wherever the test is", () => {
  const root = path.join(__dirname, "..", "..");
  const jestConfig = require(path.join(root, "jest.config.js")) as { moduleNameMapper: Record<string, string> };
  const tsconfig = JSON.parse(fs.readFileSync(path.join(root, "tsconfig.json"), "utf8")) as {
    compilerOptions: { paths: Record<string, string[]> };
  };
  const forJest = jestConfig.moduleNameMapper["^lambda-streaming/testing$"].replace("<rootDir>", root);
  const forTsc = path.join(root, tsconfig.compilerOptions.paths["lambda-streaming/testing"][0]);
  expect(forJest).toBe(forTsc);
  expect(require.resolve("lambda-streaming/testing")).toBe(forJest);
  expect(bundleAndStart).toBe(require("../../emulator/testing").bundleAndStart);
});

describe("startTestFunctionUrl with a handler folder and options", () => {
  const handlerDir = path.join(__dirname, "..", "fixtures", "handlers");
  let fn: TestFunctionUrl | undefined;
  afterEach(async () => {
    await fn?.close();
    fn = undefined;
  });

  test("applies the invoke mode: BUFFERED maps a structured result", async () => {
    fn = await startTestFunctionUrl({ handlerDir, handler: "handlers.buffered", invokeMode: "BUFFERED" });
    const res = await fetch(`${fn.url}?kind=structured`);
    expect([res.status, await res.text()]).toEqual([418, "I'm a teapot"]);
  });

  test("applies the timeout: a handler that never ends is stopped after it, and the log says so", async () => {
    fn = await startTestFunctionUrl({ handlerDir, handler: "handlers.neverEnds", timeoutSeconds: 1 });
    const res = await fetch(fn.url);
    await expect(res.text()).rejects.toThrow();
    expect(await fn.waitForLog(/Task timed out after 1\.00 seconds$/)).toMatch(/^\S+Z [0-9a-f-]{36} Task timed out/);
    expect(fn.logs.some((line) => line.startsWith("START RequestId:"))).toBe(true);
  });
});
