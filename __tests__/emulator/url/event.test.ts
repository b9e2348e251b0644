import { decodePath, formatRequestTime, parseQuery, toFunctionUrlEvent } from "../../../emulator/url/event";

const NOW = new Date("2024-03-21T13:26:56.123Z");

function eventFor(
  overrides: Partial<Parameters<typeof toFunctionUrlEvent>[0]> = {},
  caller?: Parameters<typeof toFunctionUrlEvent>[1]["caller"],
) {
  return toFunctionUrlEvent(
    {
      method: "GET",
      url: "/",
      httpVersion: "1.1",
      rawHeaders: ["Host", "127.0.0.1:3000", "User-Agent", "curl/8.5.0"],
      body: Buffer.alloc(0),
      sourceIp: "127.0.0.1",
      ...overrides,
    },
    { requestId: "req-1", now: NOW, traceId: "Root=1-abc", ...(caller ? { caller } : {}) },
  );
}

describe("toFunctionUrlEvent", () => {
  test("builds a payload 2.0 event with every documented field", () => {
    expect(eventFor({ url: "/a%20b/c?x=1&y=%2Fz" })).toEqual({
      version: "2.0",
      routeKey: "$default",
      rawPath: "/a%20b/c",
      rawQueryString: "x=1&y=%2Fz",
      headers: {
        host: "127.0.0.1:3000",
        "user-agent": "curl/8.5.0",
        "x-forwarded-for": "127.0.0.1",
        "x-forwarded-port": "3000",
        "x-forwarded-proto": "http",
        "x-amzn-trace-id": "Root=1-abc",
        "x-amzn-tls-version": "TLSv1.3",
        "x-amzn-tls-cipher-suite": "TLS_AES_128_GCM_SHA256",
      },
      queryStringParameters: { x: "1", y: "/z" },
      requestContext: {
        accountId: "anonymous",
        apiId: "127",
        domainName: "127.0.0.1",
        domainPrefix: "127",
        // AWS records the decoded path here; rawPath keeps what was sent.
        http: { method: "GET", path: "/a b/c", protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "curl/8.5.0" },
        requestId: "req-1",
        routeKey: "$default",
        stage: "$default",
        time: "21/Mar/2024:13:26:56 +0000",
        timeEpoch: NOW.getTime(),
      },
      isBase64Encoded: false,
    });
  });

  test("omits queryStringParameters, cookies and body when there are none", () => {
    const event = eventFor();
    expect(event).not.toHaveProperty("queryStringParameters");
    expect(event).not.toHaveProperty("cookies");
    expect(event).not.toHaveProperty("body");
    expect(event.rawQueryString).toBe("");
  });

  test("lower-cases header names and joins repeated headers with commas", () => {
    const event = eventFor({
      rawHeaders: ["Host", "h", "X-Multi", "a", "x-multi", "b", "X-Case", "With WeiRd CapS", "Connection", "keep-alive"],
    });
    expect(event.headers["x-multi"]).toBe("a,b");
    expect(event.headers["x-case"]).toBe("With WeiRd CapS");
    expect(event.headers).not.toHaveProperty("connection");
  });

  test("moves cookies out of the headers into the cookies array", () => {
    const event = eventFor({ rawHeaders: ["Host", "h", "Cookie", "a=1; b=2"] });
    expect(event.cookies).toEqual(["a=1", "b=2"]);
    expect(event.headers).not.toHaveProperty("cookie");
  });

  test("each Cookie header's cookies become entries of their own, never one cookie joined with a comma", () => {
    const event = eventFor({ rawHeaders: ["Host", "h", "Cookie", "a=1", "cookie", "b=2; c=3", "COOKIE", " ; d=4;"] });
    expect(event.cookies).toEqual(["a=1", "b=2", "c=3", "d=4"]);
    expect(event.headers).not.toHaveProperty("cookie");
  });

  test("decodes query values and joins repeated names with commas", () => {
    expect(eventFor({ url: "/?multi=foo&multi=%2Fbar&e=" }).queryStringParameters).toEqual({ multi: "foo,/bar", e: "" });
  });

  test("keeps text bodies as text and base64-encodes binary ones", () => {
    const json = eventFor({
      method: "POST",
      rawHeaders: ["Host", "h", "Content-Type", "application/json; charset=utf-8"],
      body: Buffer.from('{"a":1}'),
    });
    expect(json).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
    const binary = eventFor({
      method: "POST",
      rawHeaders: ["Host", "h", "Content-Type", "application/octet-stream"],
      body: Buffer.from([0, 255, 1]),
    });
    expect(binary).toMatchObject({ body: "AP8B", isBase64Encoded: true });
    const untyped = eventFor({ method: "POST", body: Buffer.from("x") });
    expect(untyped).toMatchObject({ body: "eA==", isBase64Encoded: true });
  });

  test("adds authorizer.iam and the caller's account for a signed request", () => {
    const event = eventFor(
      {},
      { accessKey: "AKID", accountId: "000000000000", userArn: "arn:aws:iam::000000000000:user/local", userId: "AKID" },
    );
    expect(event.requestContext.accountId).toBe("000000000000");
    expect((event.requestContext as unknown as Record<string, unknown>).authorizer).toEqual({
      iam: {
        accessKey: "AKID",
        accountId: "000000000000",
        callerId: "AKID",
        cognitoIdentity: null,
        principalOrgId: null,
        userArn: "arn:aws:iam::000000000000:user/local",
        userId: "AKID",
      },
    });
  });
});

describe("helpers", () => {
  test("decodes the path for requestContext.http.path, and keeps a malformed escape as sent", () => {
    expect(decodePath("/caf%C3%A9/x%2Fy")).toBe("/café/x/y");
    expect(decodePath("/bad%E0%A4%A")).toBe("/bad%E0%A4%A");
  });

  test("parseQuery and formatRequestTime", () => {
    expect(parseQuery("a=1&a=2&b=%20")).toEqual({ a: "1,2", b: " " });
    expect(formatRequestTime(new Date("2025-01-05T03:04:05Z"))).toBe("05/Jan/2025:03:04:05 +0000");
  });
});
