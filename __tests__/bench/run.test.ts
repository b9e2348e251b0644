// The benchmark itself, run small (`--smoke`): every measurement, the picture and the load run
// work end to end against real servers, so `npm run bench` cannot rot between releases.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { compiledTransportBuilt } from "../../bench/measure";
import type { BenchOutputs } from "../../bench/report";
import { runBench } from "../../bench/run";
import { locateRuntime } from "../../emulator/environment/runtime-command";
import { describeWhenAvailable, missingReason } from "../helpers/requirements";

describeWhenAvailable("npm run bench -- --smoke", missingReason(locateRuntime), () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ls-bench-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const outputs = (): BenchOutputs => ({
    results: path.join(dir, "results.json"),
    svg: path.join(dir, "streaming.svg"),
    localAws: path.join(dir, "local-aws-results.json"),
  });

  test("measures every row beside its baseline and writes results.json", async () => {
    const lines: string[] = [];
    await runBench(["--smoke"], (line) => lines.push(line), outputs());
    const results = JSON.parse(fs.readFileSync(outputs().results, "utf8"));
    expect(results.rows.map((row: { name: string }) => row.name)).toEqual([
      "warm time to first byte, 🚗 stream (median of 1)",
      "throughput, 2 MiB stream",
      "cold start, spawn to first byte: Node.js vs compiled transport (median of 1)",
      "cold start, spawn to first byte: vs a bare Node.js process (median of 1)",
      "time to first byte, 🚗 stream vs BUFFERED",
      "memory growth, slow reader of 2 MiB (warm)",
      "memory growth, same, fresh processes (heap sizing)",
      "deployed zip",
    ]);
    for (const row of results.rows as Array<{ local: number }>) {
      expect(Number.isFinite(row.local)).toBe(true);
    }
    // Each baseline measured in the same run: the bare relay with the raw server beside it; the
    // compiled transport where it is built (JSON writes the missing figure as null), a bare process.
    const row = (start: string) => results.rows.find((r: { name: string }) => r.name.startsWith(start));
    expect(row("throughput")).toMatchObject({ baselineName: "bare relay", reference: { name: "raw server" } });
    expect(Math.min(row("throughput").baseline, row("throughput").reference.value)).toBeGreaterThan(0);
    const built = compiledTransportBuilt();
    expect(row("cold start, spawn to first byte: Node.js vs compiled")).toMatchObject(
      built
        ? { baselineName: "compiled", baseline: expect.any(Number) }
        : { baselineName: "compiled transport not built here", baseline: null },
    );
    expect(row("cold start, spawn to first byte: vs a bare")).toMatchObject({ baselineName: "bare process", baseline: expect.any(Number) });
    expect(lines.some((line) => line.startsWith("| measure") || line.includes("local Function URL"))).toBe(true);
    // A smoke run's figures say nothing about the targets: no yes or NO for them, but for the zip's size.
    const table = lines.slice(lines.findIndex((line) => line.startsWith("measure")) + 2, -1);
    const verdicts = Object.fromEntries(table.map((line) => line.trimEnd().split(/ {2,}/)).map((cells) => [cells[0], cells.at(-1)]));
    expect(verdicts).toEqual({
      "warm time to first byte, 🚗 stream (median of 1)": "smoke: figures not meaningful",
      "throughput, 2 MiB stream": "smoke: figures not meaningful",
      // Without the compiled transport there is nothing to hold the Node.js one against.
      "cold start, spawn to first byte: Node.js vs compiled transport (median of 1)": compiledTransportBuilt()
        ? "smoke: figures not meaningful"
        : "—",
      "cold start, spawn to first byte: vs a bare Node.js process (median of 1)": "smoke: figures not meaningful",
      "time to first byte, 🚗 stream vs BUFFERED": "smoke: figures not meaningful",
      "memory growth, slow reader of 2 MiB (warm)": "smoke: figures not meaningful",
      "memory growth, same, fresh processes (heap sizing)": "—",
      "deployed zip": "yes",
    });
  }, 60_000);

  test("--plot draws the picture; --load counts processes and memory before and after", async () => {
    const lines: string[] = [];
    await runBench(["--plot", "--smoke"], (line) => lines.push(line), outputs());
    expect(fs.readFileSync(outputs().svg, "utf8")).toMatch(/^<svg /);
    await runBench(["--load", "--smoke"], (line) => lines.push(line), outputs());
    expect(lines).toContainEqual(expect.stringMatching(/^2 concurrent 🚗 streams \(16 environments\): 2\/2 complete and full-length/));
    // npm start and its runtime processes, counted (a reading that failed would count none).
    expect(lines).toContainEqual(expect.stringMatching(/^5 sequential requests: 0 failed; .* processes [1-9]\d* → [1-9]\d*; RSS [1-9]/));
  }, 60_000);

  test("refuses to let smoke figures replace the committed ones", async () => {
    await expect(runBench(["--smoke", "--update"], () => undefined)).rejects.toThrow(/--smoke and --update cannot go together/);
  });
});
