// Rules of the code base that no compiler checks: imports point one way (protocol/, support/, lib/
// and handler/ at the bottom, then emulator/, then tools/, then bench/; inside emulator/, its layer
// folders in the order a request meets them), and the code cites only what a reader has (files in
// the repository or public URLs).

import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const LAYERS: Record<string, number> = { protocol: 0, support: 0, handler: 0, lib: 0, emulator: 1, tools: 2, bench: 3 };

/**
 * What each bottom folder may take from the others: handler/ ships to Lambda alone; protocol/
 * (AWS's rules) needs nothing; support/ uses protocol/'s values; the stack in lib/ uses both.
 */
const BOTTOM_IMPORTS: Record<string, readonly string[]> = {
  protocol: [],
  support: ["protocol"],
  handler: [],
  lib: ["protocol", "support"],
};

/** Every .ts, .js and .mjs file below `dir`, relative to the project root. */
function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sources(relative);
    return /\.(ts|mjs|js)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [relative] : [];
  });
}

/** What `file` imports (relative imports and requires only), as paths from the project root. */
function importedPaths(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  const specifiers = [...text.matchAll(/(?:from\s+|import\s+|import\s*\(\s*|require\(\s*)"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]);
  return specifiers.map((specifier) => path.relative(ROOT, path.resolve(ROOT, path.dirname(file), specifier)));
}

/** The project folders `file` imports from. */
function importedFolders(file: string): string[] {
  return importedPaths(file).map((target) => target.split(path.sep)[0]);
}

/**
 * emulator/'s layers, top to bottom, in the order a request meets them (docs/layout.md). A folder
 * imports only from folders ranked below it: the two doors (url/, api/) are siblings and never
 * import each other, and share what they do alike through door/; common/ is below all; the public files at emulator/'s root (testing.ts) are
 * above all.
 */
const EMULATOR_LAYERS: Record<string, number> = {
  cli: 10,
  deployed: 9,
  url: 8,
  api: 8,
  control: 8,
  door: 7,
  auth: 6,
  function: 5,
  invocation: 4,
  environment: 3,
  "runtime-api": 2,
  "runtime-client": 1,
  common: 0,
};
const EMULATOR_ROOT_RANK = 11;

/** The layer of an emulator/ path ("emulator/url/server.ts" → "url"), or the root for a file directly in emulator/. */
function emulatorLayer(file: string): string {
  const parts = file.split(path.sep);
  return parts.length > 2 ? parts[1] : "";
}

/** Every import in `imports` (file → what it imports) that runs up or across emulator/'s layers. */
function emulatorLayerViolations(imports: ReadonlyArray<readonly [string, readonly string[]]>): string[] {
  const rank = (layer: string): number => (layer === "" ? EMULATOR_ROOT_RANK : (EMULATOR_LAYERS[layer] ?? Number.NaN));
  return imports.flatMap(([file, targets]) =>
    targets
      .filter((target) => target.split(path.sep)[0] === "emulator")
      .filter((target) => {
        const from = emulatorLayer(file);
        const to = emulatorLayer(target);
        return from !== to && !(rank(to) < rank(from));
      })
      .map((target) => `${file} imports ${target} (${emulatorLayer(file) || "emulator/"} → ${emulatorLayer(target) || "emulator/"})`),
  );
}

describe("house rules", () => {
  test.each(Object.keys(LAYERS))("%s/ imports only from its own layer or the ones below", (folder) => {
    const wrong = sources(folder).flatMap((file) =>
      importedFolders(file)
        .filter((target) => target in LAYERS && target !== folder)
        .filter((target) => LAYERS[target] > LAYERS[folder] || (LAYERS[folder] === 0 && !BOTTOM_IMPORTS[folder].includes(target)))
        .map((target) => `${file} imports from ${target}/`),
    );
    expect(wrong).toEqual([]);
  });

  test("tools/ and bench/ take nothing from emulator/'s insides (what they share with it lives in protocol/ and support/)", () => {
    const reaching = ["tools", "bench"].flatMap((dir) =>
      sources(dir).flatMap((file) =>
        importedPaths(file)
          .filter((target) => target.startsWith(`emulator${path.sep}`))
          .map((target) => `${file} imports ${target}`),
      ),
    );
    expect(reaching).toEqual([]);
  });

  test("emulator/ has exactly the layer folders the rule ranks", () => {
    const folders = fs
      .readdirSync(path.join(ROOT, "emulator"), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.sort()).toEqual(Object.keys(EMULATOR_LAYERS).sort());
  });

  test("emulator/'s folders import only the folders below them", () => {
    const imports = sources("emulator").map((file) => [file, importedPaths(file)] as const);
    expect(emulatorLayerViolations(imports)).toEqual([]);
  });

  test("the emulator rule fails a folder that imports one above it, or its sibling door", () => {
    const at = (...parts: string[]): string => path.join("emulator", ...parts);
    expect(
      emulatorLayerViolations([
        [at("environment", "x.ts"), [at("invocation", "pool")]],
        [at("api", "x.ts"), [at("url", "event")]],
        [at("common", "x.ts"), [at("runtime-client", "bundle")]],
        [at("url", "x.ts"), [at("invocation", "pool"), at("common", "constants"), at("url", "send")]],
        [at("cli", "x.ts"), ["emulator/testing"]],
      ]),
    ).toEqual([
      `${at("environment", "x.ts")} imports ${at("invocation", "pool")} (environment → invocation)`,
      `${at("api", "x.ts")} imports ${at("url", "event")} (api → url)`,
      `${at("common", "x.ts")} imports ${at("runtime-client", "bundle")} (common → runtime-client)`,
      `${at("cli", "x.ts")} imports emulator/testing (cli → emulator/)`,
    ]);
  });

  test("no source file cites a document outside the repository", () => {
    const files = [...Object.keys(LAYERS), "__tests__", ".ci"].flatMap((dir) => (fs.existsSync(path.join(ROOT, dir)) ? sources(dir) : []));
    files.push("main.ts");
    const citing = files.filter((file) => /\.\.\/shared\/|shared\/docs|§/.test(fs.readFileSync(path.join(ROOT, file), "utf8")));
    // This file names the patterns it looks for.
    expect(citing.filter((file) => file !== path.join("__tests__", "project", "house-rules.test.ts"))).toEqual([]);
  });
});
