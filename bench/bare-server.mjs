// The physical floor: a bare Node.js HTTP server that streams the same bytes the function does,
// with the same write sizes and the same wait for drain. No Lambda, no runtime, no prelude.
//   /cars?count=N&chunk=C   the 🚗 body in C-car writes (defaults as the handler's)
//   /bytes?mib=N&kib=K      N MiB of 🚗 in K KiB writes (as bench/fixtures/bytes.mjs)
import { once } from "node:events";
import * as http from "node:http";

async function stream(res, total, chunkBytes) {
  const chunk = Buffer.from("🚗".repeat(chunkBytes / 4));
  for (let left = total; left > 0; left -= chunk.length) {
    if (!res.write(left >= chunk.length ? chunk : chunk.subarray(0, left))) {
      await once(res, "drain");
    }
  }
  res.end();
}

const server = http.createServer({ noDelay: true }, (req, res) => {
  const url = new URL(req.url, "http://x");
  res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
  res.flushHeaders();
  if (url.pathname === "/cars") {
    const count = Number(url.searchParams.get("count") ?? 1024 * 1024 - 1);
    void stream(res, count * 4, Number(url.searchParams.get("chunk") ?? 1024) * 4);
  } else {
    void stream(res, Number(url.searchParams.get("mib") ?? 1) * 1024 * 1024, Number(url.searchParams.get("kib") ?? 64) * 1024);
  }
});
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  console.log(`http://127.0.0.1:${server.address().port}/`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
