import * as fs from "node:fs";
import * as path from "node:path";
import { benchOutputs, formatTable, memoryRows, type Row } from "../../bench/report";

const ROOT = path.join(__dirname, "..", "..");

describe("benchOutputs", () => {
  test("by default writes to bench/out/, which git ignores: a benchmark leaves the tree clean", () => {
    const outputs = benchOutputs(ROOT, false);
    expect(outputs).toEqual({
      results: path.join(ROOT, "bench", "out", "results.json"),
      svg: path.join(ROOT, "bench", "out", "streaming.svg"),
      localAws: path.join(ROOT, "bench", "out", "local-aws-results.json"),
    });
    expect(fs.readFileSync(path.join(ROOT, ".gitignore"), "utf8").split("\n")).toContain("bench/out/");
  });

  test("--update writes over the committed figures and the README's picture", () => {
    const outputs = benchOutputs(ROOT, true);
    expect(outputs).toEqual({
      results: path.join(ROOT, "bench", "results.json"),
      svg: path.join(ROOT, "docs", "streaming.svg"),
      localAws: path.join(ROOT, "bench", "local-aws-results.json"),
    });
    expect(JSON.parse(fs.readFileSync(outputs.results, "utf8"))).toHaveProperty("rows");
    expect(fs.readFileSync(path.join(ROOT, "README.md"), "utf8")).toContain(path.relative(ROOT, outputs.svg));
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
  const row = (name: string, met: boolean, sizeIndependent?: boolean): Row => ({
    name,
    unit: "ms",
    local: 1,
    baseline: 1,
    baselineName: "bare",
    target: "t",
    met,
    ...(sizeIndependent ? { sizeIndependent } : {}),
  });
  const verdicts = (lines: string[]): string[] => lines.slice(2).map((line) => line.trimEnd().split(/ {2,}/).at(-1) ?? "");

  test("a full run says yes or NO for each target, and — where there is none", () => {
    const rows = [row("fast", true), row("slow", false), { ...row("cold", true), met: undefined }];
    expect(verdicts(formatTable(rows))).toEqual(["yes", "NO", "—"]);
  });

  test("a smoke run says its figures mean nothing instead of NO, but for a size-independent figure", () => {
    const rows = [row("fast", true), row("slow", false), row("zip", false, true), { ...row("cold", true), met: undefined }];
    const smoke = "smoke: figures not meaningful";
    expect(verdicts(formatTable(rows, true))).toEqual([smoke, smoke, "NO", "—"]);
  });

  // The met column of a real run depends on how the machine performed; each case is shown here.
  test("lays out each row: figure, baseline (and a reference beside it), ratio, target, verdict; — for a row without a baseline", () => {
    const base = { unit: "ms", baselineName: "bare", target: "≤ 5 ms" };
    const lines = formatTable([
      { ...base, name: "met", local: 2, baseline: 4, met: true },
      { ...base, name: "missed", local: 8, baseline: 4, met: false },
      { ...base, name: "no target", local: 3, baseline: 4, met: undefined },
      { ...base, name: "relay", baselineName: "bare relay", reference: { name: "raw server", value: 9 }, local: 3, baseline: 4, met: true },
      { ...base, name: "not built", baselineName: "compiled transport not built here", local: 3, baseline: Number.NaN, met: undefined },
      { ...base, name: "zip", unit: "bytes", baselineName: "", local: 9000, baseline: Number.NaN, met: true },
    ]);
    expect(lines.slice(2).map((line) => line.trimEnd().split(/ {2,}/))).toEqual([
      ["met", "2.0 ms", "4.0 ms (bare)", "0.50×", "≤ 5 ms", "yes"],
      ["missed", "8.0 ms", "4.0 ms (bare)", "2.00×", "≤ 5 ms", "NO"],
      ["no target", "3.0 ms", "4.0 ms (bare)", "0.75×", "≤ 5 ms", "—"],
      ["relay", "3.0 ms", "4.0 ms (bare relay); raw server 9.0 ms", "0.75×", "≤ 5 ms", "yes"],
      ["not built", "3.0 ms", "— (compiled transport not built here)", "—", "≤ 5 ms", "—"],
      ["zip", "9000 bytes", "—", "—", "≤ 5 ms", "yes"],
    ]);
  });
});
