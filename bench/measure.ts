// Measuring tools for the benchmark: servers in child processes, timed requests, a rate-limited
// reader, and the resident memory of a process tree.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";

export const ROOT = path.join(__dirname, "..");

/** `npm start`'s flags for the benchmark's handler (bench/fixtures/bytes.mjs), streamed. */
export const FIXTURES = ["--bundle", path.join("bench", "fixtures"), "--handler", "bytes.handler", "--invoke-mode", "RESPONSE_STREAM"];

export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** The server's process id (it printed its URL, so it is running). */
  readonly pid: number;
  readonly spawnedAt: number;
  stop(): Promise<void>;
}

/** Spawns a server that prints its URL (the first http:// it prints) and waits for it. */
function startServer(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<ServerProcess> {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  // stdio is ["ignore", "pipe", "pipe"], so both streams exist.
  const stdout = child.stdout as NodeJS.ReadableStream;
  const stderr = child.stderr as NodeJS.ReadableStream;
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    stderr.on("data", (d: Buffer) => (err += d.toString()));
    stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const url = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
      if (url) {
        stdout.removeAllListeners("data");
        stdout.resume();
        resolve({
          url,
          child,
          pid: child.pid ?? 0,
          spawnedAt,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once("exit", () => done());
              child.kill("SIGTERM");
              setTimeout(() => child.kill("SIGKILL"), 3000).unref();
            }),
        });
      }
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code} before printing its URL: ${err || out}`)));
  });
}

/**
 * `npm start`'s command line, without `node` (and the shell's `exec` before it, which only makes
 * node npm's own child): the same flags, so the bench measures what users run.
 */
function startCommand(): string[] {
  const script = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } }).scripts.start;
  const [program, ...args] = script.replace(/^exec\s+/, "").split(/\s+/);
  if (program !== "node") {
    throw new Error(`the start script should begin with \`node\` (or \`exec node\`), found ${JSON.stringify(script)}`);
  }
  return args;
}

/**
 * The local Function URL (`npm start`) in its own process, with public auth and without Lambda's
 * bandwidth cap (the bench measures the emulator, not the cap); `env` adds to the environment.
 */
export function startLocal(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  return startServer([...startCommand(), "--port", "0", "--auth", "NONE", "--bandwidth", "unlimited", ...args], { ...process.env, ...env });
}

export function startBare(): Promise<ServerProcess> {
  return startServer([path.join("bench", "bare-server.mjs")]);
}

/** The bare two-hop relay in front of `upstream` (a bare server's URL). */
export function startRelay(upstream: string): Promise<ServerProcess> {
  return startServer([path.join("bench", "bare-relay.mjs"), upstream]);
}

/**
 * Whether aws-lambda-ric's compiled client is built here (LAMBDA_RUNTIME_TRANSPORT=native needs
 * it; `npm install` does not build it, CI does).
 */
export function compiledTransportBuilt(): boolean {
  try {
    return fs.existsSync(path.join(path.dirname(require.resolve("aws-lambda-ric/package.json")), "dist", "rapid-client.node"));
  } catch {
    return false;
  }
}

export interface Timing {
  readonly status: number;
  readonly firstByteMs: number;
  readonly totalMs: number;
  readonly bytes: number;
  /** Bytes received by each moment, for the picture. */
  readonly progress: ReadonlyArray<readonly [number, number]>;
}

/**
 * GETs `url` and times it. With `bytesPerSecond`, reads no faster than that: the socket is paused
 * whenever the reader is ahead of the rate, so backpressure reaches the server.
 */
export function timedGet(url: string, options: { bytesPerSecond?: number; onProgress?: (bytes: number) => void } = {}): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.get(url, { agent: false }, (res) => {
      let first: number | undefined;
      let bytes = 0;
      const progress: [number, number][] = [];
      res.on("data", (chunk: Buffer) => {
        const now = performance.now() - started;
        first ??= now;
        bytes += chunk.length;
        progress.push([now, bytes]);
        options.onProgress?.(bytes);
        if (options.bytesPerSecond) {
          const aheadMs = (bytes / options.bytesPerSecond) * 1000 - now;
          if (aheadMs > 1) {
            res.pause();
            setTimeout(() => res.resume(), aheadMs);
          }
        }
      });
      res.once("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          firstByteMs: first ?? performance.now() - started,
          totalMs: performance.now() - started,
          bytes,
          progress,
        }),
      );
      res.once("error", reject);
    });
    req.once("error", reject);
  });
}

/** Linux's /proc: read where it exists; elsewhere (macOS) `ps` answers. */
const HAS_PROC = fs.existsSync("/proc/self/status");

/** `pid` and all its descendants that are still running (Linux /proc, else ps). */
export function processTree(pid: number): number[] {
  if (!HAS_PROC) {
    return [...psTreeRssKb(pid).keys()];
  }
  const tree: number[] = [];
  const stack = [pid];
  for (let current = stack.pop(); current !== undefined; current = stack.pop()) {
    try {
      for (const task of fs.readdirSync(`/proc/${current}/task`)) {
        const children = fs.readFileSync(`/proc/${current}/task/${task}/children`, "utf8").trim();
        if (children) stack.push(...children.split(/\s+/).map(Number));
      }
      tree.push(current);
    } catch {
      // The process ended while we looked.
    }
  }
  return tree;
}

/** Resident memory of `pid` and all its descendants, in bytes (Linux /proc, else ps). */
export function treeRss(pid: number): number {
  if (!HAS_PROC) {
    return [...psTreeRssKb(pid).values()].reduce((sum, kb) => sum + kb * 1024, 0);
  }
  let total = 0;
  for (const member of processTree(pid)) {
    try {
      total += Number(/^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${member}/status`, "utf8"))?.[1] ?? 0) * 1024;
    } catch {
      // The process ended while we looked.
    }
  }
  return total;
}

/**
 * `pid` and its descendants with their resident memory in KiB, from one `ps` listing (macOS has
 * no /proc); exported to be tested against /proc on Linux. Empty when `pid` is gone.
 */
export function psTreeRssKb(pid: number): Map<number, number> {
  const listing = spawnSync("ps", ["-A", "-o", "pid=,ppid=,rss="], { encoding: "utf8", timeout: 10_000 });
  const rows = listing.stdout
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter((row) => row.length === 3 && row[0] !== listing.pid);
  const tree = new Map<number, number>();
  const stack = rows.some(([member]) => member === pid) ? [pid] : [];
  for (let current = stack.pop(); current !== undefined; current = stack.pop()) {
    for (const [member, parent, rssKb] of rows) {
      if (member === current) tree.set(member, rssKb);
      if (parent === current) stack.push(member);
    }
  }
  return tree;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs `body` with the servers `start` starts, and stops them all afterwards. */
export async function withServers<T>(start: () => Promise<ServerProcess[]>, body: (servers: ServerProcess[]) => Promise<T>): Promise<T> {
  const servers = await start();
  try {
    return await body(servers);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}
