import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { FunctionConfig } from "../../../emulator/common/function-config";
import { type FunctionWatcher, watchFunction } from "../../../emulator/function/function-watcher";
import { LogCollector } from "../../helpers/log-collector";

describe("watchFunction", () => {
  let dir: string;
  let watcher: FunctionWatcher | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ls-watcher-"));
  });
  afterEach(() => {
    watcher?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("watches a folder made after the start, and hands each built version on with one log line", async () => {
    const log = new LogCollector();
    const built: string[][] = [];
    const reloaded: FunctionConfig[] = [];
    watcher = watchFunction({
      dirs: [dir],
      rebuild: (changed) => {
        built.push([...changed]);
        return { fn: { functionName: `v${built.length}` } as FunctionConfig, what: "test build" };
      },
      onReload: (fn) => reloaded.push(fn),
      log: log.sink,
    });
    fs.mkdirSync(path.join(dir, "nested"));
    await log.waitFor(/^Reloaded in \d+ ms \(test build\)/);
    fs.writeFileSync(path.join(dir, "nested", "handler.ts"), "export {};\n");
    await log.waitFor(/^Reloaded in \d+ ms \(test build\)/, 2);
    expect(built.at(-1)).toContain(path.join(dir, "nested", "handler.ts"));
    expect(reloaded.map((fn) => fn.functionName)).toEqual(["v1", "v2"]);
  });

  test("reports a failing build once however often it fails the same way, and again when it changes", async () => {
    const log = new LogCollector();
    let message = "first problem";
    let builds = 0;
    const waiters: Array<{ count: number; resolve: () => void }> = [];
    const built = (count: number): Promise<void> => new Promise((resolve) => waiters.push({ count, resolve }));
    watcher = watchFunction({
      dirs: [dir],
      rebuild: () => {
        builds += 1;
        // Answered after this build has failed and been reported (or not).
        for (const waiter of waiters.filter((w) => w.count <= builds)) setImmediate(waiter.resolve);
        throw new Error(message);
      },
      onReload: () => undefined,
      log: log.sink,
      debounceMs: 10,
    });
    fs.writeFileSync(path.join(dir, "a.ts"), "1");
    await built(1);
    fs.writeFileSync(path.join(dir, "a.ts"), "2");
    await built(2);
    message = "second problem";
    fs.writeFileSync(path.join(dir, "a.ts"), "3");
    await log.waitFor(/second problem/);
    expect(log.matching(/^Reload failed/)).toEqual([
      "Reload failed; the last good version keeps serving. first problem",
      "Reload failed; the last good version keeps serving. second problem",
    ]);
  });

  test("a folder deleted while it is being read (made and removed at once by a build) is skipped; the watcher lives on", async () => {
    const log = new LogCollector();
    watcher = watchFunction({
      dirs: [dir],
      rebuild: () => ({ fn: {} as FunctionConfig, what: "test build" }),
      onReload: () => undefined,
      log: log.sink,
    });
    // The folder vanishes between the watcher's stat (a folder) and its read (gone): a race with
    // another process, made certain here.
    // node:fs itself (the watcher reads through to it), not this file's namespace copy.
    const nodeFs = jest.requireActual<typeof fs>("node:fs");
    const readdir = nodeFs.readdirSync;
    const spy = jest.spyOn(nodeFs, "readdirSync").mockImplementation(((target: fs.PathLike, ...rest: never[]) => {
      if (String(target).endsWith("vanishing")) {
        throw Object.assign(new Error(`ENOENT: no such file or directory, scandir '${String(target)}'`), { code: "ENOENT" });
      }
      return (readdir as (...args: unknown[]) => unknown)(target, ...rest);
    }) as typeof fs.readdirSync);
    try {
      fs.mkdirSync(path.join(dir, "vanishing"));
      await log.waitFor(/^Reloaded in \d+ ms \(test build\)/);
      expect(spy.mock.calls.some(([target]) => String(target).endsWith("vanishing"))).toBe(true);
    } finally {
      spy.mockRestore();
    }
    // Still watching.
    fs.writeFileSync(path.join(dir, "after.ts"), "export {};\n");
    await log.waitFor(/^Reloaded in \d+ ms \(test build\)/, 2);
  });

  test("a watched folder deleted and made again (rm -rf dist && build) is watched again", async () => {
    const log = new LogCollector();
    const root = path.join(dir, "dist");
    fs.mkdirSync(root);
    let builds = 0;
    watcher = watchFunction({
      dirs: [root],
      rebuild: () => {
        builds += 1;
        return { fn: { functionName: `v${builds}` } as FunctionConfig, what: "test build" };
      },
      onReload: () => undefined,
      log: log.sink,
    });
    fs.rmSync(root, { recursive: true });
    fs.mkdirSync(root);
    await log.waitFor(/^Reloaded/);
    const seen = log.matching(/^Reloaded/).length;
    fs.writeFileSync(path.join(root, "index.js"), "exports.handler = 1;\n");
    await log.waitFor(/^Reloaded/, seen + 1);
  });

  test("a folder made beside a watched one (its parent is watched too) is no change of it", async () => {
    const log = new LogCollector();
    const root = path.join(dir, "dist");
    fs.mkdirSync(root);
    const built: string[][] = [];
    watcher = watchFunction({
      dirs: [root],
      rebuild: (changed) => {
        built.push([...changed]);
        return { fn: {} as FunctionConfig, what: "test build" };
      },
      onReload: () => undefined,
      log: log.sink,
    });
    // The parent's watcher sees "beside" first (one inotify queue, in order), then the file.
    fs.mkdirSync(path.join(dir, "beside"));
    fs.writeFileSync(path.join(root, "index.js"), "exports.handler = 1;\n");
    await log.waitFor(/^Reloaded/);
    expect(built).toEqual([[path.join(root, "index.js")]]);
  });
});
