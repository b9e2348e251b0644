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
import {
  compiledTransportBuilt,
  median,
  processTree,
  ROOT,
  type ServerProcess,
  startBare,
  startLocal,
  startRelay,
  timedGet,
  treeRss,
} from "./measure";
import { drawStreamingSvg } from "./plot";
import { type BenchOutputs, benchOutputs, formatTable, memoryRows, type Row } from "./report";

const FIXTURES = ["--bundle", path.join("bench", "fixtures"), "--handler", "bytes.handler", "--invoke-mode", "RESPONSE_STREAM"];
const SLOW_READER_BYTES_PER_SECOND = 32 * 1024 * 1024;

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

export const FULL: BenchSizes = {
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
export const SMOKE: BenchSizes = {
  ttfbSamples: 1,
  coldSamples: 1,
  bufferedSamples: 1,
  throughputMib: 2,
  memoryMib: 2,
  plotQuery: "?count=20&chunk=10&delay=5",
  loadConcurrent: 2,
  loadSequential: 5,
};

async function withServers<T>(start: () => Promise<ServerProcess[]>, body: (servers: ServerProcess[]) => Promise<T>): Promise<T> {
  const servers = await start();
  try {
    return await body(servers);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

/** Median time to the first body byte over `samples` warm requests, alternating the two URLs. */
async function warmFirstByte(urls: readonly [string, string], samples: number): Promise<[number, number]> {
  for (const url of urls) {
    for (let i = 0; i < 3; i += 1) await timedGet(url);
  }
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i < samples; i += 1) {
    for (const [k, url] of urls.entries()) {
      times[k].push((await timedGet(url)).firstByteMs);
    }
  }
  return [median(times[0]), median(times[1])];
}

/**
 * MiB/s of a `mib` MiB answer from each URL, the median of three, taken in turns (one from each,
 * three times over), so that the machine's moods fall on all of them alike.
 */
async function throughputs(urls: readonly string[], mib: number): Promise<number[]> {
  const timings: number[][] = urls.map(() => []);
  for (let round = 0; round < 3; round += 1) {
    for (const [k, url] of urls.entries()) {
      const t = await timedGet(url);
      if (t.bytes !== mib * 1024 * 1024) throw new Error(`expected ${mib} MiB from ${url}, got ${t.bytes} bytes`);
      timings[k].push(t.totalMs);
    }
  }
  return timings.map((t) => mib / (median(t) / 1000));
}

/** Spawn to first byte of a fresh environment: the first request to a fresh server on `transport`. */
async function freshEnvironmentFirstByte(transport: "node" | "native"): Promise<number> {
  return withServers(
    async () => [await startLocal(FIXTURES, { LAMBDA_RUNTIME_TRANSPORT: transport })],
    // The server is up; its pool has no environment yet: this request spawns one.
    async ([server]) => (await timedGet(`${server.url}?mib=0&kib=4`)).firstByteMs,
  );
}

/** Spawn to first byte of a fresh bare server process (its answer's transfer time left out). */
async function freshProcessFirstByte(): Promise<number> {
  const server = await startBare();
  try {
    const t = await timedGet(`${server.url}bytes?mib=0&kib=4`);
    return performance.now() - server.spawnedAt - (t.totalMs - t.firstByteMs);
  } finally {
    await server.stop();
  }
}

/**
 * Cold start, median of `samples` each, taken in turns: a fresh environment on the Node.js
 * transport, on the compiled one (when it is built here; NaN otherwise), and a fresh bare process.
 */
async function coldStart(samples: number, compiled: boolean): Promise<{ node: number; compiled: number; bare: number }> {
  const times = { node: [] as number[], compiled: [] as number[], bare: [] as number[] };
  for (let i = 0; i < samples; i += 1) {
    times.node.push(await freshEnvironmentFirstByte("node"));
    if (compiled) times.compiled.push(await freshEnvironmentFirstByte("native"));
    times.bare.push(await freshProcessFirstByte());
  }
  return { node: median(times.node), compiled: compiled ? median(times.compiled) : Number.NaN, bare: median(times.bare) };
}

/**
 * Growth of the server's process tree RSS while a slow reader takes `url`'s bytes, after a
 * warm-up of `warmMib` MiB at full speed. A fresh Node.js process grows its heap once, whatever
 * the traffic (the bare server too); after a warm-up of the same size, growth measures what is
 * held for the slow reader.
 */
async function memoryGrowth(server: ServerProcess, url: string, warmMib: number): Promise<number> {
  await timedGet(url.replace(/mib=\d+/, `mib=${warmMib}`));
  const before = treeRss(server.pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, treeRss(server.pid))), 20);
  try {
    await timedGet(url, { bytesPerSecond: SLOW_READER_BYTES_PER_SECOND });
  } finally {
    clearInterval(sampler);
  }
  return (peak - before) / 1024 / 1024;
}

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

/** Percentile `p` (0–100) of `values`. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * `--load`: heavier than the test suite. Many concurrent full streams, then a long run of
 * sequential requests, with the server's process tree counted and measured before and after.
 */
async function load(sizes: BenchSizes, log: (line: string) => void): Promise<void> {
  const CONCURRENT = sizes.loadConcurrent;
  const SEQUENTIAL = sizes.loadSequential;
  await withServers(
    async () => [await startLocal(["--max-environments", "16"])],
    async ([server]) => {
      const pid = server.pid;
      await timedGet(server.url);
      const started = performance.now();
      const results = await Promise.all(Array.from({ length: CONCURRENT }, () => timedGet(server.url)));
      const wall = performance.now() - started;
      const complete = results.filter((r) => r.status === 200 && r.bytes === 4_194_300).length;
      log(
        `${CONCURRENT} concurrent 🚗 streams (16 environments): ${complete}/${CONCURRENT} complete and full-length in ${wall.toFixed(0)} ms; ` +
          `first byte p50 ${percentile(
            results.map((r) => r.firstByteMs),
            50,
          ).toFixed(1)} ms, p99 ${percentile(
            results.map((r) => r.firstByteMs),
            99,
          ).toFixed(1)} ms; ` +
          `${((CONCURRENT * 4_194_300) / 1024 / 1024 / (wall / 1000)).toFixed(0)} MiB/s in all`,
      );
      const processes = (): number => processTree(pid).length;
      const before = { rss: treeRss(pid) / 1024 / 1024, processes: processes() };
      const times: number[] = [];
      let failures = 0;
      const seqStarted = performance.now();
      for (let i = 0; i < SEQUENTIAL; i += 1) {
        const t = await timedGet(`${server.url}?count=1000`);
        if (t.status !== 200 || t.bytes !== 4000) failures += 1;
        times.push(t.totalMs);
      }
      const seqWall = performance.now() - seqStarted;
      const after = { rss: treeRss(pid) / 1024 / 1024, processes: processes() };
      log(
        `${SEQUENTIAL} sequential requests: ${failures} failed; ${(SEQUENTIAL / (seqWall / 1000)).toFixed(0)} requests/s; ` +
          `latency p50 ${percentile(times, 50).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms; ` +
          `processes ${before.processes} → ${after.processes}; RSS ${before.rss.toFixed(1)} → ${after.rss.toFixed(1)} MiB`,
      );
    },
  );
}

/** `npm run bench`'s flags. */
export const BENCH_FLAGS = {
  plot: { type: "boolean" },
  load: { type: "boolean" },
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
  fs.mkdirSync(path.dirname(outputs.results), { recursive: true });
  fs.writeFileSync(outputs.results, `${JSON.stringify(results, null, 2)}\n`);
  log(`\nwrote ${path.relative(ROOT, outputs.results)}`);
}

if (require.main === module) {
  runBench(process.argv.slice(2), (line) => console.log(line)).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
