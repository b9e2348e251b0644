// `npm run bench`: the local Function URL against the physical floor (a bare server streaming the
// same bytes, a bare relay, a bare process's start, the compiled transport where built), in one
// run. Prints a table and writes results.json; `--plot` draws streaming.svg instead. Both go to
// bench/out/ (ignored), unless `--update` asks for the committed bench/results.json and
// docs/streaming.svg. Never part of `npm test`.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { bundleHandler } from "../lib/bundling";
import { HANDLER_ENTRY } from "../lib/lambda-streaming-stack";
import { zipFolder } from "../tools/zip-folder";
import { coldStart, memoryGrowth, throughputs, warmFirstByte } from "./figures";
import { load } from "./load";
import { localAwsRows } from "./local-aws";
import { compiledTransportBuilt, FIXTURES, ROOT, startBare, startLocal, startRelay, timedGet, withServers } from "./measure";
import { drawStreamingSvg } from "./plot";
import { type BenchOutputs, benchOutputs, formatTable, memoryRows, type Row } from "./report";

/** How much each measurement does. */
export interface BenchSizes {
  readonly ttfbSamples: number;
  readonly coldSamples: number;
  readonly bufferedSamples: number;
  /** Below the 200 MiB a streamed response may carry, which the local URL enforces as Lambda does. */
  readonly throughputMib: number;
  readonly memoryMib: number;
  readonly plotQuery: string;
  readonly loadConcurrent: number;
  readonly loadSequential: number;
}

const FULL: BenchSizes = {
  ttfbSamples: 25,
  coldSamples: 7,
  bufferedSamples: 10,
  throughputMib: 192,
  memoryMib: 64,
  plotQuery: "?count=4000&chunk=200&delay=50",
  loadConcurrent: 64,
  loadSequential: 1000,
};

/** `--smoke`: every measurement once and small, to check that the bench runs (the test suite does). */
const SMOKE: BenchSizes = {
  ttfbSamples: 1,
  coldSamples: 1,
  bufferedSamples: 1,
  throughputMib: 2,
  memoryMib: 2,
  plotQuery: "?count=20&chunk=10&delay=5",
  loadConcurrent: 2,
  loadSequential: 5,
};

function zipSize(): number {
  return zipFolder(bundleHandler(HANDLER_ENTRY), 0o644).length;
}

async function plot(outputs: BenchOutputs, query: string, log: (line: string) => void): Promise<void> {
  const [streamed, buffered] = await withServers(
    async () => [await startLocal([]), await startLocal(["--invoke-mode", "BUFFERED"])],
    async ([s, b]) => {
      await timedGet(`${s.url}${query}`);
      await timedGet(`${b.url}${query}`);
      return [await timedGet(`${s.url}${query}`), await timedGet(`${b.url}${query}`)];
    },
  );
  const file = outputs.svg;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, drawStreamingSvg({ query, streamed: streamed.progress, buffered: buffered.progress }));
  log(`wrote ${path.relative(ROOT, file)}: the same request (${query}) streamed and buffered`);
}

/** `npm run bench`'s flags. */
export const BENCH_FLAGS = {
  plot: { type: "boolean" },
  load: { type: "boolean" },
  "local-aws": { type: "boolean" },
  update: { type: "boolean" },
  smoke: { type: "boolean" },
} as const;

/**
 * `npm run bench -- [--plot | --load] [--update] [--smoke]` without the process around it;
 * `outputs` overrides where results go (tests write to a temporary folder).
 */
export async function runBench(argv: readonly string[], log: (line: string) => void, outputsOverride?: BenchOutputs): Promise<void> {
  const { values } = parseArgs({ args: [...argv], options: BENCH_FLAGS, strict: true });
  if (values.smoke && values.update) {
    throw new Error("--smoke and --update cannot go together: smoke figures must not replace the committed ones");
  }
  const sizes = values.smoke ? SMOKE : FULL;
  const outputs = outputsOverride ?? benchOutputs(ROOT, values.update === true);
  if (values.plot) {
    return plot(outputs, sizes.plotQuery, log);
  }
  if (values.load) {
    return load(sizes, log);
  }
  if (values["local-aws"]) {
    log(
      `local AWS benchmark on ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, Node.js ${process.version}; each figure beside its baseline, measured in this run\n`,
    );
    const rows = await localAwsRows(sizes.coldSamples, log);
    for (const line of formatTable(rows, values.smoke === true, "local AWS")) log(line);
    writeResults(outputs.localAws, rows, log);
    return;
  }
  const { ttfbSamples, throughputMib, memoryMib } = sizes;
  log(
    `benchmark on ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, Node.js ${process.version}; each local figure beside its baseline, measured in this run\n`,
  );
  const rows: Row[] = [];

  const [ttfbLocal, ttfbBare] = await withServers(
    async () => [await startLocal([]), await startBare()],
    ([local, bare]) => warmFirstByte([local.url, `${bare.url}cars`], ttfbSamples),
  );
  rows.push({
    name: `warm time to first byte, 🚗 stream (median of ${ttfbSamples})`,
    unit: "ms",
    local: ttfbLocal,
    baseline: ttfbBare,
    baselineName: "bare",
    target: "≤ 2 × bare + 5 ms",
    met: ttfbLocal <= 2 * ttfbBare + 5,
  });

  const [mbLocal, mbRelay, mbRaw] = await withServers(
    async () => {
      const bare = await startBare();
      return [bare, await startRelay(bare.url), await startLocal(FIXTURES)];
    },
    ([bare, relay, local]) =>
      throughputs(
        [`${local.url}?mib=${throughputMib}`, `${relay.url}bytes?mib=${throughputMib}`, `${bare.url}bytes?mib=${throughputMib}`],
        throughputMib,
      ),
  );
  rows.push({
    name: `throughput, ${throughputMib} MiB stream`,
    unit: "MiB/s",
    local: mbLocal,
    baseline: mbRelay,
    baselineName: "bare relay",
    reference: { name: "raw server", value: mbRaw },
    target: "≥ 90 % of bare relay",
    met: mbLocal >= 0.9 * mbRelay,
  });

  const compiled = compiledTransportBuilt();
  const cold = await coldStart(sizes.coldSamples, compiled);
  rows.push(
    {
      name: `cold start, spawn to first byte: Node.js vs compiled transport (median of ${sizes.coldSamples})`,
      unit: "ms",
      local: cold.node,
      baseline: cold.compiled,
      baselineName: compiled ? "compiled" : "compiled transport not built here",
      target: "≤ 1.2 × compiled",
      met: compiled ? cold.node <= 1.2 * cold.compiled : undefined,
    },
    {
      name: `cold start, spawn to first byte: vs a bare Node.js process (median of ${sizes.coldSamples})`,
      unit: "ms",
      local: cold.node,
      baseline: cold.bare,
      baselineName: "bare process",
      target: "≤ 2 × bare process",
      met: cold.node <= 2 * cold.bare,
    },
  );

  const [ttfbStream, ttfbBuffered] = await withServers(
    async () => [await startLocal([]), await startLocal(["--invoke-mode", "BUFFERED"])],
    ([s, b]) => warmFirstByte([s.url, b.url], sizes.bufferedSamples),
  );
  rows.push({
    name: "time to first byte, 🚗 stream vs BUFFERED",
    unit: "ms",
    local: ttfbStream,
    baseline: ttfbBuffered,
    baselineName: "BUFFERED",
    target: "streamed first",
    met: ttfbStream < ttfbBuffered,
  });

  const memory: Record<number, [number, number]> = {};
  for (const warmMib of [1, memoryMib]) {
    memory[warmMib] = await withServers(
      async () => [await startLocal(FIXTURES), await startBare()],
      async ([local, bare]) => [
        await memoryGrowth(local, `${local.url}?mib=${memoryMib}`, warmMib),
        await memoryGrowth(bare, `${bare.url}bytes?mib=${memoryMib}`, warmMib),
      ],
    );
  }
  rows.push(...memoryRows(memoryMib, memory[memoryMib], memory[1], 16));

  const zip = zipSize();
  rows.push({
    name: "deployed zip",
    unit: "bytes",
    local: zip,
    baseline: Number.NaN,
    baselineName: "",
    target: "< 16 KiB",
    met: zip < 16 * 1024,
    sizeIndependent: true,
  });

  for (const line of formatTable(rows, values.smoke === true)) log(line);
  writeResults(outputs.results, rows, log);
}

/** Writes `rows` with the machine they were measured on to `file`. */
function writeResults(file: string, rows: readonly Row[], log: (line: string) => void): void {
  const results = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      memoryBytes: os.totalmem(),
      platform: `${process.platform} ${process.arch}`,
    },
    node: process.version,
    rows,
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  log(`\nwrote ${path.relative(ROOT, file)}`);
}

if (require.main === module) {
  runBench(process.argv.slice(2), (line) => console.log(line)).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
