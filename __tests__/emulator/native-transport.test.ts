// The core end-to-end cases again, on aws-lambda-ric's compiled transport (rapid-client.node,
// LAMBDA_RUNTIME_TRANSPORT=native), where it was built. The whole local-URL suite runs on the
// default Node.js transport; this keeps the compiled one honest too. CI builds it (.ci/run).

import { type LocalFunctionUrl, startLocalFunctionUrl } from "../../emulator/cli/local-function-url";
import type { FunctionConfig } from "../../emulator/common/function-config";
import { locateRuntime } from "../../emulator/environment/runtime-command";
import { bundleHandler } from "../../lib/bundling";
import { HANDLER_ENTRY } from "../../lib/lambda-streaming-stack";
import { fixtureFunction } from "../helpers/function-config";
import { send } from "../helpers/http-client";
import { describeWhenAvailable, missingReason } from "../helpers/requirements";

const CARS = Buffer.from(new Array(1024 * 1024).join("🚗"), "utf8");
const NATIVE = { LAMBDA_RUNTIME_TRANSPORT: "native" };

function fixture(handler: string, overrides: Partial<FunctionConfig> = {}): FunctionConfig {
  return fixtureFunction({ functionName: "native", handler: `handlers.${handler}`, timeoutSeconds: 10, ...overrides });
}

describeWhenAvailable(
  "local Function URL on the compiled transport",
  missingReason(() => locateRuntime(NATIVE)),
  () => {
    let local: LocalFunctionUrl | undefined;
    let logs: string[];
    const start = async (fn: FunctionConfig): Promise<string> => {
      logs = [];
      const runtime = locateRuntime(NATIVE);
      expect(runtime.bootstrapArgs).toEqual(["native"]);
      // A request right after an answer waits for that environment, however long its runtime takes
      // to ask for the next event on a loaded machine (the warm-reuse test counts environments).
      local = await startLocalFunctionUrl({ fn, port: 0, log: (line) => logs.push(line), runtime, finishingGraceMs: 60_000 });
      return local.url;
    };
    afterEach(async () => {
      await local?.close();
      local = undefined;
    });

    test("streams the 🚗 body byte for byte, twice from one warm environment", async () => {
      const url = await start(fixture("x", { bundleDir: bundleHandler(HANDLER_ENTRY), handler: "index.handler" }));
      for (let i = 0; i < 2; i += 1) {
        const res = await send(url);
        expect(res.status).toBe(200);
        expect(res.body.equals(CARS)).toBe(true);
      }
      expect(local?.pool.stats().environments).toBe(1);
    });

    test("delivers paced cars one by one, the first long before the last", async () => {
      const url = await start(fixture("x", { bundleDir: bundleHandler(HANDLER_ENTRY), handler: "index.handler" }));
      const res = await send(`${url}?chunk=1&count=10&delay=100`);
      expect(res.body.toString()).toBe("🚗".repeat(10));
      // Ten cars written 100 ms apart: the first read holds only some, and the rest take their time.
      expect(res).toArriveProgressively(10, 100);
    });

    test("502 for an error before the first byte; cut short, error logged, after bytes went out", async () => {
      const before = await start(fixture("failsBeforeFirstByte"));
      expect((await send(before)).status).toBe(502);
      await local?.close();
      const after = await start(fixture("failsAfterBytes"));
      const res = await send(after);
      expect(res.body.toString()).toBe("partial ");
      expect(res.truncated).toBe(true);
      expect(logs.some((line) => /ended early: RangeError: broken after some bytes/.test(line))).toBe(true);
    });

    test("BUFFERED: the result through done(), a thrown error through error()", async () => {
      const url = await start(fixture("buffered", { invokeMode: "BUFFERED" }));
      expect((await send(`${url}?kind=structured`)).status).toBe(418);
      expect((await send(`${url}?kind=throws`)).status).toBe(502);
      expect((await send(`${url}?kind=structured`)).status).toBe(418);
    });
  },
);
