// A thrown error's stack trace, as the runtime logs it, names the real TypeScript file, line and
// function: the bundle's source map points at the sources from where the bundle is served, and
// the names are not minified away (it read `at Runtime.w (…/.build/handler/index.ts:18:9)`).

import * as path from "node:path";
import { locateRuntime } from "../../emulator/environment/runtime-command";
import { bundleAndStart, type TestFunctionUrl } from "../../emulator/testing";
import { describeWhenAvailable, missingReason } from "../helpers/requirements";

const ENTRY = path.join(__dirname, "..", "fixtures", "throws", "index.ts");

describeWhenAvailable("a stack trace from the bundle, locally", missingReason(locateRuntime), () => {
  let fn: TestFunctionUrl;
  beforeAll(async () => {
    fn = await bundleAndStart(ENTRY);
  });
  afterAll(() => fn.close());

  test("names the function that threw and the .ts file, line and column it threw at", async () => {
    const res = await fetch(fn.url);
    expect(res.status).toBe(502);
    await res.arrayBuffer();
    const error = await fn.waitForLog(/\tERROR\tInvoke Error\t/);
    const trace = (JSON.parse(error.slice(error.indexOf("{"))) as { trace: string[] }).trace;
    expect(trace.slice(0, 3)).toEqual([
      "Error: thrown on purpose",
      `    at refuseOnPurpose (${ENTRY}:7:9)`,
      `    at Runtime.handler (${ENTRY}:11:3)`,
    ]);
  });
});
