// Rules of the code base that no compiler checks: imports point one way (lib/ and handler/ at the
// bottom, then emulator/, then tools/, then bench/), and the code cites only what a reader has
// (files in the repository or public URLs).

import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const LAYERS: Record<string, number> = { handler: 0, lib: 0, emulator: 1, tools: 2, bench: 3 };

/** Every .ts, .js and .mjs file below `dir`, relative to the project root. */
function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sources(relative);
    return /\.(ts|mjs|js)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [relative] : [];
  });
}

/** The project folders `file` imports from (relative imports and requires only). */
function importedFolders(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  const specifiers = [...text.matchAll(/(?:from\s+|import\s+|import\s*\(\s*|require\(\s*)"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]);
  return specifiers.map((specifier) => path.relative(ROOT, path.resolve(ROOT, path.dirname(file), specifier)).split(path.sep)[0]);
}

describe("house rules", () => {
  test.each(Object.keys(LAYERS))("%s/ imports only from its own layer or the ones below", (folder) => {
    const wrong = sources(folder).flatMap((file) =>
      importedFolders(file)
        .filter((target) => target in LAYERS && target !== folder)
        .filter((target) => LAYERS[target] > LAYERS[folder] || (LAYERS[folder] === 0 && folder === "handler"))
        .map((target) => `${file} imports from ${target}/`),
    );
    expect(wrong).toEqual([]);
  });

  test("no source file cites a document outside the repository", () => {
    const files = [...Object.keys(LAYERS), "__tests__", ".ci"].flatMap((dir) => (fs.existsSync(path.join(ROOT, dir)) ? sources(dir) : []));
    files.push("main.ts");
    const citing = files.filter((file) => /\.\.\/shared\/|shared\/docs|§/.test(fs.readFileSync(path.join(ROOT, file), "utf8")));
    // This file names the patterns it looks for.
    expect(citing.filter((file) => file !== path.join("__tests__", "project", "house-rules.test.ts"))).toEqual([]);
  });
});
