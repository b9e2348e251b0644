// Reliability of the local Function URL under load and faults, with the real runtime client.
// Every fault is followed by a request that must succeed.

import * as http from "node:http";
import { type LocalFunctionUrl, type LocalFunctionUrlOptions, startLocalFunctionUrl } from "../../emulator/cli/local-function-url";
import type { FunctionConfig } from "../../emulator/common/function-config";
import { locateRuntime } from "../../emulator/environment/runtime-command";
import { bundleHandler } from "../../lib/bundling";
import { HANDLER_ENTRY } from "../../lib/lambda-streaming-stack";
import { fixtureFunction } from "../helpers/function-config";
import { send } from "../helpers/http-client";
import { LogCollector } from "../helpers/log-collector";
import { childPids, openResources, rssMb } from "../helpers/process-resources";
import { describeWhenAvailable, missingReason, requireProcFs, testWhenAvailable } from "../helpers/requirements";

const CARS = Buffer.from(new Array(1024 * 1024).join("🚗"), "utf8");

function fn(overrides: Partial<FunctionConfig>): FunctionConfig {
  return fixtureFunction({ functionName: "reliability", handler: "faults.handler", timeoutSeconds: 2, ...overrides });
}

describeWhenAvailable("local Function URL reliability", missingReason(locateRuntime), () => {
  let local: LocalFunctionUrl | undefined;
  let log: LogCollector;
  const start = async (
    config: FunctionConfig,
    extra: Pick<LocalFunctionUrlOptions, "maxEnvironments" | "finishingGraceMs"> = {},
  ): Promise<string> => {
    log = new LogCollector();
    local = await startLocalFunctionUrl({ fn: config, port: 0, log: log.sink, ...extra });
    return local.url;
  };
  afterEach(async () => {
    await local?.close();
    local = undefined;
  });
  /**
   * The one runtime process started since `earlier` (this process's children then): not simply
   * the first child, which may be another suite's in this jest worker.
   */
  const runtimeSince = (earlier: readonly number[]): number => {
    const started = childPids().filter((pid) => !earlier.includes(pid));
    if (started.length !== 1) throw new Error(`expected one runtime process started, found ${started.length}`);
    return started[0];
  };
  /** Waits until `count` invocations have ended (REPORT), so every environment is settled. */
  const reports = (count: number): Promise<string[]> => log.waitFor(/^REPORT RequestId/, count);

  describe("load", () => {
    test("16 concurrent full 🚗 streams all complete, byte-exact", async () => {
      const url = await start(fn({ bundleDir: bundleHandler(HANDLER_ENTRY), handler: "index.handler", timeoutSeconds: 60 }));
      const results = await Promise.all(Array.from({ length: 16 }, () => send(url)));
      expect(results.map((r) => r.status)).toEqual(Array(16).fill(200));
      expect(results.every((r) => r.body.equals(CARS))).toBe(true);
    }, 60_000);

    // Open sockets are counted in /proc; the rest of this suite reads processes through ps elsewhere.
    testWhenAvailable(
      "200 sequential requests leave no extra processes, sockets or memory behind",
      missingReason(requireProcFs),
      async () => {
        // Each request waits for the environment the one before it used, however long its runtime
        // takes to ask for the next event on a loaded machine: one environment throughout.
        const earlier = childPids();
        const url = await start(fn({}), { finishingGraceMs: 60_000 });
        for (let i = 0; i < 20; i += 1) await send(url);
        await reports(20);
        const before = openResources();
        const runtimePid = runtimeSince(earlier);
        const runtimeBefore = rssMb(runtimePid);
        for (let i = 0; i < 200; i += 1) {
          const res = await send(url);
          if (res.status !== 200) throw new Error(`request ${i} got ${res.status}`);
        }
        await reports(220);
        const after = openResources();
        // No more than before (fewer is fine: an earlier suite's may have ended meanwhile).
        expect(after.children).toBeLessThanOrEqual(before.children);
        expect(local?.pool.stats()).toEqual({ environments: 1, idle: 1, inFlight: 0, waiting: 0, starting: 0 });
        expect(after.sockets).toBeLessThanOrEqual(before.sockets + 2);
        expect(rssMb(runtimePid) - runtimeBefore).toBeLessThan(16);
      },
      60_000,
    );

    test("a burst above the cap queues up to the reserved concurrency and throttles the rest; nothing hangs", async () => {
      const url = await start(fn({ handler: "handlers.paced", reservedConcurrency: 4 }), { maxEnvironments: 2 });
      // Long enough that all eight arrive while the first four still run, on a loaded machine too.
      const results = await Promise.all(Array.from({ length: 8 }, () => send(`${url}?count=3&ms=750`)));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 201, 201, 201, 429, 429, 429, 429]);
      await reports(4);
      expect(local?.pool.stats()).toMatchObject({ environments: 2, idle: 2, inFlight: 0, waiting: 0 });
      expect((await send(`${url}?count=1`)).status).toBe(201);
    }, 30_000);
  });

  describe("faults, each followed by a request that succeeds", () => {
    const ok = async (url: string): Promise<void> => {
      const res = await send(url);
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe("ok");
    };

    test.each([
      ["before", "throws before its first write", 502, "Internal Server Error"],
      ["after", "throws after some writes", 200, "partial "],
    ])("fault=%s: the handler %s", async (fault, _what, status, body) => {
      const url = await start(fn({}));
      const res = await send(`${url}?fault=${fault}`);
      expect(res.status).toBe(status);
      expect(res.body.toString()).toBe(body);
      expect(res.truncated).toBe(fault === "after");
      await ok(url);
    });

    test("the handler never ends its stream: the timeout ends it, and a fresh environment serves next", async () => {
      const url = await start(fn({}));
      const res = await send(`${url}?fault=never`);
      expect(res.body.toString()).toBe("forever ");
      expect(res.truncated).toBe(true);
      expect(log.matching(/^\S+ \S+ Task timed out after 2\.00 seconds$/)).toHaveLength(1);
      await ok(url);
      await log.waitFor(/^REPORT.*Init Duration/, 2);
    });

    test.each(["exit", "uncaught"])(
      "the process dies mid-invocation (%s): the stream is cut short, and the environment is replaced",
      async (how) => {
        const url = await start(fn({}));
        // The handler writes its pid and waits; once its bytes are here, it is told to die.
        const res = await new Promise<{ status: number; body: string; truncated: boolean }>((resolve, reject) => {
          const req = http.get(`${url}?fault=dies&how=${how}`, { agent: false }, (answer) => {
            let body = "";
            answer.once("data", (first: Buffer) => process.kill(Number(/^dying (\d+) $/.exec(first.toString())?.[1]), "SIGUSR2"));
            answer.on("data", (chunk: Buffer) => {
              body += chunk.toString();
            });
            answer.once("end", () => resolve({ status: answer.statusCode ?? 0, body, truncated: false }));
            answer.once("aborted", () => resolve({ status: answer.statusCode ?? 0, body, truncated: true }));
            answer.once("error", () => resolve({ status: answer.statusCode ?? 0, body, truncated: true }));
          });
          req.once("error", reject);
        });
        expect(res.status).toBe(200);
        expect(res.body).toMatch(/^dying \d+ $/);
        expect(res.truncated).toBe(true);
        await log.waitFor(/^REPORT.*Status: error\tError Type: Runtime\.ExitError/);
        await ok(url);
        await log.waitFor(/^REPORT.*Init Duration/, 2);
        expect(local?.pool.stats().environments).toBe(1);
      },
    );

    test("the client leaves before the first byte: the invocation still runs to its end", async () => {
      const url = await start(fn({ timeoutSeconds: 30 }));
      const req = http.get(`${url}?fault=late-flood`, { agent: false });
      req.on("error", () => undefined);
      // The handler waits 300 ms before its first byte; leave as soon as it has started.
      const [startLine] = await log.waitFor(/^START RequestId/);
      req.destroy();
      const requestId = startLine.split(" ")[2];
      const [report] = await log.waitFor(new RegExp(`^REPORT RequestId: ${requestId}`));
      // It ran to its end: 64 MiB were written (and dropped) with nobody reading.
      expect(report).not.toContain("Status:");
      expect(log.matching(new RegExp(`RequestId: ${requestId} \\(cut short\\)$`))).toHaveLength(1);
      await ok(url);
    }, 30_000);

    test("the client disconnects mid-stream: the invocation runs on to its end, and nothing is held for the client", async () => {
      const earlier = childPids();
      const url = await start(fn({ timeoutSeconds: 30 }));
      const requestId = await new Promise<string>((resolve, reject) => {
        const req = http.get(`${url}?fault=flood`, { agent: false }, (res) => {
          res.once("data", () => {
            res.destroy();
            resolve(String(res.headers["x-amzn-requestid"]));
          });
        });
        req.on("error", reject);
      });
      const runtimePid = runtimeSince(earlier);
      // The handler writes 64 MiB after the client left; it finishes only if the server drains it.
      const [report] = await log.waitFor(new RegExp(`^REPORT RequestId: ${requestId}`));
      expect(report).not.toContain("Status:");
      expect(log.matching(new RegExp(`RequestId: ${requestId} \\(cut short\\)$`))).toHaveLength(1);
      expect(rssMb(runtimePid)).toBeLessThan(128);
      await ok(url);
    }, 30_000);
  });
});
