// The local Lambda when a function misbehaves or pushes a limit: each case runs a fixture handler
// in the real runtime interface client and checks that the server answers as Lambda does, keeps
// serving, and holds nothing afterwards.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type LocalFunctionUrl, type LocalFunctionUrlOptions, startLocalFunctionUrl } from "../../emulator/cli/local-function-url";
import type { FunctionConfig } from "../../emulator/common/function-config";
import { locateRuntime } from "../../emulator/environment/runtime-command";
import { EnvironmentPool } from "../../emulator/invocation/environment-pool";
import { fixtureFunction } from "../helpers/function-config";
import { send } from "../helpers/http-client";
import { LogCollector } from "../helpers/log-collector";
import { openResources, processEnded } from "../helpers/process-resources";
import { describeWhenAvailable, missingReason, requireListenableAddress, requireProcFs, testWhenAvailable } from "../helpers/requirements";
import { TimerTracker } from "../helpers/timer-tracker";

const FIXTURES = path.join(__dirname, "..", "fixtures");
const MiB = 1024 * 1024;

function fn(handler: string, overrides: Partial<FunctionConfig> = {}): FunctionConfig {
  return fixtureFunction({ functionName: "misbehaving", handler, memoryMb: 256, timeoutSeconds: 2, ...overrides });
}

/** No more processes or sockets than `before` (fewer is fine: earlier tests' may be gone). */
function expectNothingLeft(before: ReturnType<typeof openResources>): void {
  const after = openResources();
  expect(after.children).toBeLessThanOrEqual(before.children);
  expect(after.sockets).toBeLessThanOrEqual(before.sockets);
}

describeWhenAvailable("the local Lambda with misbehaving functions", missingReason(locateRuntime), () => {
  let local: LocalFunctionUrl | undefined;
  let log: LogCollector;
  const start = async (config: FunctionConfig, extra: Partial<LocalFunctionUrlOptions> = {}): Promise<string> => {
    log = new LogCollector();
    local = await startLocalFunctionUrl({ fn: config, port: 0, log: log.sink, ...extra });
    return local.url;
  };
  afterEach(async () => {
    await local?.close();
    local = undefined;
  });

  describe("invocation lifecycle", () => {
    test.each(["leavesTimer", "leavesSocket"])(
      "%s: the client gets its answer at once; the timeout still runs, stops the environment, and the request queued behind is served",
      async (handler) => {
        const url = await start(fn(`misbehaving.${handler}`, { timeoutSeconds: 1 }), { maxEnvironments: 1 });
        const first = await send(url);
        expect(first.status).toBe(200);
        expect(first.body.toString()).toBe("done");
        expect(first.truncated).toBe(false);
        // Queued behind an environment whose invocation has not ended (its runtime never asks).
        const second = await send(url);
        expect(second.body.toString()).toBe("done");
        const [timeout] = log.matching(/Task timed out after 1\.00 seconds$/);
        expect(timeout).toContain(String(first.headers["x-amzn-requestid"]));
        await log.waitFor(new RegExp(`^REPORT RequestId: ${first.headers["x-amzn-requestid"]}.*Status: timeout`));
        // The second ran in a fresh environment: a second cold start.
        await log.waitFor(/^REPORT.*Init Duration/, 2);
      },
    );

    test("callbackWaitsForEmptyEventLoop = false gives the environment back at once, as in Lambda", async () => {
      const url = await start(fn("misbehaving.leavesTimerButReleases"), { maxEnvironments: 1 });
      for (let i = 0; i < 3; i += 1) {
        expect((await send(url)).body.toString()).toBe("done");
      }
      const reports = await log.waitFor(/^REPORT/, 3);
      expect(reports.filter((line) => line.includes("Init Duration"))).toHaveLength(1);
      expect(reports.some((line) => line.includes("Status:"))).toBe(false);
      expect(log.matching(/Task timed out/)).toHaveLength(0);
    });
  });

  describe("processes that die or leave children", () => {
    test("a runtime that exits while idle is replaced: the next request gets a fresh environment, and the server lives on", async () => {
      const url = await start(fn("misbehaving.exitsWhenIdle"), { maxEnvironments: 1 });
      const first = await send(url);
      const [word, pid] = first.body.toString().split(" ");
      expect(word).toBe("done");
      // Idle once its REPORT is out: only then is the process told to exit.
      await log.waitFor(new RegExp(`^REPORT RequestId: ${first.headers["x-amzn-requestid"]}`));
      process.kill(Number(pid), "SIGUSR2");
      await log.waitFor(
        /^An idle execution environment ended \(Runtime exited with error: exit status 1\); the next request starts a new one\.$/,
      );
      const second = await send(url);
      expect(second.body.toString()).toMatch(/^done \d+$/);
      expect(second.body.toString()).not.toBe(first.body.toString());
      await log.waitFor(/^REPORT.*Init Duration/, 2);
      expect(local?.pool.stats()).toMatchObject({ inFlight: 0, waiting: 0 });
    });

    test("a process the handler started ends with its environment (stop kills the whole process group)", async () => {
      const url = await start(fn("misbehaving.spawnsChild", { timeoutSeconds: 1 }));
      const res = await send(url);
      const pid = Number(res.body.toString());
      expect(pid).toBeGreaterThan(0);
      await log.waitFor(/^REPORT.*Status: timeout/);
      await local?.close();
      local = undefined;
      // Gone, or a zombie waiting for the container's init to reap it: in either case not running.
      // SIGKILL went to the whole group as close() stopped it; the grandchild dies when next
      // scheduled (a loaded machine may take a moment), whereas a survivor runs its 60 s.
      await processEnded(pid, 5_000);
    });
  });

  describe("init failures", () => {
    test("an init error fails the request that started the init with 502; each request waiting tries an init of its own", async () => {
      const url = await start(fn("index.handler", { bundleDir: path.join(FIXTURES, "init-fails") }), { maxEnvironments: 1 });
      const results = await Promise.all([send(url), send(url), send(url)]);
      expect(results.map((r) => r.status)).toEqual([502, 502, 502]);
      expect(log.matching(/^INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error\tError Type: Error$/)).toHaveLength(3);
      expect((await send(url)).status).toBe(502);
      await log.waitFor(/^INIT_REPORT/, 4);
      expect(local?.pool.stats()).toMatchObject({ environments: 0, inFlight: 0, waiting: 0, starting: 0 });
    });

    test("a failed init does not fail the requests queued behind a healthy environment", async () => {
      const counter = fs.mkdtempSync(path.join(os.tmpdir(), "init-counter-"));
      try {
        const config = fn("index.handler", {
          bundleDir: path.join(FIXTURES, "init-fails-second"),
          environment: { INIT_COUNTER_DIR: counter },
        });
        // Two environments start (the first request's and the second's); the third request waits.
        const url = await start(config, { maxEnvironments: 2 });
        const sent = Promise.all([send(url), send(url), send(url)]);
        // The second init has failed while the first environment is busy: only then are
        // invocations let go.
        await log.waitFor(/^INIT_REPORT .*\tStatus: error\tError Type: Error$/);
        fs.writeFileSync(path.join(counter, "release"), "");
        const results = await sent;
        expect(results.map((r) => r.status).sort()).toEqual([200, 200, 502]);
        expect(log.matching(/^INIT_REPORT .*\tStatus: error\tError Type: Error$/)).toHaveLength(1);
      } finally {
        fs.rmSync(counter, { recursive: true, force: true });
      }
    });

    test("an init timeout is reported as one and answered with 502; nothing waits without a deadline", async () => {
      log = new LogCollector();
      const pool = new EnvironmentPool(fn("index.handler", { bundleDir: path.join(FIXTURES, "init-hangs") }), locateRuntime(), {
        maxEnvironments: 1,
        initTimeoutMs: 500,
        log: log.sink,
      });
      try {
        const invocations = [pool.invoke(Buffer.from("{}")), pool.invoke(Buffer.from("{}"))];
        const responses = await Promise.all(invocations.map((invocation) => invocation.response));
        expect(responses).toEqual([
          { kind: "error", error: { errorType: "Runtime.InitTimeout", errorMessage: "Init did not finish within 0.50 seconds" } },
          { kind: "error", error: { errorType: "Runtime.InitTimeout", errorMessage: "Init did not finish within 0.50 seconds" } },
        ]);
        // Each request had an init of its own.
        expect(log.matching(/^INIT_REPORT .*\tStatus: timeout\tError Type: Runtime\.InitTimeout$/)).toHaveLength(2);
      } finally {
        await pool.close();
      }
    });
  });

  describe("errors with long messages (the runtime's report passes Node's 16 KiB header limit)", () => {
    test("BUFFERED: a thrown 20,000-character error is a prompt 502 reported as the function's error, not a timeout", async () => {
      const url = await start(fn("misbehaving.throwsLongError", { invokeMode: "BUFFERED", timeoutSeconds: 30 }));
      const res = await send(url);
      expect(res.status).toBe(502);
      const [report] = await log.waitFor(/^REPORT/);
      expect(report).toMatch(/\tStatus: error\tError Type: Error\t?$/);
      expect(log.matching(/Task timed out/)).toHaveLength(0);
      // The environment is free again: the runtime's next /next was not held.
      expect((await send(url)).status).toBe(502);
      expect((await log.waitFor(/^REPORT/, 2)).filter((line) => line.includes("Init Duration"))).toHaveLength(1);
    });

    test("streamed: an error with a 20,000-character message after the first bytes keeps its type", async () => {
      const url = await start(fn("misbehaving.throwsLongErrorMidStream", { timeoutSeconds: 30 }));
      const res = await send(url);
      expect(res.body.toString()).toBe("first");
      expect(res.truncated).toBe(true);
      const [report] = await log.waitFor(/^REPORT/);
      expect(report).toMatch(/\tStatus: error\tError Type: RangeError\t?$/);
    });
  });

  describe("responses the front cannot send", () => {
    test.each([
      ["header", /header/i],
      ["name", /header/i],
      ["status", /statusCode 1000/],
    ])(
      "a prelude with a bad %s: 502 with the reason logged, and the stream drained so the environment is free at once",
      async (kind, reason) => {
        const url = await start(fn("misbehaving.badPrelude", { timeoutSeconds: 30 }), { maxEnvironments: 1 });
        const res = await send(`${url}?kind=${kind}`);
        expect(res.status).toBe(502);
        expect(res.body.toString()).toBe("Internal Server Error");
        const [line] = log.matching(new RegExp(`^502 for RequestId: ${res.headers["x-amzn-requestid"]}: `));
        expect(line).toMatch(reason);
        // 16 MiB were written after the prelude: the invocation ends (no timeout) only if drained.
        const [report] = await log.waitFor(/^REPORT/);
        expect(report).not.toContain("Status:");
        expect((await send(`${url}?kind=${kind}`)).status).toBe(502);
        const reports = await log.waitFor(/^REPORT/, 2);
        expect(reports[1]).not.toContain("Init Duration");
      },
    );
  });

  describe("credentials and environment", () => {
    test("the function sees Lambda's variables and nothing of the developer's AWS credentials", async () => {
      const home = fs.mkdtempSync(path.join(os.tmpdir(), "ls-home-"));
      fs.mkdirSync(path.join(home, ".aws"));
      fs.writeFileSync(
        path.join(home, ".aws", "credentials"),
        "[default]\naws_access_key_id = AKIADEVELOPER\naws_secret_access_key = dev\n",
      );
      const saved = { ...process.env };
      Object.assign(process.env, {
        HOME: home,
        AWS_ACCESS_KEY_ID: "AKIADEVELOPER",
        AWS_SECRET_ACCESS_KEY: "developer-secret",
        AWS_SESSION_TOKEN: "developer-token",
        AWS_PROFILE: "developer",
        AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.2/creds",
      });
      try {
        const url = await start(fn("misbehaving.environment", { environment: { MY_SETTING: "on" } }));
        const seen = JSON.parse((await send(url)).body.toString());
        expect(seen.env).toMatchObject({
          AWS_LAMBDA_FUNCTION_NAME: "misbehaving",
          AWS_REGION: "us-east-1",
          MY_SETTING: "on",
          AWS_SHARED_CREDENTIALS_FILE: os.devNull,
          AWS_CONFIG_FILE: os.devNull,
          AWS_EC2_METADATA_DISABLED: "true",
        });
        for (const key of [
          "HOME",
          "AWS_ACCESS_KEY_ID",
          "AWS_SECRET_ACCESS_KEY",
          "AWS_SESSION_TOKEN",
          "AWS_PROFILE",
          "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        ]) {
          expect(seen.env).not.toHaveProperty(key);
        }
        expect(seen.sharedCredentials).toBe("");
        expect(seen.config).toBe("");
      } finally {
        process.env = saved;
        fs.rmSync(home, { recursive: true, force: true });
      }
    });
  });

  describe("the Host check", () => {
    testWhenAvailable(
      "a server bound to another loopback address answers its own address too",
      missingReason(() => requireListenableAddress("127.0.0.2")),
      async () => {
        log = new LogCollector();
        local = await startLocalFunctionUrl({ fn: fn("handlers.paced"), host: "127.0.0.2", port: 0, log: log.sink });
        const res = await send(`${local.url}?count=1`);
        expect(res.status).toBe(201);
      },
    );

    test("a loopback-bound server answers loopback names only: any other Host gets 403 without invoking the function", async () => {
      // One environment takes invocations in the order they come: a refused request invoked on
      // its way to the 403 would start (however late) before the allowed requests sent after it.
      const url = await start(fn("handlers.paced"), { maxEnvironments: 1 });
      const { port } = new URL(url);
      const withHost = (host: string) => send(`${url}?count=1`, { headers: { host } });
      expect((await withHost("rebind.attacker.example")).status).toBe(403);
      expect((await withHost(`evil.example:${port}`)).status).toBe(403);
      expect(log.matching(/Host "rebind\.attacker\.example" is not a loopback name/)).toHaveLength(1);
      const allowed: string[] = [];
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, "localhost", `[::1]:${port}`]) {
        const res = await withHost(host);
        expect(res.status).toBe(201);
        allowed.push(String(res.headers["x-amzn-requestid"]));
      }
      await log.waitFor(new RegExp(`^REPORT RequestId: ${allowed[3]}`));
      expect(log.matching(/^START/).map((line) => line.split(" ")[2])).toEqual(allowed);
    });
  });

  describe("limits as Lambda enforces them", () => {
    test("a function that grows past its memory size is stopped as Lambda stops it; the next request gets a fresh environment", async () => {
      const url = await start(fn("misbehaving.hog", { memoryMb: 128, timeoutSeconds: 30 }));
      const res = await send(`${url}?mb=512`);
      expect(res.body.toString()).toBe("growing ");
      expect(res.truncated).toBe(true);
      const [report] = await log.waitFor(/^REPORT/);
      expect(report).toMatch(/\tMemory Size: 128 MB\tMax Memory Used: 128 MB\t.*Status: error\tError Type: Runtime\.OutOfMemory\t$/);
      expect(log.matching(/Runtime exited with error: signal: killed/).length).toBeGreaterThan(0);
      const small = await send(`${url}?mb=1`);
      expect(small.body.toString()).toBe("growing survived");
      await log.waitFor(/^REPORT.*Init Duration/, 2);
    }, 30_000);

    test("a streamed response is cut at the size limit: the client gets exactly the bytes up to it, and the function runs to its end", async () => {
      const url = await start(fn("misbehaving.bytes", { timeoutSeconds: 30 }), { limits: { maxBytes: 3 * MiB } });
      const res = await send(`${url}?mib=8`);
      expect(res.status).toBe(200);
      expect(res.body.length).toBe(3 * MiB);
      expect(res.truncated).toBe(true);
      expect(log.matching(/cut: Function\.ResponseSizeTooLarge: the response passed the 3145728-byte limit/)).toHaveLength(1);
      const [report] = await log.waitFor(/^REPORT/);
      expect(report).not.toContain("Status:");
      expect((await send(`${url}?mib=1`)).body.length).toBe(MiB);
    });

    test("past the burst, a streamed response is held to the bandwidth cap; unlimited lifts it", async () => {
      const capped = { maxBytes: 200 * MiB, bandwidth: { burstBytes: 1 * MiB, bytesPerSecond: 2 * MiB } };
      const url = await start(fn("misbehaving.bytes"), { limits: capped });
      const started = performance.now();
      const res = await send(`${url}?mib=3`);
      const elapsed = performance.now() - started;
      expect(res.body.length).toBe(3 * MiB);
      // 2 MiB past the 1 MiB burst at 2 MiB/s cannot arrive in under a second (a lower bound only).
      expect(elapsed).toBeGreaterThanOrEqual(950);
    });

    test("a request whose client leaves while its environment starts is not run", async () => {
      log = new LogCollector();
      const pool = new EnvironmentPool(fn("handlers.paced"), locateRuntime(), { maxEnvironments: 1, log: log.sink });
      try {
        const leaving = new AbortController();
        const invocation = pool.invoke(Buffer.from("{}"), { signal: leaving.signal });
        expect(pool.stats().starting).toBe(1);
        leaving.abort();
        expect(await invocation.response).toEqual({ kind: "abandoned" });
        expect(log.matching(/^START/)).toHaveLength(0);
        expect(pool.stats()).toMatchObject({ environments: 1, idle: 1, inFlight: 0 });
      } finally {
        await pool.close();
      }
    });

    test("a full queue is throttled with 429, a waiting request gets 429 at its deadline, and one whose client left is never invoked", async () => {
      log = new LogCollector();
      const pool = new EnvironmentPool(fn("handlers.paced", { timeoutSeconds: 30 }), locateRuntime(), {
        maxEnvironments: 1,
        maxWaiting: 2,
        waitDeadlineMs: 1_000,
        log: log.sink,
      });
      try {
        const event = (query: Record<string, string>): Buffer => Buffer.from(JSON.stringify({ queryStringParameters: query }));
        const busy = pool.invoke(event({ count: "2", ms: "1500" }));
        await log.waitFor(/^START/);
        const leaving = new AbortController();
        const abandoned = pool.invoke(event({ count: "1" }), { signal: leaving.signal });
        const late = pool.invoke(event({ count: "1" }));
        expect(await pool.invoke(event({ count: "1" })).response).toEqual({
          kind: "throttled",
          reason: "2 requests are already waiting for an environment",
        });
        leaving.abort();
        expect(await abandoned.response).toEqual({ kind: "abandoned" });
        expect(await late.response).toEqual({ kind: "throttled", reason: "no environment was free within 1000 ms" });
        const answer = await busy.response;
        if (answer.kind !== "streaming") throw new Error(`expected a stream, got ${answer.kind}`);
        answer.body.resume();
        await busy.completion;
        // Once the first invocation's REPORT is out, its environment has been handed on: to a request
        // kept in the queue (however late that one starts), or else to the idle list. A request sent
        // now therefore runs after any such one, and only the first request and this one may run.
        await log.waitFor(new RegExp(`^REPORT RequestId: ${busy.requestId}`));
        const after = pool.invoke(event({ count: "1" }));
        const afterAnswer = await after.response;
        if (afterAnswer.kind === "streaming") {
          afterAnswer.body.resume();
          await log.waitFor(new RegExp(`^REPORT RequestId: ${after.requestId}`));
        }
        expect(log.matching(/^START/).map((line) => line.split(" ")[2])).toEqual([busy.requestId, after.requestId]);
        expect(pool.stats()).toMatchObject({ inFlight: 0, waiting: 0 });
      } finally {
        await pool.close();
      }
    });
  });

  describe("nothing left behind", () => {
    // Every timer the local URL sets (deadlines, memory watch, grace periods) must be cleared by close().
    const timers = new TimerTracker();
    beforeEach(() => timers.install(`${path.sep}emulator${path.sep}`));
    afterEach(() => timers.uninstall());

    testWhenAvailable(
      "close() stops environments that are still starting, and leaves no process, socket or timer",
      missingReason(requireProcFs),
      async () => {
        const before = openResources();
        log = new LogCollector();
        const pool = new EnvironmentPool(fn("index.handler", { bundleDir: path.join(FIXTURES, "init-hangs") }), locateRuntime(), {
          maxEnvironments: 2,
          log: log.sink,
        });
        const invocations = [pool.invoke(Buffer.from("{}")), pool.invoke(Buffer.from("{}"))];
        expect(pool.stats().starting).toBe(2);
        await pool.close();
        const responses = await Promise.all(invocations.map((invocation) => invocation.response));
        expect(responses.map((r) => r.kind)).toEqual(["error", "error"]);
        expect(log.matching(/^INIT_REPORT/)).toHaveLength(0);
        expectNothingLeft(before);
        expect(timers.pending()).toEqual([]);
      },
    );

    test("an idle environment runs no timer: its memory is watched only while it invokes", async () => {
      const url = await start(fn("misbehaving.bytes"), { maxEnvironments: 1 });
      expect((await send(`${url}?mib=1`)).status).toBe(200);
      // Idle once its REPORT is out.
      await log.waitFor(/^REPORT/);
      expect(local?.pool.stats()).toMatchObject({ environments: 1, idle: 1 });
      expect(timers.pending().filter((origin) => origin.includes("emulator/environment/"))).toEqual([]);
      // A normal shutdown says nothing per environment (it is not a crash).
      await local?.close();
      local = undefined;
      expect(log.matching(/execution environment ended/)).toEqual([]);
    });

    testWhenAvailable(
      "a server left running through a sequence of misbehaving invocations still streams exactly, and close() leaves nothing",
      missingReason(requireProcFs),
      async () => {
        const before = openResources();
        const url = await start(fn("misbehaving.byQuery", { timeoutSeconds: 1, memoryMb: 128 }), { maxEnvironments: 2 });
        for (const query of ["do=leavesTimer", "do=badPrelude", "do=hog&mb=512", "do=leavesSocket", "do=badPrelude&kind=status"]) {
          await send(`${url}?${query}`);
        }
        await log.waitFor(/^REPORT/, 5);
        const res = await send(`${url}?do=bytes&mib=4`);
        expect(res.body.equals(Buffer.alloc(4 * MiB, 120))).toBe(true);
        await local?.close();
        local = undefined;
        expectNothingLeft(before);
        expect(timers.pending()).toEqual([]);
      },
      30_000,
    );
  });
});
