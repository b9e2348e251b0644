// `npm run bench -- --load`: heavier than the test suite. Many concurrent full streams, then a
// long run of sequential requests, with the server's process tree counted and measured.

import { processTree, startLocal, timedGet, treeRss, withServers } from "./measure";
import type { BenchSizes } from "./run";

/** Percentile `p` (0–100) of `values`. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * `--load`: heavier than the test suite. Many concurrent full streams, then a long run of
 * sequential requests, with the server's process tree counted and measured before and after.
 */
export async function load(sizes: BenchSizes, log: (line: string) => void): Promise<void> {
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
