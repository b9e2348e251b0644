// The benchmark's measuring tools: the slow reader, held to its rate whatever the machine (a real
// run's server may or may not outpace it), and the process-tree readings: `ps`, which machines
// without /proc (macOS) use, checked against /proc here, so that it cannot rot on Linux.

import { spawn } from "node:child_process";
import { once } from "node:events";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { processTree, psTreeRssKb, timedGet, treeRss } from "../../bench/measure";
import { describeWhenAvailable, missingReason, requireProcFs } from "../helpers/requirements";

describeWhenAvailable("the process tree from ps, as on a machine without /proc", missingReason(requireProcFs), () => {
  test("has the same members as /proc's, and about the same resident memory", async () => {
    // A child and a grandchild, each saying when it is up (then idle, so their memory holds still).
    const grandchild = "console.log('up'); setInterval(() => undefined, 1000)";
    const child = spawn(
      process.execPath,
      [
        "-e",
        `require("node:child_process").spawn(process.execPath, ["-e", ${JSON.stringify(grandchild)}], { stdio: "inherit" }); ${grandchild}`,
      ],
      { stdio: ["ignore", "pipe", "inherit"], detached: true },
    );
    const exited = once(child, "exit");
    const pid = child.pid as number;
    try {
      let out = "";
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          if (out.split("up").length > 2) resolve();
        });
        void exited.then(() => reject(new Error(`the child ended: ${out}`)));
      });
      const fromPs = psTreeRssKb(pid);
      expect([...fromPs.keys()].sort()).toEqual(processTree(pid).sort());
      expect(fromPs.size).toBe(2);
      const psBytes = [...fromPs.values()].reduce((sum, kb) => sum + kb * 1024, 0);
      expect(Math.abs(psBytes - treeRss(pid)) / 1024 / 1024).toBeLessThan(8);
    } finally {
      process.kill(-pid, "SIGKILL");
      await exited;
    }
    expect(psTreeRssKb(pid).size).toBe(0);
  });
});

describe("timedGet", () => {
  test("with bytesPerSecond, reads a fast server's answer no faster than that", async () => {
    const body = Buffer.alloc(64 * 1024, 97);
    const server = http.createServer((_req, res) => res.end(body));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const timing = await timedGet(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { bytesPerSecond: 128 * 1024 });
      expect(timing.bytes).toBe(body.length);
      // 64 KiB at 128 KiB/s: the reader pauses until 500 ms have passed (a lower bound only; a
      // loaded machine is slower, never faster).
      expect(timing.totalMs).toBeGreaterThanOrEqual(490);
    } finally {
      server.close();
    }
  });
});
