// The figures `npm run bench` sets beside their baselines: warm time to first byte, throughput,
// cold start (spawn to first byte) and the memory held for a slow reader.

import { FIXTURES, median, type ServerProcess, startBare, startLocal, timedGet, treeRss, withServers } from "./measure";

/** A slow reader's pace: well below what the local URL and the bare server can send. */
const SLOW_READER_BYTES_PER_SECOND = 32 * 1024 * 1024;

/** Median time to the first body byte over `samples` warm requests, alternating the two URLs. */
export async function warmFirstByte(urls: readonly [string, string], samples: number): Promise<[number, number]> {
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
export async function throughputs(urls: readonly string[], mib: number): Promise<number[]> {
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
export async function coldStart(samples: number, compiled: boolean): Promise<{ node: number; compiled: number; bare: number }> {
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
export async function memoryGrowth(server: ServerProcess, url: string, warmMib: number): Promise<number> {
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
