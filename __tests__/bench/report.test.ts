import * as fs from "node:fs";
import * as path from "node:path";
import { benchOutputs, formatTable, memoryRows } from "../../bench/report";

const ROOT = path.join(__dirname, "..", "..");

describe("benchOutputs", () => {
  test("by default writes to bench/out/, which git ignores: a benchmark leaves the tree clean", () => {
    const outputs = benchOutputs(ROOT, false);
    expect(outputs).toEqual({
      results: path.join(ROOT, "bench", "out", "results.json"),
      svg: path.join(ROOT, "bench", "out", "streaming.svg"),
    });
    expect(fs.readFileSync(path.join(ROOT, ".gitignore"), "utf8").split("\n")).toContain("bench/out/");
  });

  test("--update writes the committed figures and picture", () => {
    expect(benchOutputs(ROOT, true)).toEqual({
      results: path.join(ROOT, "bench", "results.json"),
      svg: path.join(ROOT, "docs", "streaming.svg"),
    });
  });
});

describe("memoryRows", () => {
  test("the warm row comes first, so the fresh-process row's 'same' refers to the row above it", () => {
    const rows = memoryRows(64, [3, 1], [23, 10], 16);
    expect(rows.map((r) => r.name)).toEqual([
      "memory growth, slow reader of 64 MiB (warm)",
      "memory growth, same, fresh processes (heap sizing)",
    ]);
    expect(rows.map((r) => [r.local, r.baseline, r.met])).toEqual([
      [3, 1, true],
      [23, 10, undefined],
    ]);
    expect(
      formatTable(rows)
        .slice(2)
        .map((line) => line.split("  ")[0]),
    ).toEqual(rows.map((r) => r.name));
  });
});

describe("formatTable", () => {
  // The met column of a real run depends on how the machine performed; each case is shown here.
  test("says yes, NO or — for a target met, missed or absent, and — for a row without a baseline", () => {
    const row = { unit: "ms", baselineName: "bare", target: "≤ 5 ms" };
    const lines = formatTable([
      { ...row, name: "met", local: 2, baseline: 4, met: true },
      { ...row, name: "missed", local: 8, baseline: 4, met: false },
      { ...row, name: "no target", local: 3, baseline: 4, met: undefined },
      { ...row, name: "zip", unit: "bytes", local: 9000, baseline: Number.NaN, met: true },
    ]);
    expect(lines.slice(2).map((line) => line.trimEnd().split(/ {2,}/))).toEqual([
      ["met", "2.0 ms", "4.0 ms (bare)", "0.50×", "≤ 5 ms", "yes"],
      ["missed", "8.0 ms", "4.0 ms (bare)", "2.00×", "≤ 5 ms", "NO"],
      ["no target", "3.0 ms", "4.0 ms (bare)", "0.75×", "≤ 5 ms", "—"],
      ["zip", "9000 bytes", "—", "—", "≤ 5 ms", "yes"],
    ]);
  });
});
