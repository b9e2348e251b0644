// --watch's bundle folders: an older version's folder is removed once nothing can run it (no
// invocation in flight, no environment starting), the current one never.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { FunctionConfig } from "../../../emulator/common/function-config";
import { type PoolView, trackRetiredBundles } from "../../../emulator/function/retired-bundles";
import { hashedBundle, storeBundle } from "../../../lib/bundle-store";

describe("trackRetiredBundles", () => {
  let cache: string;
  beforeEach(() => {
    cache = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ls-retired-")), ".build");
  });
  afterEach(() => fs.rmSync(path.dirname(cache), { recursive: true, force: true }));

  const version = (text: string): string => storeBundle(hashedBundle([{ name: "index.js", contents: Buffer.from(text) }]), cache);

  /** A pool stand-in: the function it serves and what it has in flight. */
  function pool(bundleDir: string): PoolView & { fn: FunctionConfig; busy: { inFlight: number; starting: number } } {
    const view = {
      fn: { bundleDir } as FunctionConfig,
      busy: { inFlight: 0, starting: 0 },
      get function() {
        return view.fn;
      },
      stats: () => view.busy,
    };
    return view;
  }

  test("a quiet pool: the version before a reload is removed at once, the current one kept", () => {
    const [v1, v2] = [version("v1"), version("v2")];
    const p = pool(v1);
    const bundles = trackRetiredBundles(p);
    p.fn = { bundleDir: v2 } as FunctionConfig;
    bundles.reloaded();
    expect([fs.existsSync(v1), fs.existsSync(v2)]).toEqual([false, true]);
    bundles.close();
    expect(fs.existsSync(v2)).toBe(true);
  });

  test("an invocation in flight may run an older version: its folder stays until the pool is quiet", async () => {
    const [v1, v2, v3] = [version("a"), version("b"), version("c")];
    const p = pool(v1);
    const removed = new Promise<readonly string[]>((resolve) => {
      const bundles = trackRetiredBundles(p, { recheckMs: 10, onRemoved: resolve });
      p.busy.inFlight = 1;
      p.fn = { bundleDir: v2 } as FunctionConfig;
      bundles.reloaded();
      p.fn = { bundleDir: v3 } as FunctionConfig;
      bundles.reloaded();
    });
    expect([fs.existsSync(v1), fs.existsSync(v2)]).toEqual([true, true]);
    p.busy.inFlight = 0;
    expect([...(await removed)].sort()).toEqual([v1, v2].sort());
    expect(fs.existsSync(v3)).toBe(true);
  });

  test("close removes the older versions still waiting, once the pool has closed", () => {
    const [v1, v2] = [version("x"), version("y")];
    const p = pool(v1);
    const bundles = trackRetiredBundles(p);
    p.busy.starting = 1;
    p.fn = { bundleDir: v2 } as FunctionConfig;
    bundles.reloaded();
    expect(fs.existsSync(v1)).toBe(true);
    p.busy.starting = 0;
    bundles.close();
    expect([fs.existsSync(v1), fs.existsSync(v2)]).toEqual([false, true]);
  });
});
