// The dev loop through the real runtime client: --watch serves each saved version to new requests
// while streams in flight finish on the old one; --inspect exposes a debugger target; --env-vars
// reaches the function's process.env.

import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { serveFromCommandLine } from "../../emulator/cli/cli";
import { parseCliOptions } from "../../emulator/cli/cli-options";
import { type LocalFunctionUrl, type LocalFunctionUrlOptions, startLocalFunctionUrl } from "../../emulator/cli/local-function-url";
import type { FunctionConfig } from "../../emulator/common/function-config";
import { locateRuntime } from "../../emulator/environment/runtime-command";
import { withOverrides } from "../../emulator/function/function-source";
import { type FunctionWatcher, watchFunction } from "../../emulator/function/function-watcher";
import { bundleHandler } from "../../lib/bundling";
import { DEFAULTS } from "../../lib/config";
import { signRequest } from "../../tools/invoke/sign-request";
import { fixtureFunction } from "../helpers/function-config";
import { send } from "../helpers/http-client";
import { LogCollector } from "../helpers/log-collector";
import { closedPort } from "../helpers/loopback-server";
import { describeWhenAvailable, missingReason } from "../helpers/requirements";

const FIXTURES = path.join(__dirname, "..", "fixtures");

/** A streaming handler in TypeScript that writes `label` `?n=` times, 100 ms apart. */
function handlerSource(label: string): string {
  return `declare const awslambda: any;
export const handler = awslambda.streamifyResponse(async (event: any, responseStream: any) => {
  const stream = awslambda.HttpResponseStream.from(responseStream, { statusCode: 200, headers: { "content-type": "text/plain" } });
  const n = Number(event.queryStringParameters?.n ?? 1);
  for (let i = 0; i < n; i++) {
    stream.write("${label} ");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  stream.end();
});
`;
}

function fn(overrides: Partial<FunctionConfig>): FunctionConfig {
  return fixtureFunction({ functionName: "misbehaving", handler: "index.handler", memoryMb: 256, timeoutSeconds: 10, ...overrides });
}

/** Saves as vim, `sed -i` and many IDEs do: a new file renamed over the old one. */
function saveAsAnEditorDoes(file: string, text: string): void {
  fs.writeFileSync(`${file}.swp-new`, text);
  fs.renameSync(`${file}.swp-new`, file);
}

function getJson(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => resolve(JSON.parse(text)));
      })
      .on("error", reject);
  });
}

describeWhenAvailable("the local dev loop", missingReason(locateRuntime), () => {
  let local: LocalFunctionUrl | undefined;
  let watcher: FunctionWatcher | undefined;
  let log: LogCollector;
  const start = async (config: FunctionConfig, extra: Partial<LocalFunctionUrlOptions> = {}): Promise<string> => {
    log = new LogCollector();
    local = await startLocalFunctionUrl({ fn: config, port: 0, log: log.sink, ...extra });
    return local.url;
  };
  afterEach(async () => {
    watcher?.close();
    watcher = undefined;
    await local?.close();
    local = undefined;
  });

  describe("--watch", () => {
    let project: string;
    beforeEach(() => {
      project = fs.mkdtempSync(path.join(os.tmpdir(), "ls-watch-"));
      fs.mkdirSync(path.join(project, "handler"));
      fs.writeFileSync(path.join(project, "handler", "index.ts"), handlerSource("v1"));
    });
    afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

    test("a save is served to new requests; a stream in flight finishes on the old code; a broken save keeps the last good version", async () => {
      const entry = path.join(project, "handler", "index.ts");
      const url = await start(fn({ bundleDir: bundleHandler(entry) }));
      watcher = watchFunction({
        dirs: [path.join(project, "handler")],
        rebuild: () => ({
          fn: { ...(local as LocalFunctionUrl).pool.function, bundleDir: bundleHandler(entry) },
          what: "handler bundled again",
        }),
        onReload: (next) => local?.reload(next),
        log: log.sink,
      });
      expect((await send(`${url}?n=1`)).body.toString()).toBe("v1 ");

      // A slow stream starts on v1 …
      const slow = send(`${url}?n=10`);
      await log.waitFor(/^START/, 2);
      // … the handler is saved as v2 …
      saveAsAnEditorDoes(entry, handlerSource("v2"));
      await log.waitFor(/^Reloaded in \d+ ms \(handler bundled again\): new requests run the new code\.$/);
      // … new requests run v2 while the slow stream finishes, byte-exact, on v1.
      expect((await send(`${url}?n=1`)).body.toString()).toBe("v2 ");
      const finished = await slow;
      expect(finished.body.toString()).toBe("v1 ".repeat(10));
      expect(finished.truncated).toBe(false);
      // The v1 environment is retired once its stream has ended: only v2's remains.
      await log.waitFor(/^REPORT/, 3);
      expect(local?.pool.stats()).toMatchObject({ environments: 1, idle: 1 });

      // A save that does not build keeps v2 serving, and is reported once.
      saveAsAnEditorDoes(entry, "export const handler = (;\n");
      await log.waitFor(/^Reload failed; the last good version keeps serving\. /);
      expect((await send(`${url}?n=1`)).body.toString()).toBe("v2 ");
      expect(log.matching(/^Reload failed/)).toHaveLength(1);
    }, 30_000);

    test("npm start -- --bundle FILE.ts --watch: a TypeScript entry is bundled, served, and bundled again on save", async () => {
      // An entry of the user's own, not the project's handler/index.ts (which is served as the stack serves it).
      fs.mkdirSync(path.join(project, "app"));
      const entry = path.join(project, "app", "index.ts");
      fs.writeFileSync(entry, handlerSource("v1"));
      log = new LogCollector();
      const serving = await serveFromCommandLine(
        ["--bundle", entry, "--invoke-mode", "RESPONSE_STREAM", "--auth", "NONE", "--port", "0", "--watch"],
        {},
        log.sink,
        project,
      );
      try {
        const url = serving?.local.url ?? "";
        expect(log.matching(/^Local Function URL for index \(RESPONSE_STREAM, NONE, index\.handler /)).toHaveLength(1);
        expect((await send(`${url}?n=1`)).body.toString()).toBe("v1 ");
        // Bundled as the stack's handler is, into this project's .build/
        const v1 = serving?.local.pool.function.bundleDir ?? "";
        expect(v1).toMatch(new RegExp(`^${project}/\\.build/handler-[0-9a-f]{16}$`));
        saveAsAnEditorDoes(entry, handlerSource("v2"));
        await log.waitFor(/^Reloaded in \d+ ms \(entry bundled again\): new requests run the new code\.$/);
        expect((await send(`${url}?n=1`)).body.toString()).toBe("v2 ");
        // Nothing was in flight at the reload: v1's folder went with it; .build holds v2's alone.
        expect(fs.readdirSync(path.join(project, ".build"))).toEqual([path.basename(serving?.local.pool.function.bundleDir ?? "")]);
        expect(fs.existsSync(v1)).toBe(false);
      } finally {
        await serving?.close();
      }
    }, 30_000);
  });

  describe("the README's dev loop", () => {
    const ROOT = path.join(__dirname, "..", "..");
    /** The README's `npm start -- --bundle …` line, its flags as written (the comment dropped). */
    const readmeBundleLine = (): string[] => {
      const line = fs
        .readFileSync(path.join(ROOT, "README.md"), "utf8")
        .split("\n")
        .find((l) => l.startsWith("npm start -- --bundle "));
      if (line === undefined) throw new Error("README.md has no `npm start -- --bundle …` dev-loop line");
      return line
        .replace(/\s#.*$/, "")
        .trim()
        .split(/\s+/)
        .slice(3);
    };

    test("its --bundle line streams as printed: the project's handler is served as the stack serves it", async () => {
      const credentials = { accessKeyId: "AKIALOCALDEVLOOP0000", secretAccessKey: "dev-loop-secret" };
      log = new LogCollector();
      const serving = await serveFromCommandLine(
        [...readmeBundleLine(), "--port", "0", "--api-port", "0"],
        {
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
          AWS_EC2_METADATA_DISABLED: "true",
        },
        log.sink,
        ROOT,
      );
      try {
        // The stack's name (so env.json's "lambda-streaming" entry applies), invoke mode and auth type.
        expect(log.matching(/^Local Function URL for lambda-streaming \(RESPONSE_STREAM, AWS_IAM, index\.handler /)).toHaveLength(1);
        // … and no line says otherwise (the BUFFERED note is for another entry, which is BUFFERED).
        expect(log.matching(/^Invoke mode BUFFERED/)).toEqual([]);
        const url = new URL(`${serving?.local.url ?? ""}?count=3&chunk=1&delay=200`);
        const res = await send(url.href, { headers: await signRequest(url, credentials, { region: DEFAULTS.region }) });
        expect(res.status).toBe(200);
        expect(res.body.toString()).toBe("🚗".repeat(3));
        // On failure the received object shows its detail: when each read came.
        expect(res).toArriveProgressively(3, 200);
      } finally {
        await serving?.close();
      }
    }, 30_000);
  });

  describe("--inspect", () => {
    test("the runtime process runs under Node's inspector: a debugger client can list its target", async () => {
      const port = await closedPort();
      const url = await start(fn({ handler: "handlers.paced" }), { inspectPort: port, maxEnvironments: 4 });
      // The debuggable environment is up before any request: a debugger can attach at once.
      const before = (await getJson(`http://127.0.0.1:${port}/json/list`)) as Array<{ type: string }>;
      expect(before.map((target) => target.type)).toEqual(["node"]);
      expect(local?.pool.stats()).toMatchObject({ environments: 1, idle: 1, inFlight: 0 });
      expect((await send(`${url}?count=1`)).status).toBe(201);
      // …and it is the one that served the request.
      expect(local?.pool.stats().environments).toBe(1);
      const targets = (await getJson(`http://127.0.0.1:${port}/json/list`)) as Array<{ type: string; webSocketDebuggerUrl: string }>;
      expect(targets).toHaveLength(1);
      expect(targets[0].type).toBe("node");
      expect(targets[0].webSocketDebuggerUrl).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:${port}/`));
      // One environment at a time, whatever --max-environments says: a debugger attaches to one process.
      await Promise.all([send(`${url}?count=2&ms=50`), send(`${url}?count=2&ms=50`)]);
      expect(local?.pool.stats().environments).toBe(1);
    });
  });

  describe("--env-vars", () => {
    test("the file's values reach the function's process.env, over the stack's", async () => {
      const options = parseCliOptions(["--env-vars", path.join(FIXTURES, "env-vars", "env.json")], {});
      const url = await start(
        withOverrides(fn({ handler: "misbehaving.environment", environment: { STAGE: "stack", KEPT: "yes" } }), options),
      );
      const seen = JSON.parse((await send(url)).body.toString());
      expect(seen.env).toMatchObject({ STAGE: "mine", RETRIES: "3", FEATURE_FLAG: "true", KEPT: "yes" });
    });
  });
});
