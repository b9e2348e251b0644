// The floor for a relay: a bare Node.js server that answers each request by fetching the same path
// from another server (`http.get`) and piping that answer through, status and headers included.
// Every byte crosses loopback twice, as through the local Function URL, with nothing else done.
//   node bench/bare-relay.mjs <upstream URL, e.g. http://127.0.0.1:41234/>
import * as http from "node:http";

const upstream = new URL(process.argv[2] ?? "");
const server = http.createServer({ noDelay: true }, (req, res) => {
  http
    .get(new URL(req.url, upstream), (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    })
    .on("error", (error) => res.destroy(error));
});
server.listen(0, "127.0.0.1", () => {
  console.log(`http://127.0.0.1:${server.address().port}/`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
