// Both doors over real HTTP with a stand-in function, where they read a request alike: a body over
// 6 MB is 413 before any signature is checked, request data that names Object.prototype's
// properties arrives as sent, an oversized header block is 431 in each door's error shape, and a
// server error after listen is logged.

import * as http from "node:http";
import * as net from "node:net";
import { createLambdaApiServer, servedFunction } from "../../../emulator/api/api-server";
import { listen } from "../../../emulator/common/listen";
import type { RunningInvocation } from "../../../emulator/invocation/running-invocation";
import { createFunctionUrlServer } from "../../../emulator/url/server";
import { signRequest } from "../../../tools/invoke/sign-request";
import { fixtureFunction } from "../../helpers/function-config";
import { send } from "../../helpers/http-client";
import { closeServer } from "../../helpers/loopback-server";
import { answeredInvocation } from "../../helpers/stand-in-invocation";

const CREDENTIALS = { accessKeyId: "AKIDSERVER", secretAccessKey: "server-secret" };
const FN = fixtureFunction({ functionName: "stub", handler: "index.handler", bundleDir: __dirname, authType: "AWS_IAM" });
const SIX_MB = 6 * 1024 * 1024;
/** Query keys and a header name that are also Object.prototype's. */
const PROTOTYPE_QUERY = "constructor=1&toString=2&hasOwnProperty=4&__proto__=3";

describe.each(["Function URL", "Lambda API"] as const)("the %s door", (doorName) => {
  let server: http.Server;
  let base: string;
  let invocations: Buffer[];
  let logs: string[];
  const path = doorName === "Function URL" ? "/" : "/2015-03-31/functions/stub/invocations";

  beforeEach(async () => {
    invocations = [];
    logs = [];
    const common = {
      credentials: CREDENTIALS,
      log: (line: string) => logs.push(line),
      invoke: (event: Buffer, { requestId }: { requestId: string }): RunningInvocation => {
        invocations.push(event);
        return answeredInvocation(requestId);
      },
    };
    server =
      doorName === "Function URL"
        ? createFunctionUrlServer({ fn: FN, ...common })
        : createLambdaApiServer({ functions: servedFunction(() => FN, common.invoke), ...common });
    base = `http://127.0.0.1:${await listen(server, 0, "127.0.0.1")}`;
  });
  afterEach(async () => {
    await closeServer(server);
  });

  /** POSTs `body` chunked (no content-length), signed as the SDK signs, with `hashHeader` as x-amz-content-sha256. */
  async function postChunked(
    body: Buffer,
    hashHeader: "none" | "UNSIGNED-PAYLOAD" | "hash",
  ): Promise<{ status: number; type: string; body: string }> {
    const url = new URL(path, base);
    const headers = await signRequest(url, CREDENTIALS, {
      region: FN.region,
      method: "POST",
      body: body.toString("latin1"),
      bodyHashHeader: hashHeader === "hash",
      ...(hashHeader === "UNSIGNED-PAYLOAD" ? { headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" } } : {}),
    });
    return new Promise((resolve, reject) => {
      const req = http.request(url, { method: "POST", headers: { ...headers, "transfer-encoding": "chunked" }, agent: false }, (res) => {
        const parts: Buffer[] = [];
        res.on("data", (chunk: Buffer) => parts.push(chunk));
        res.once("end", () =>
          resolve({ status: res.statusCode ?? 0, type: String(res.headers["x-amzn-errortype"]), body: Buffer.concat(parts).toString() }),
        );
      });
      req.once("error", reject);
      for (let at = 0; at < body.length; at += 256 * 1024) req.write(body.subarray(at, at + 256 * 1024));
      req.end();
    });
  }

  test.each(["none", "UNSIGNED-PAYLOAD", "hash"] as const)(
    "a signed chunked body over 6 MB (x-amz-content-sha256: %s) is 413 RequestTooLargeException, never a signature error",
    async (hashHeader) => {
      const answer = await postChunked(Buffer.alloc(SIX_MB + 1, "a"), hashHeader);
      expect(answer).toMatchObject({ status: 413, type: "RequestTooLargeException" });
      expect(JSON.parse(answer.body).Message).toBe("Request must be smaller than 6291456 bytes for the InvokeFunction operation");
      expect(invocations).toHaveLength(0);
      expect(logs.filter((line) => /secret|signature/i.test(line))).toEqual([]);
      // A body under the limit, sent and signed the same way, is read and its signature checked
      // (Lambda takes no unsigned payload: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-lambda.html).
      logs.length = 0;
      const under = await postChunked(Buffer.from(JSON.stringify({ pad: "a".repeat(1024 * 1024) })), hashHeader);
      expect(under.status).toBe(hashHeader === "UNSIGNED-PAYLOAD" ? 403 : 200);
      expect(logs.filter((line) => /X-Amz-Content-Sha256 does not match the body/.test(line))).toHaveLength(
        hashHeader === "UNSIGNED-PAYLOAD" ? 1 : 0,
      );
    },
  );

  test("query keys and header names that are Object.prototype's reach the function as sent", async () => {
    const url = `${path}?${PROTOTYPE_QUERY}`;
    const headers = await signRequest(new URL(url, base), CREDENTIALS, {
      region: FN.region,
      method: "POST",
      body: "{}",
      // Built from entries: a literal's `__proto__` would set its prototype, not a header.
      headers: Object.fromEntries([
        ["constructor", "c"],
        ["__proto__", "p"],
      ]),
    });
    const res = await send(`${base}${url}`, { method: "POST", headers: { ...headers, toString: "t" }, body: "{}" });
    expect(res.status).toBe(200);
    if (doorName === "Lambda API") return; // The payload is the body as sent; the signature above covered the query and headers.
    const event = JSON.parse(invocations[0].toString());
    expect(Object.entries(event.queryStringParameters)).toEqual([
      ["constructor", "1"],
      ["toString", "2"],
      ["hasOwnProperty", "4"],
      ["__proto__", "3"],
    ]);
    expect(event.headers).toMatchObject({ constructor: "c", tostring: "t" });
    expect(Object.entries(event.headers)).toContainEqual(["__proto__", "p"]);
  });

  test("an oversized header block is 431 with the door's error body, and the server keeps serving", async () => {
    const reply = await new Promise<string>((resolve) => {
      const socket = net.connect(Number(new URL(base).port), "127.0.0.1", () => {
        socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(1024 * 1024 + 10)}\r\n\r\n`);
      });
      let text = "";
      socket.on("data", (d) => (text += d.toString()));
      socket.on("close", () => resolve(text));
      socket.on("error", () => resolve(text));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    const body = JSON.parse(reply.slice(reply.indexOf("\r\n\r\n") + 4));
    expect(body.Message).toMatch(/request line and headers must be smaller than 1048576 bytes/);
    expect(Object.keys(body)).toEqual(doorName === "Function URL" ? ["Message"] : ["Type", "Message"]);
    const headers = await signRequest(new URL(path, base), CREDENTIALS, { region: FN.region, method: "POST", body: "{}" });
    expect((await send(`${base}${path}`, { method: "POST", headers, body: "{}" })).status).toBe(200);
  });

  test("a server error after it listens is logged, not swallowed, and it keeps serving", async () => {
    server.emit("error", Object.assign(new Error("accept EMFILE"), { code: "EMFILE" }));
    expect(logs.filter((line) => line.endsWith("server error: accept EMFILE"))).toHaveLength(1);
    const headers = await signRequest(new URL(path, base), CREDENTIALS, { region: FN.region, method: "POST", body: "{}" });
    expect((await send(`${base}${path}`, { method: "POST", headers, body: "{}" })).status).toBe(200);
  });
});

describe("each door explains its own refusals", () => {
  const logs: string[] = [];
  const servers: http.Server[] = [];
  afterAll(async () => {
    for (const server of servers) await closeServer(server);
  });
  async function unsigned(server: http.Server, path: string, method: string): Promise<string> {
    servers.push(server);
    const base = `http://127.0.0.1:${await listen(server, 0, "127.0.0.1")}`;
    logs.length = 0;
    expect((await send(new URL(path, base).href, { method })).status).toBe(403);
    return logs.find((line) => line.includes(" for RequestId: ")) ?? logs.join("\n");
  }
  const common = {
    credentials: CREDENTIALS,
    log: (line: string) => logs.push(line),
    invoke: (_event: Buffer, { requestId }: { requestId: string }): RunningInvocation => answeredInvocation(requestId),
  };

  test("the Lambda API, under a URL with --auth NONE: always signed; the AWS SDK or CLI, and npm run invoke -- --api --local", async () => {
    const none = { ...FN, authType: "NONE" as const };
    const line = await unsigned(
      createLambdaApiServer({ functions: servedFunction(() => none, common.invoke), ...common }),
      "/2015-03-31/functions/stub/invocations",
      "POST",
    );
    expect(line).toMatch(
      /^Lambda API 403 MissingAuthenticationTokenException for RequestId: \S+: the request is not signed \(no Authorization header\), and the Lambda API is always signed, whatever the URL's auth type: sign it with SigV4 for "aws:amz:us-east-1:lambda" \(the AWS SDK or AWS CLI for Region us-east-1, as in the aws lambda line npm start prints\), or use npm run invoke -- --api --local$/,
    );
    expect(line).not.toMatch(/AWS_IAM|curl/);
  });

  test("the Function URL: its AWS_IAM auth type; curl as npm start prints it, and npm run invoke -- --local", async () => {
    const line = await unsigned(createFunctionUrlServer({ fn: FN, ...common }), "/", "GET");
    expect(line).toMatch(
      /^403 for RequestId: \S+: the request is not signed \(no Authorization header\), and the URL's auth type is AWS_IAM: sign it with SigV4 for "aws:amz:us-east-1:lambda" \(curl --aws-sigv4 "aws:amz:us-east-1:lambda", as in the curl line npm start prints\), or use npm run invoke -- --local$/,
    );
  });
});
