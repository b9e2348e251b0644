// One distribution's edge against an origin played by a plain HTTP server: what it forwards (the
// path, the query, the origin path, a signature the Function URL accepts), what it sends back (each
// chunk as it comes, hop-by-hop headers dropped, CloudFront's own headers), the x-amz-content-sha256
// rule, and CloudFront's answers when the distribution is disabled or the origin is down, silent
// or left by its viewer.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { verifySigV4 } from "../../../emulator/auth/sigv4-verifier";
import { joinHeaders } from "../../../emulator/common/request-headers";
import type { EdgeView } from "../../../emulator/control/cloudfront-records";
import { createEdgeServer } from "../../../emulator/deployed/cloudfront-edge";
import { edgeCertificate } from "../../../emulator/deployed/edge-certificate";
import { send } from "../../helpers/http-client";
import { LogCollector } from "../../helpers/log-collector";

const CREDENTIALS = { accessKeyId: "AKIAEDGETEST00000000", secretAccessKey: "edge-secret" };
const ADVICE = { target: "the origin", required: "AWS_IAM", signWith: () => "", invokeCommand: "" };

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

describe("createEdgeServer", () => {
  let state: string;
  let ca: string;
  let tls: { cert: string; key: string };
  let origin: http.Server;
  let originPort: number;
  let edge: https.Server | undefined;
  let log: LogCollector;
  /** What the origin does with each request; what it received is pushed to `received`. */
  let answer: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  let received: Received[];
  const originClosed: Array<() => void> = [];

  beforeAll(async () => {
    state = fs.mkdtempSync(path.join(os.tmpdir(), "ls-edge-"));
    const made = await edgeCertificate(state);
    tls = made;
    ca = fs.readFileSync(made.caFile, "utf8");
  });
  afterAll(() => fs.rmSync(state, { recursive: true, force: true }));

  beforeEach(async () => {
    log = new LogCollector();
    received = [];
    answer = (_req, res) => res.end("from the origin");
    origin = http.createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on("data", (chunk: Buffer) => parts.push(chunk));
      req.once("end", () => {
        received.push({ method: req.method ?? "", url: req.url ?? "", headers: joinHeaders(req.rawHeaders), body: Buffer.concat(parts) });
        answer(req, res);
      });
      res.once("close", () => originClosed.shift()?.());
    });
    await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
    originPort = (origin.address() as AddressInfo).port;
  });
  afterEach(async () => {
    origin.closeAllConnections();
    await new Promise((resolve) => origin.close(resolve));
    if (edge) {
      const closing = edge;
      closing.closeAllConnections();
      await new Promise((resolve) => closing.close(resolve));
    }
    edge = undefined;
  });

  /** Starts an edge whose distribution is `view` (over a default one to the origin server): its https URL. */
  async function startEdge(view: Partial<EdgeView> = {}, originKnown = true): Promise<string> {
    const full: EdgeView = {
      id: "E1TEST",
      domainName: "127.0.0.1:1",
      enabled: true,
      originDomain: `127.0.0.1:${originPort}`,
      originPath: "",
      signing: "always",
      readTimeoutSeconds: 30,
      ...view,
    };
    const started = createEdgeServer({
      tls,
      view: () => full,
      origin: () => (originKnown ? { region: "eu-west-1" } : undefined),
      credentials: CREDENTIALS,
      allowedHostNames: ["127.0.0.1", "localhost", "[::1]"],
      log: log.sink,
    });
    edge = started;
    await new Promise<void>((resolve) => started.listen(0, "127.0.0.1", resolve));
    return `https://127.0.0.1:${(started.address() as AddressInfo).port}`;
  }

  test("forwards the path, query and origin path with a signature for the origin's host and Region", async () => {
    const url = await startEdge({ originPath: "/base" });
    const res = await send(`${url}/some/path?b=2&a=1`, { ca, headers: { authorization: "viewer's own", "x-viewer": "kept" } });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe("from the origin");
    const [got] = received;
    expect(got.url).toBe("/base/some/path?b=2&a=1");
    expect(got.headers.host).toBe(`127.0.0.1:${originPort}`);
    expect(got.headers["x-viewer"]).toBe("kept");
    expect(got.headers.via).toMatch(/^1\.1 127\.0\.0\.1:1 \(CloudFront\)$/);
    const verified = await verifySigV4(
      { method: "GET", url: got.url, headers: got.headers, body: got.body },
      CREDENTIALS,
      "eu-west-1",
      ADVICE,
    );
    expect(verified).toEqual({ ok: true, accessKey: CREDENTIALS.accessKeyId });
    expect(res.headers["x-cache"]).toBe("Miss from cloudfront");
    expect(res.headers.via).toBe("1.1 127.0.0.1:1 (CloudFront)");
    expect(res.headers["x-amz-cf-id"]).toMatch(/^[A-Za-z0-9_-]{56}$/);
  });

  test("a query with a '+', a space and repeated keys is signed as the Function URL's verifier reads it", async () => {
    const url = await startEdge();
    const res = await send(`${url}/q?q=a+b&s=a%20b&k=1&k=2`, { ca });
    expect(res.status).toBe(200);
    const [got] = received;
    expect(got.url).toBe("/q?q=a+b&s=a%20b&k=1&k=2");
    const verified = await verifySigV4(
      { method: "GET", url: got.url, headers: got.headers, body: got.body },
      CREDENTIALS,
      "eu-west-1",
      ADVICE,
    );
    expect(verified).toEqual({ ok: true, accessKey: CREDENTIALS.accessKeyId });
  });

  test("a request target never leaves for another host: absolute form is refused, //host is a path to the origin", async () => {
    const url = new URL(await startEdge());
    const elsewhere = http.createServer((_req, res) => res.end("reached"));
    await new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.1", resolve));
    const other = `127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
    let reached = 0;
    elsewhere.on("request", () => (reached += 1));
    const request = (target: string): Promise<number> =>
      new Promise<number>((resolve, reject) => {
        const req = https.request({ host: url.hostname, port: url.port, path: target, ca, agent: false }, (res) => {
          res.resume();
          res.once("end", () => resolve(res.statusCode ?? 0));
        });
        req.once("error", reject);
        req.end();
      });
    try {
      expect(await request(`http://${other}/x`)).toBe(502);
      expect(log.matching(/is not a path: the edge forwards only paths/)).toHaveLength(1);
      expect(await request(`//${other}/x`)).toBe(200);
      expect(received.map((r) => r.url)).toEqual([`//${other}/x`]);
      expect(reached).toBe(0);
    } finally {
      await new Promise((resolve) => elsewhere.close(resolve));
    }
  });

  test("streams each chunk as the origin writes it, without its hop-by-hop headers", async () => {
    answer = (_req, res) => {
      res.writeHead(201, {
        "keep-alive": "timeout=5",
        connection: "x-private",
        "x-private": "hop",
        "x-kept": "end",
        "set-cookie": ["a=1", "b=2"],
      });
      let i = 0;
      const write = (): void => {
        res.write(`piece-${i}\n`);
        if (++i < 4) setTimeout(write, 150);
        else res.end();
      };
      write();
    };
    const url = await startEdge();
    const res = await send(`${url}/`, { ca });
    expect(res.status).toBe(201);
    expect(res.body.toString()).toBe("piece-0\npiece-1\npiece-2\npiece-3\n");
    expect(res).toArriveProgressively(4, 150);
    expect(res.headers["x-kept"]).toBe("end");
    expect(res.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
    expect(res.headers["x-private"]).toBeUndefined();
    expect(res.headers["keep-alive"]).toBeUndefined();
  });

  test("a POST is signed with its x-amz-content-sha256; without it, or with a wrong one, it gets Lambda's 403 and never reaches the origin", async () => {
    const url = await startEdge();
    const body = '{"n":1}';
    const hash = createHash("sha256").update(body).digest("hex");
    const ok = await send(`${url}/`, { ca, method: "POST", body, headers: { "x-amz-content-sha256": hash } });
    expect(ok.status).toBe(200);
    expect(received).toHaveLength(1);
    expect(received[0].body.toString()).toBe(body);
    expect(received[0].headers["x-amz-content-sha256"]).toBe(hash);
    const verified = await verifySigV4(
      { method: "POST", url: "/", headers: received[0].headers, body: received[0].body },
      CREDENTIALS,
      "eu-west-1",
      ADVICE,
    );
    expect(verified.ok).toBe(true);

    for (const headers of [{}, { "x-amz-content-sha256": "0".repeat(64) }]) {
      const refused = await send(`${url}/`, { ca, method: "POST", body, headers });
      expect(refused.status).toBe(403);
      expect(refused.headers["x-amzn-errortype"]).toBe("InvalidSignatureException");
      expect(JSON.parse(refused.body.toString()).message).toMatch(/^The request signature we calculated does not match/);
    }
    expect(received).toHaveLength(1);
    expect(log.matching(/must carry x-amz-content-sha256/)).toHaveLength(1);
  });

  test("a GET with no body is signed with the empty body's hash", async () => {
    const url = await startEdge();
    await send(`${url}/`, { ca });
    expect(received[0].headers["x-amz-content-sha256"]).toBe(createHash("sha256").update("").digest("hex"));
  });

  test("signing_behavior never sends the viewer's headers as they came", async () => {
    const url = await startEdge({ signing: "never" });
    await send(`${url}/`, { ca, headers: { authorization: "viewer's own" } });
    expect(received[0].headers.authorization).toBe("viewer's own");
    expect(received[0].headers["x-amz-date"]).toBeUndefined();
  });

  test("a disabled distribution answers CloudFront's 403 page, and never calls the origin", async () => {
    const url = await startEdge({ enabled: false });
    const res = await send(`${url}/`, { ca });
    expect(res.status).toBe(403);
    expect(res.headers["content-type"]).toBe("text/html");
    expect(res.headers["x-cache"]).toBe("Error from cloudfront");
    expect(res.body.toString()).toContain("<H1>403 ERROR</H1>");
    expect(res.body.toString()).toContain("This distribution is disabled.");
    expect(received).toHaveLength(0);
    expect(log.matching(/E1TEST is disabled: enable it/)).toHaveLength(1);
  });

  test("an origin that is not a Function URL of the local AWS is a 502, named in the log", async () => {
    const url = await startEdge({ originDomain: "abc.lambda-url.us-east-1.on.aws" }, false);
    const res = await send(`${url}/`, { ca });
    expect(res.status).toBe(502);
    expect(res.body.toString()).toContain("CloudFront wasn't able to connect to the origin.");
    expect(log.matching(/"abc\.lambda-url\.us-east-1\.on\.aws" is not a Function URL of this local AWS/)).toHaveLength(1);
  });

  test("an origin that is down is CloudFront's 502 page with its request id", async () => {
    const url = await startEdge();
    origin.closeAllConnections();
    await new Promise((resolve) => origin.close(resolve));
    const res = await send(`${url}/`, { ca });
    expect(res.status).toBe(502);
    expect(res.body.toString()).toContain("<H1>502 ERROR</H1>");
    expect(res.body.toString()).toContain(`Request ID: ${res.headers["x-amz-cf-id"]}`);
    expect(log.matching(/did not answer \(ECONNREFUSED\)/)).toHaveLength(1);
    // Listening again for afterEach to close.
    await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
  });

  test("an origin silent past its read timeout is a 504; one that stalls mid-stream is cut", async () => {
    answer = () => {};
    const url = await startEdge({ readTimeoutSeconds: 0.3 });
    const silent = await send(`${url}/`, { ca });
    expect(silent.status).toBe(504);
    expect(log.matching(/sent nothing for 0\.3 s/)).toHaveLength(1);

    answer = (_req, res) => res.write("started ");
    const stalled = await send(`${url}/`, { ca });
    expect(stalled.status).toBe(200);
    expect(stalled.body.toString()).toBe("started ");
    expect(stalled.truncated).toBe(true);
  });

  test("a viewer that leaves takes the origin's request with it", async () => {
    answer = (_req, res) => res.write("first ");
    const url = await startEdge();
    const closed = new Promise<void>((resolve) => originClosed.push(resolve));
    await new Promise<void>((resolve, reject) => {
      const req = https.get(`${url}/`, { ca, agent: false }, (res) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.once("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNRESET" ? undefined : reject(error)));
    });
    await closed;
  });

  test("a Host that is not a loopback name is refused (DNS rebinding)", async () => {
    const url = await startEdge();
    // Insecure, as curl -k: the certificate names no such host, and the test is about what the edge answers.
    const res = await send(`${url}/`, { insecure: true, headers: { host: "evil.example" } });
    expect(res.status).toBe(403);
    expect(received).toHaveLength(0);
  });
});
