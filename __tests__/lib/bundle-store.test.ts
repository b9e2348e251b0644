// The bundle cache: content-addressed folders, and the removal of those a process wrote and no
// longer needs, unless another process has taken them up since.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { hashedBundle, removeWrittenBundles, storeBundle, storedBundleOf } from "../../lib/bundle-store";

const bundle = (text: string) =>
  hashedBundle([
    { name: "index.js", contents: Buffer.from(text) },
    { name: "index.js.map", contents: Buffer.from("{}") },
  ]);

describe("the bundle store", () => {
  let cache: string;
  beforeEach(() => {
    cache = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ls-store-")), ".build");
  });
  afterEach(() => fs.rmSync(path.dirname(cache), { recursive: true, force: true }));

  test("names a folder after its contents, whatever the files' order", () => {
    const a = bundle("exports.handler = 1;");
    expect(hashedBundle([...a.files].reverse()).hash).toBe(a.hash);
    expect(storeBundle(a, cache)).toBe(path.join(cache, `handler-${a.hash.slice(0, 16)}`));
    expect(storeBundle(bundle("exports.handler = 2;"), cache)).not.toBe(storeBundle(a, cache));
  });

  test("removes the folders this process wrote, when asked, and no others", () => {
    const mine = storeBundle(bundle("mine"), cache);
    const kept = storeBundle(bundle("kept"), cache);
    // A folder another process wrote (here by hand), with the same shape.
    const theirs = path.join(cache, "handler-0000000000000000");
    fs.mkdirSync(theirs);
    fs.writeFileSync(path.join(theirs, "index.js"), "theirs");
    expect(removeWrittenBundles([mine, theirs])).toEqual([mine]);
    expect(fs.existsSync(mine)).toBe(false);
    expect(fs.existsSync(theirs)).toBe(true);
    expect(fs.existsSync(kept)).toBe(true);
    // Written again, it is the writer's again.
    expect(storeBundle(bundle("mine"), cache)).toBe(mine);
    expect(removeWrittenBundles([mine])).toEqual([mine]);
  });

  test("leaves a folder another process took up after it was written", () => {
    const mine = storeBundle(bundle("shared"), cache);
    // Another process handing the same bundle out marks the folder so (its modification time).
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(mine, later, later);
    expect(removeWrittenBundles([mine])).toEqual([]);
    expect(fs.existsSync(path.join(mine, "index.js"))).toBe(true);
  });

  test("keeps a stack's asset copy as the same bytes in the cache; a folder that is no bundle is served as it is", () => {
    const asset = path.join(path.dirname(cache), "assets", "abc");
    fs.mkdirSync(asset, { recursive: true });
    fs.writeFileSync(path.join(asset, "index.js"), "asset");
    fs.writeFileSync(path.join(asset, "index.js.map"), "{}");
    const kept = storedBundleOf(asset, cache);
    expect(path.dirname(kept)).toBe(cache);
    expect(fs.readFileSync(path.join(kept, "index.js"), "utf8")).toBe("asset");
    expect(kept).toBe(
      storeBundle(
        hashedBundle([
          { name: "index.js", contents: Buffer.from("asset") },
          { name: "index.js.map", contents: Buffer.from("{}") },
        ]),
        cache,
      ),
    );
    fs.mkdirSync(path.join(asset, "lib"));
    expect(storedBundleOf(asset, cache)).toBe(asset);
    expect(storedBundleOf(path.join(asset, "missing"), cache)).toBe(path.join(asset, "missing"));
  });
});
