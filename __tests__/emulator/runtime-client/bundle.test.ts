// The transport's bundle is written once per content: a fresh folder gets it (written aside and
// renamed), and a folder that has it already keeps its file as it is.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { bundleRuntimeClient } from "../../../emulator/runtime-client/bundle";

describe("bundleRuntimeClient", () => {
  let outDir: string;
  beforeEach(() => {
    outDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ls-bundle-")), "not-yet-made");
  });
  afterEach(() => fs.rmSync(path.dirname(outDir), { recursive: true, force: true }));

  test("writes the bundle into a folder it makes, named by its content, with nothing left aside", () => {
    const file = bundleRuntimeClient(outDir);
    expect(path.dirname(file)).toBe(outDir);
    expect(path.basename(file)).toMatch(/^runtime-client-[0-9a-f]{16}\.cjs$/);
    expect(fs.readFileSync(file, "utf8")).toContain("require(");
    expect(fs.readdirSync(outDir)).toEqual([path.basename(file)]);
  });

  test("reuses the file already there for the same content", () => {
    const file = bundleRuntimeClient(outDir);
    fs.writeFileSync(file, "// the one already there\n");
    expect(bundleRuntimeClient(outDir)).toBe(file);
    expect(fs.readFileSync(file, "utf8")).toBe("// the one already there\n");
  });
});
