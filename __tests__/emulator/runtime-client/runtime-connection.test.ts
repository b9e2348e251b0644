// The transport's one connection, against a Runtime API in its own process (a blocking request
// blocks this thread): awaited requests in order on one kept-alive socket, blocking requests on
// the same socket that return with their answer, and each way the connection can be unusable.

import { requestInChild } from "../../../emulator/runtime-client/blocking-child";
import { BlockingDeadlineError } from "../../../emulator/runtime-client/blocking-io";
import { ConnectionUnavailableError, RuntimeConnection } from "../../../emulator/runtime-client/runtime-connection";
import { type RuntimeApiDouble, startRuntimeApiDouble } from "./runtime-api-double";

const post = (path: string, body = "x") => ({ method: "POST" as const, path, headers: { "content-type": "application/json" }, body });
const get = (path: string) => ({ method: "GET" as const, path });

let api: RuntimeApiDouble;
let connection: RuntimeConnection;
beforeEach(async () => {
  api = await startRuntimeApiDouble();
  connection = RuntimeConnection.fromAddress(api.address);
});
afterEach(async () => {
  connection.close();
  await api.stop();
});

describe("awaited requests", () => {
  test("go one after another on one kept-alive socket, in the order asked", async () => {
    const answers = ["/held", "/second", "/third"].map((path) => connection.request(post(path)));
    await api.waitForSeen(1);
    // Give the other two every chance to overtake: a full round trip of a separate request.
    expect(await api.control("/probe")).toBe(202);
    expect(api.seen.map((s) => s.url)).toEqual(["/held"]);
    expect(await api.control("/release")).toBe(204);
    expect((await Promise.all(answers)).map((a) => a.status)).toEqual([202, 202, 202]);
    const seen = await api.waitForSeen(3);
    expect(seen.map((s) => s.url)).toEqual(["/held", "/second", "/third"]);
    expect(new Set(seen.map((s) => s.connection))).toEqual(new Set([1]));
    expect(seen[0]).toMatchObject({ method: "POST", body: "x", headers: { "content-length": "1", host: api.address } });
  });

  test("a failed request does not stop the ones after it, and its error names it", async () => {
    const dropped = connection.request(get("/drop"));
    const after = connection.request(get("/after"));
    await expect(dropped).rejects.toThrow("GET /drop: the connection closed before an answer");
    expect((await after).status).toBe(202);
    expect((await api.waitForSeen(2)).map((s) => [s.url, s.connection])).toEqual([
      ["/drop", 1],
      ["/after", 2],
    ]);
  });

  test("an answer that is not HTTP fails its request, naming it; the next one gets a new connection", async () => {
    await expect(connection.request(get("/garbage"))).rejects.toThrow(
      'GET /garbage: the answer does not start with an HTTP/1.1 status line: "nonsense"',
    );
    expect((await connection.request(get("/after"))).status).toBe(202);
    expect((await api.waitForSeen(2)).map((s) => s.connection)).toEqual([1, 2]);
  });

  test("a chunked answer is read whole; after Connection: close the next request opens a new connection", async () => {
    expect((await connection.request(get("/chunked"))).body.toString()).toBe("chunked");
    const closing = await connection.request(get("/close"));
    expect(closing).toMatchObject({ status: 200, closes: true });
    expect(closing.body.toString()).toBe("bye");
    expect((await connection.request(get("/after"))).status).toBe(202);
    expect((await api.waitForSeen(3)).map((s) => s.connection)).toEqual([1, 1, 2]);
  });

  test("nothing listening: the request fails, naming the address", async () => {
    const port = api.port;
    await api.stop();
    const orphan = new RuntimeConnection("127.0.0.1", port);
    try {
      await expect(orphan.request(get("/next"))).rejects.toThrow(`could not connect to the Runtime API at 127.0.0.1:${port}`);
    } finally {
      orphan.close();
      api = await startRuntimeApiDouble();
    }
  });

  test("refuses an address that is not host:port, naming it", () => {
    expect(() => RuntimeConnection.fromAddress("localhost")).toThrow('AWS_LAMBDA_RUNTIME_API is "localhost"; it must be host:port');
  });
});

describe("blocking requests", () => {
  test("return with their answer, on the socket the awaited requests use", async () => {
    expect((await connection.request(get("/next"))).status).toBe(200);
    const answer = connection.requestSync(post("/response", '{"ok":"🚗"}'), 10_000);
    expect(answer.status).toBe(202);
    expect(answer.body.toString()).toBe('{"status":"OK"}');
    // Answered before it returned: the server has it, though this thread has not run since.
    expect(connection.requestSync(get("/chunked"), 10_000).body.toString()).toBe("chunked");
    expect((await api.waitForSeen(3)).map((s) => [s.url, s.connection, s.body])).toEqual([
      ["/next", 1, ""],
      ["/response", 1, '{"ok":"🚗"}'],
      ["/chunked", 1, ""],
    ]);
  });

  test("while an awaited request is out, nothing is sent: the connection is unavailable", async () => {
    const waiting = connection.request(get("/held"));
    await api.waitForSeen(1);
    expect(() => connection.requestSync(post("/response"), 10_000)).toThrow(
      new ConnectionUnavailableError("it is waiting for the answer to an earlier request"),
    );
    expect(await api.control("/release")).toBe(204);
    expect((await waiting).status).toBe(202);
    // Anything sent on the connection would have been read once /held was answered.
    await api.control("/probe");
    expect(api.seen.map((s) => s.url)).toEqual(["/held"]);
  });

  test("while the socket is still connecting, nothing is sent", () => {
    expect(() => connection.requestSync(post("/response"), 10_000)).toThrow(new ConnectionUnavailableError("it is still connecting"));
  });

  test("a connection the Runtime API closed while idle is unavailable, and replaced for the next request", async () => {
    expect((await connection.request(get("/next"))).status).toBe(200);
    expect(await api.control("/close-idle")).toBe(204);
    expect(() => connection.requestSync(post("/response"), 10_000)).toThrow(ConnectionUnavailableError);
    expect((await connection.request(get("/next"))).status).toBe(200);
    expect(connection.requestSync(post("/response"), 10_000).status).toBe(202);
    expect((await api.waitForSeen(3)).map((s) => [s.url, s.connection])).toEqual([
      ["/next", 1],
      ["/next", 3],
      ["/response", 3],
    ]);
  });

  test("bytes nobody asked for make the connection unavailable, and it is replaced", async () => {
    expect((await connection.request(get("/extra"))).status).toBe(202);
    // Sent before the control request's answer; whether libuv or the probe meets them, the answer is the same.
    expect(await api.control("/stray")).toBe(204);
    expect(() => connection.requestSync(post("/response"), 10_000)).toThrow(
      new ConnectionUnavailableError("it holds bytes no request asked for"),
    );
    expect((await connection.request(get("/after"))).status).toBe(202);
    expect((await api.waitForSeen(2)).map((s) => [s.url, s.connection])).toEqual([
      ["/extra", 1],
      ["/after", 3],
    ]);
  });

  test("no answer before the deadline throws, and the next request goes on a new connection", async () => {
    expect((await connection.request(get("/next"))).status).toBe(200);
    const started = performance.now();
    expect(() => connection.requestSync(post("/hold"), 200)).toThrow(new BlockingDeadlineError("reading the answer"));
    expect(performance.now() - started).toBeGreaterThanOrEqual(199);
    expect((await connection.request(get("/after"))).status).toBe(202);
    expect((await api.waitForSeen(3)).map((s) => [s.url, s.connection])).toEqual([
      ["/next", 1],
      ["/hold", 1],
      ["/after", 2],
    ]);
  });
});

describe("requestInChild", () => {
  test("makes the request from a child process and returns its status once answered", async () => {
    const status = requestInChild(api.hostname, api.port, { ...post("/error", '{"e":"🚗"}'), headers: { "x-cause": "c" } }, 10_000);
    expect(status).toBe(202);
    const [seen] = await api.waitForSeen(1);
    expect(seen).toMatchObject({ method: "POST", url: "/error", body: '{"e":"🚗"}', headers: { "x-cause": "c", "content-length": "12" } });
  });

  test("a failure names the request and why; no answer before the deadline is a deadline error", async () => {
    expect(() => requestInChild(api.hostname, api.port, post("/drop"), 10_000)).toThrow(
      "POST /drop from a child process failed: socket hang up",
    );
    expect((await api.waitForSeen(1)).map((s) => s.url)).toEqual(["/drop"]);
    // (Whether the child got as far as sending it before the deadline depends on the machine.)
    expect(() => requestInChild(api.hostname, api.port, post("/hold"), 500)).toThrow(BlockingDeadlineError);
  });
});
