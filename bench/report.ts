// What `npm run bench` reports and where: the rows in the order they read, the table, and the
// files it writes. Pure, so the order and the paths are testable without running a benchmark.

import * as path from "node:path";

export interface Row {
  readonly name: string;
  readonly unit: string;
  readonly local: number;
  readonly baseline: number;
  readonly baselineName: string;
  readonly target: string;
  readonly met: boolean | undefined;
  /** A second figure beside the baseline, for scale only (no target is set against it). */
  readonly reference?: { readonly name: string; readonly value: number };
  /** A figure a small run measures as well as a full one (the zip's size): its target holds in `--smoke` too. */
  readonly sizeIndependent?: boolean;
}

/** What a `--smoke` run says in place of yes or NO: one sample of a small load proves nothing. */
const SMOKE_VERDICT = "smoke: figures not meaningful";

/** Where a run writes its results and its picture. */
export interface BenchOutputs {
  readonly results: string;
  readonly svg: string;
  /** `--local-aws`'s figures. */
  readonly localAws: string;
}

/** The ignored folder a run writes to unless `--update` asks for the committed files. */
const SCRATCH_DIR = path.join("bench", "out");

/**
 * By default a run writes to `bench/out/` (ignored by git), so benchmarking leaves the working
 * tree clean; `--update` replaces the committed figures (`bench/results.json`) and picture
 * (`docs/streaming.svg`) on purpose.
 */
export function benchOutputs(root: string, update: boolean): BenchOutputs {
  return update
    ? {
        results: path.join(root, "bench", "results.json"),
        svg: path.join(root, "docs", "streaming.svg"),
        localAws: path.join(root, "bench", "local-aws-results.json"),
      }
    : {
        results: path.join(root, SCRATCH_DIR, "results.json"),
        svg: path.join(root, SCRATCH_DIR, "streaming.svg"),
        localAws: path.join(root, SCRATCH_DIR, "local-aws-results.json"),
      };
}

/** A memory figure: local and bare-server growth, in MiB. */
export type MemoryPair = readonly [local: number, bare: number];

/**
 * The two memory rows, the warm one first: the fresh-process row says "same" and refers to it,
 * whichever was measured first.
 */
export function memoryRows(readerMib: number, warm: MemoryPair, fresh: MemoryPair, limitMib: number): Row[] {
  return [
    {
      name: `memory growth, slow reader of ${readerMib} MiB (warm)`,
      unit: "MiB",
      local: warm[0],
      baseline: warm[1],
      baselineName: "bare",
      target: `< ${limitMib} MiB`,
      met: warm[0] < limitMib,
    },
    {
      name: "memory growth, same, fresh processes (heap sizing)",
      unit: "MiB",
      local: fresh[0],
      baseline: fresh[1],
      baselineName: "bare",
      target: "—",
      met: undefined,
    },
  ];
}

/**
 * The table's lines: a header, a rule, and one line per row, columns padded to fit. In a smoke
 * run a target's verdict is {@link SMOKE_VERDICT}, unless the figure does not depend on the size.
 */
export function formatTable(rows: readonly Row[], smoke = false, measured = "local Function URL"): string[] {
  const header = ["measure", measured, "baseline", "ratio", "target", "met"];
  const lines = rows.map((r) => [
    r.name,
    `${r.local.toFixed(r.unit === "bytes" ? 0 : 1)} ${r.unit}`,
    baselineCell(r),
    Number.isNaN(r.baseline) ? "—" : `${(r.local / r.baseline).toFixed(2)}×`,
    r.target,
    verdict(r, smoke),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  return [fmt(header), widths.map((w) => "-".repeat(w)).join("  "), ...lines.map(fmt)];
}

/**
 * The baseline and its name; `—` where there is none (with why, when the row says: a transport not
 * built here); then the reference figure, if any.
 */
function baselineCell(row: Row): string {
  const baseline = Number.isNaN(row.baseline)
    ? `—${row.baselineName ? ` (${row.baselineName})` : ""}`
    : `${row.baseline.toFixed(1)} ${row.unit} (${row.baselineName})`;
  return row.reference ? `${baseline}; ${row.reference.name} ${row.reference.value.toFixed(1)} ${row.unit}` : baseline;
}

function verdict(row: Row, smoke: boolean): string {
  if (row.met === undefined) {
    return "—";
  }
  if (smoke && !row.sizeIndependent) {
    return SMOKE_VERDICT;
  }
  return row.met ? "yes" : "NO";
}
