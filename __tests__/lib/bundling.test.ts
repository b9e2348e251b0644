import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BUNDLE_FILE, BundleError, buildBundle, bundleHandler, bundleOptions } from "../../lib/bundling";
import { HANDLER_ENTRY } from "../../lib/lambda-streaming-stack";
import { STREAMING_HANDLER_MARK } from "../helpers/response-stream";

/** A copy of the project's handler/ folder inside a new temporary project folder. */
function copyHandlerTo(prefix: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.cpSync(path.dirname(HANDLER_ENTRY), path.join(root, "handler"), { recursive: true });
  return root;
}

describe("bundleOptions", () => {
  // What the options produce, observed on the built output rather than restated field by field.
  const built = (): { code: string; map: { sources: string[]; sourcesContent?: string[] } } => {
    const bundle = buildBundle(HANDLER_ENTRY);
    return {
      code: Buffer.from(bundle.files[0].contents).toString("utf8"),
      map: JSON.parse(Buffer.from(bundle.files[1].contents).toString("utf8")),
    };
  };

  test("builds one minified CommonJS file for Node.js 22 that Lambda's runtime can require", () => {
    const { code } = built();
    expect(code).toMatch(/module\.exports/);
    expect(code).not.toMatch(/^\s*(import|export)\s/m);
    // Minified: a handful of lines, no comments.
    expect(code.split("\n").length).toBeLessThanOrEqual(3);
    // …but for the names, so a stack trace says which function threw (not `Runtime.w`).
    expect(code).toMatch(/async function streamCars\(/);
    expect(code).toMatch(/function parseStreamOptions\(/);
    expect(code).not.toMatch(/\/\*\*|\/\/ /);
    // ES2022 syntax stays as written for Node.js 22 (no downlevelled async functions).
    expect(code).toMatch(/async/);
    expect(code).not.toMatch(/__async|__awaiter/);
  });

  test("keeps the 🚗 as UTF-8 rather than escapes, and points its source map at handler/*.ts", () => {
    const { code, map } = built();
    expect(code).toContain("🚗");
    expect(code).not.toContain("\\ud83d");
    expect(code).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
    expect(map.sources.length).toBeGreaterThan(0);
    expect(map.sources.every((source) => /^\.\.\/\.\.\/handler\/[\w-]+\.ts$/.test(source))).toBe(true);
  });

  test("the source map's paths name the real files from the bundle's folder, and handler/*.ts from /var/task", () => {
    // Node resolves a source against the map's own location: here .build/handler-<hash>/, in Lambda /var/task/.
    const dir = bundleHandler(HANDLER_ENTRY);
    const map = JSON.parse(fs.readFileSync(path.join(dir, `${BUNDLE_FILE}.map`), "utf8")) as { sources: string[] };
    const local = map.sources.map((source) => path.resolve(dir, source));
    expect(local).toContain(HANDLER_ENTRY);
    expect(local.every((file) => fs.existsSync(file))).toBe(true);
    const lambda = map.sources.map((source) => new URL(source, "file:///var/task/index.js.map").pathname);
    expect(lambda).toContain("/handler/index.ts");
  });

  test("builds in memory and quietly: esbuild writes nothing, the build folder is written by bundleHandler", () => {
    const options = bundleOptions("/project/handler/index.ts");
    expect(options.write).toBe(false);
    // Where the bundle lands, one folder inside .build/, so the map's relative paths hold there.
    expect(path.dirname(path.dirname(options.outfile ?? ""))).toBe("/project/.build");
  });
});

describe("bundleHandler", () => {
  const roots: string[] = [];
  afterAll(() => {
    for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
  });

  test("gives the same bytes from two folders at different paths", () => {
    // GIVEN two copies of the handler at paths of different lengths
    const a = copyHandlerTo("ls-a-");
    const b = copyHandlerTo("ls-bbbbbbbbbbbbbbbbbbbbb-");
    roots.push(a, b);
    // WHEN
    const bundleA = buildBundle(path.join(a, "handler", "index.ts"));
    const bundleB = buildBundle(path.join(b, "handler", "index.ts"));
    // THEN
    expect(bundleA.files.map((f) => f.name)).toEqual(["index.js", "index.js.map"]);
    expect(bundleA.hash).toBe(bundleB.hash);
    expect(bundleA.files.map((file) => Buffer.from(file.contents))).toEqual(bundleB.files.map((file) => Buffer.from(file.contents)));
    const map = JSON.parse(Buffer.from(bundleA.files[1].contents).toString("utf8"));
    expect(map.sources).toEqual(["../../handler/index.ts", "../../handler/stream-options.ts", "../../handler/write-cars.ts"]);
    expect(Buffer.concat(bundleA.files.map((f) => f.contents)).toString("utf8")).not.toContain(a);
  });

  test("writes a content-addressed folder and reuses it", () => {
    const root = copyHandlerTo("ls-cache-");
    roots.push(root);
    const entry = path.join(root, "handler", "index.ts");
    const dir = bundleHandler(entry);
    expect(path.relative(root, dir)).toMatch(/^\.build\/handler-[0-9a-f]{16}$/);
    expect(fs.readdirSync(dir).sort()).toEqual(["index.js", "index.js.map"]);
    expect(bundleHandler(entry)).toBe(dir);
    expect(fs.readdirSync(path.join(root, ".build"))).toEqual([path.basename(dir)]);
  });

  test("a changed source gets a new folder", () => {
    const root = copyHandlerTo("ls-change-");
    roots.push(root);
    const entry = path.join(root, "handler", "index.ts");
    const before = bundleHandler(entry);
    fs.appendFileSync(entry, "\nexport const changed = 1;\n");
    expect(bundleHandler(entry)).not.toBe(before);
  });

  test("the bundle exports a streamifyResponse handler and needs no package at run time", () => {
    const dir = bundleHandler(HANDLER_ENTRY);
    const source = fs.readFileSync(path.join(dir, BUNDLE_FILE), "utf8");
    // Only Node.js built-ins may be required: the runtime has nothing else (no AWS SDK either).
    const required = [...source.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(required).toContain("node:events");
    expect(required.every((name) => name.startsWith("node:"))).toBe(true);
    expect(source).not.toMatch(/@aws-sdk|aws-sdk/);
    // The awslambda global comes from the stand-in installed by the helper import above.
    const loaded = require(path.join(dir, BUNDLE_FILE));
    expect(typeof loaded.handler).toBe("function");
    expect(loaded.handler[STREAMING_HANDLER_MARK]).toBe("response");
  });

  test("names the missing entry file and the fix", () => {
    expect(() => bundleHandler("/nowhere/handler/index.ts")).toThrow(
      "Cannot find the handler entry file at /nowhere/handler/index.ts. Set `entry` to the handler's index.ts.",
    );
  });

  test("a handler that does not build is one BundleError line, file:line:column, not esbuild's stack", () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "ls-broken-"));
    try {
      fs.mkdirSync(path.join(project, "handler"));
      const entry = path.join(project, "handler", "index.ts");
      fs.writeFileSync(entry, "export const handler = (;\n");
      let thrown: unknown;
      try {
        bundleHandler(entry);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(BundleError);
      expect((thrown as Error).message).toMatch(/^The handler does not build: \S*handler\/index\.ts:1:24: ERROR: Unexpected "\(?;"?$/);
      expect((thrown as Error).message).not.toContain("\n");
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
