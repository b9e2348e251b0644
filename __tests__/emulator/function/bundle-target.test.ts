// --bundle PATH: a folder of JavaScript served as it is, or a TypeScript or JavaScript entry (a
// file, or FILE.ts in a folder) to bundle; a wrong path or handler is one line naming it.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { bundleTarget } from "../../../emulator/function/bundle-target";
import { UsageError } from "../../../support/usage-error";

describe("bundleTarget", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ls-target-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string): string => {
    fs.writeFileSync(path.join(dir, name), "export const handler = 1;\n");
    return path.join(dir, name);
  };
  const name = (): string => path.basename(dir);

  test("a folder with FILE.js (or .mjs, .cjs) is served as it is", () => {
    write("app.mjs");
    expect(bundleTarget(dir, "app.main")).toEqual({ kind: "folder", dir, handler: "app.main", name: name() });
    write("index.js");
    expect(bundleTarget(dir, undefined)).toEqual({ kind: "folder", dir, handler: "index.handler", name: name() });
  });

  test("a folder with FILE.ts and no FILE.js bundles FILE.ts, served as index.EXPORT", () => {
    const entry = write("index.ts");
    expect(bundleTarget(dir, undefined)).toEqual({ kind: "entry", entry, handler: "index.handler", name: name() });
    const app = write("app.mts");
    expect(bundleTarget(dir, "app.main")).toEqual({ kind: "entry", entry: app, handler: "index.main", name: name() });
  });

  test("an entry file, TypeScript or JavaScript, is bundled; --handler picks its export", () => {
    const ts = write("handler.ts");
    expect(bundleTarget(ts, undefined)).toEqual({ kind: "entry", entry: ts, handler: "index.handler", name: "handler" });
    expect(bundleTarget(ts, "handler.main")).toEqual({ kind: "entry", entry: ts, handler: "index.main", name: "handler" });
    expect(bundleTarget(ts, "index.main")).toMatchObject({ handler: "index.main" });
    const js = write("app.js");
    expect(bundleTarget(js, undefined)).toEqual({ kind: "entry", entry: js, handler: "index.handler", name: "app" });
  });

  test("refuses, naming the value: no such path, a file that is not code, no file for the handler, a handler of another file", () => {
    const missing = path.join(dir, "missing");
    expect(() => bundleTarget(missing, undefined)).toThrow(
      new UsageError(`--bundle must be an existing folder or a .ts or .js entry file (got ${JSON.stringify(missing)}, which is neither)`),
    );
    const text = write("notes.md");
    expect(() => bundleTarget(text, undefined)).toThrow(
      new UsageError(`--bundle ${text}: an entry file must be TypeScript or JavaScript (.ts, .mts, .cts, .js, .mjs, .cjs)`),
    );
    expect(() => bundleTarget(dir, undefined)).toThrow(/no index\.js, \.mjs or \.cjs to serve, nor index\.ts to bundle/);
    const ts = write("handler.ts");
    expect(() => bundleTarget(ts, "other.handler")).toThrow(
      new UsageError(`--handler other.handler: with the entry file ${ts}, name its export as handler.EXPORT (e.g. handler.handler)`),
    );
    expect(() => bundleTarget(ts, "handler")).toThrow('--handler must be FILE.EXPORT such as index.handler (got "handler")');
  });
});
