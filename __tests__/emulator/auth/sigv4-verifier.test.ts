import { createHash, createHmac } from "node:crypto";
import { lambdaApiDoor } from "../../../emulator/api/api-errors";
import type { SignedRequest } from "../../../emulator/auth/sigv4-signature";
import { type VerificationFailure, verifySigV4 } from "../../../emulator/auth/sigv4-verifier";
import { functionUrlDoor } from "../../../emulator/url/send";
import { signRequest } from "../../../tools/invoke/sign-request";

/** The Function URL's words for its refusals (the Lambda API has its own: doors-input.test.ts). */
const URL_ADVICE = functionUrlDoor(() => {}).signing;

const CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const NOW = new Date("2026-11-26T12:00:00Z");
const HOST = "127.0.0.1:3000";

interface SignOptions {
  readonly secret?: string;
  readonly accessKeyId?: string;
  readonly service?: string;
  readonly region?: string;
  readonly at?: Date;
  readonly body?: string;
  readonly query?: Record<string, string>;
  readonly extraHeaders?: Record<string, string>;
  /** Send X-Amz-Content-Sha256 (the SDK's default); curl does not. */
  readonly bodyHashHeader?: boolean;
}

/** A request signed as an AWS SDK client signs it, returned in the verifier's shape. */
async function signedRequest(options: SignOptions = {}): Promise<SignedRequest> {
  const query = options.query ?? { count: "3", chunk: "1" };
  const search = new URLSearchParams(query).toString();
  const url = new URL(`http://${HOST}/cars${search ? `?${search}` : ""}`);
  const headers = await signRequest(
    url,
    { accessKeyId: options.accessKeyId ?? CREDENTIALS.accessKeyId, secretAccessKey: options.secret ?? CREDENTIALS.secretAccessKey },
    {
      region: options.region ?? "us-east-1",
      service: options.service ?? "lambda",
      at: options.at ?? NOW,
      bodyHashHeader: options.bodyHashHeader ?? true,
      ...(options.body ? { body: options.body } : {}),
      ...(options.extraHeaders ? { headers: options.extraHeaders } : {}),
    },
  );
  return {
    method: options.body ? "POST" : "GET",
    url: `/cars${search ? `?${search}` : ""}`,
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)])),
    body: Buffer.from(options.body ?? ""),
  };
}

const verify = (request: SignedRequest) => verifySigV4(request, CREDENTIALS, "us-east-1", URL_ADVICE, NOW);

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");
const hmac = (key: string | Buffer, text: string): Buffer => createHmac("sha256", key).update(text).digest();

/**
 * A request signed by hand from AWS's documented steps, independent of Smithy (which the
 * verifier uses): the canonical request has the path and query exactly as given (pass them in
 * canonical form unless a test means otherwise), and one header line per entry of `signed`, in
 * order, so a name may repeat, its value trimmed and its runs of spaces made one. The request carries each signed header (repeats joined with commas,
 * as Node delivers them) and `unsigned` besides.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
function handSigned(
  pathAndQuery: string,
  options: {
    readonly signed?: ReadonlyArray<readonly [string, string]>;
    readonly unsigned?: Readonly<Record<string, string>>;
    readonly accessKeyId?: string;
  } = {},
): SignedRequest {
  const amzDate = NOW.toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const scope = `${amzDate.slice(0, 8)}/us-east-1/lambda/aws4_request`;
  const [path, query = ""] = pathAndQuery.split("?");
  const signed = options.signed ?? [
    ["host", HOST],
    ["x-amz-date", amzDate],
  ];
  const signedHeaders = signed.map(([name]) => name).join(";");
  const canonical = [
    "GET",
    path,
    query,
    ...signed.map(([name, value]) => `${name}:${value.trim().replace(/ +/g, " ")}`),
    "",
    signedHeaders,
    sha256(""),
  ].join("\n");
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
  let key: Buffer | string = `AWS4${CREDENTIALS.secretAccessKey}`;
  for (const part of scope.split("/")) {
    key = hmac(key, part);
  }
  const signature = hmac(key, stringToSign).toString("hex");
  const headers: Record<string, string> = {};
  for (const [name, value] of signed) {
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return {
    method: "GET",
    url: pathAndQuery,
    headers: {
      ...headers,
      ...options.unsigned,
      authorization: `AWS4-HMAC-SHA256 Credential=${options.accessKeyId ?? CREDENTIALS.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    },
    body: Buffer.alloc(0),
  };
}

/**
 * A GET signed the way curl 7.x signs it: the path and query in the canonical request exactly as
 * typed, neither sorted nor re-encoded (curl 8 sorts; see https://github.com/curl/curl/issues/9717).
 */
function curl7Request(pathAndQuery: string, accessKeyId = CREDENTIALS.accessKeyId): SignedRequest {
  return handSigned(pathAndQuery, { accessKeyId });
}

const AMZ_DATE = "20261126T120000Z";

/** The kind of each failure below, as AWS's error types tell them apart. */
const FAILURE_OF: Record<string, VerificationFailure> = {
  "a wrong secret": "mismatch",
  "an empty secret": "mismatch",
  "another access key": "unknown-key",
  "the wrong service": "mismatch",
  "the wrong region": "mismatch",
  "a timestamp 6 minutes behind": "expired",
  "a timestamp 2 hours ahead": "expired",
  "a tampered query": "mismatch",
  "a tampered path": "mismatch",
  "a tampered body": "mismatch",
  "a signed header removed": "mismatch",
  "no signature at all": "unsigned",
  "Basic auth (curl --user without --aws-sigv4)": "malformed",
  "a garbled AWS4-HMAC-SHA256 header": "malformed",
};

describe("verifySigV4", () => {
  test("accepts a correctly signed request, whatever the order of its query", async () => {
    expect(await verify(await signedRequest())).toEqual({ ok: true, accessKey: "AKIDEXAMPLE" });
    const request = await signedRequest();
    expect(await verify({ ...request, url: "/cars?chunk=1&count=3" })).toMatchObject({ ok: true });
  });

  test("accepts a signed body and a body hash header that matches it", async () => {
    expect(await verify(await signedRequest({ body: '{"a":1}' }))).toMatchObject({ ok: true });
  });

  test.each<[string, SignOptions, (r: SignedRequest) => SignedRequest, RegExp]>([
    [
      "a wrong secret",
      { secret: "wrong" },
      (r) => r,
      /^the signature does not match: signed with another secret key for AKIDEXAMPLE than the server's AWS_SECRET_ACCESS_KEY, or the request \(method, path, query, signed headers, body\) was changed after signing$/,
    ],
    [
      "an empty secret",
      { secret: "" },
      (r) => r,
      /^the request was signed with an empty secret access key: the shell that signed has no AWS_SECRET_ACCESS_KEY; export the server's secret for AKIDEXAMPLE there$/,
    ],
    [
      "another access key",
      { accessKeyId: "AKIDOTHER" },
      (r) => r,
      /^the request was signed with another key pair \(AKIDOTHER\); the server checks against AKIDEXAMPLE, the pair npm start named when it started .*: sign with that pair, or use npm run invoke -- --local$/,
    ],
    [
      "the wrong service",
      { service: "s3" },
      (r) => r,
      /^the request was signed for Region "us-east-1" and service "s3"; this URL wants Region "us-east-1" and service "lambda" \(curl --aws-sigv4 "aws:amz:us-east-1:lambda", as in the curl line npm start prints\)$/,
    ],
    [
      "the wrong region",
      { region: "eu-west-1" },
      (r) => r,
      /signed for Region "eu-west-1" and service "lambda"; this URL wants Region "us-east-1"/,
    ],
    [
      "a timestamp 6 minutes behind",
      { at: new Date(NOW.getTime() - 6 * 60 * 1000) },
      (r) => r,
      /^the signature's time 20261126T115400Z is 6 min 0 s behind the server's clock \(AWS allows 5 minutes either way\): sign again, and check the clock of the machine that signed$/,
    ],
    [
      "a timestamp 2 hours ahead",
      { at: new Date(NOW.getTime() + 2 * 3600 * 1000 + 90_000) },
      (r) => r,
      /is 2 h 1 min ahead of the server's clock/,
    ],
    ["a tampered query", {}, (r) => ({ ...r, url: "/cars?count=4&chunk=1" }), /^the signature does not match: .*changed after signing$/],
    ["a tampered path", {}, (r) => ({ ...r, url: "/other?count=3&chunk=1" }), /^the signature does not match/],
    [
      "a tampered body",
      { body: "original" },
      (r) => ({ ...r, body: Buffer.from("tampered") }),
      /X-Amz-Content-Sha256 does not match the body/,
    ],
    [
      "a signed header removed",
      { extraHeaders: { "x-custom": "1" } },
      (r) => ({ ...r, headers: Object.fromEntries(Object.entries(r.headers).filter(([k]) => k !== "x-custom")) }),
      /the signed header x-custom is not in the request/,
    ],
    [
      "no signature at all",
      {},
      (r) => ({ ...r, headers: { host: HOST } }),
      /^the request is not signed \(no Authorization header\), and the URL's auth type is AWS_IAM: sign it with SigV4 for "aws:amz:us-east-1:lambda" \(curl --aws-sigv4 "aws:amz:us-east-1:lambda", as in the curl line npm start prints\), or use npm run invoke -- --local$/,
    ],
    [
      "Basic auth (curl --user without --aws-sigv4)",
      {},
      (r) => ({ ...r, headers: { ...r.headers, authorization: "Basic QUtJRDpzZWNyZXQ=" } }),
      /^the Authorization header is "Basic", not an AWS4-HMAC-SHA256 signature \(curl --user without --aws-sigv4 sends Basic\): sign with SigV4/,
    ],
    [
      "a garbled AWS4-HMAC-SHA256 header",
      {},
      (r) => ({ ...r, headers: { ...r.headers, authorization: "AWS4-HMAC-SHA256 Credential=x" } }),
      /^the AWS4-HMAC-SHA256 Authorization header is malformed/,
    ],
  ])("rejects %s, and says so", async (name, options, tamper, reason) => {
    const result = await verify(tamper(await signedRequest(options)));
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.reason).toMatch(reason);
    // The kind of failure, which the Lambda API turns into AWS's error type.
    expect(result.ok ? "" : result.failure).toBe(FAILURE_OF[name]);
  });

  describe("a query signed in the order typed, as curl 7.x signs it", () => {
    test("the hand-made signer below is SigV4: a sorted query signed with it is accepted", async () => {
      expect(await verify(curl7Request("/cars?chunk=1&count=3"))).toEqual({ ok: true, accessKey: "AKIDEXAMPLE" });
    });

    test("an unsorted query is refused, and the log says to sort it or use npm run invoke", async () => {
      expect(await verify(curl7Request("/cars?count=3&chunk=1"))).toEqual({
        ok: false,
        failure: "mismatch",
        reason:
          "the query was signed in the order typed (curl 7.x does this), not sorted as SigV4 wants: list the parameters alphabetically, or use npm run invoke -- --local",
      });
    });

    test("through the Lambda API, the log names the command that signs for it: npm run invoke -- --api --local", async () => {
      const apiAdvice = lambdaApiDoor(() => {}).signing;
      expect(await verifySigV4(curl7Request("/cars?count=3&chunk=1"), CREDENTIALS, "us-east-1", apiAdvice, NOW)).toMatchObject({
        reason: expect.stringMatching(
          /not sorted as SigV4 wants: list the parameters alphabetically, or use npm run invoke -- --api --local$/,
        ),
      });
    });

    test("a sorted query signed without SigV4's encoding is refused, and the log says so", async () => {
      expect(await verify(curl7Request("/cars?count=3&tag=a,b"))).toMatchObject({
        ok: false,
        reason:
          "the query was signed as typed (curl 7.x does this), not percent-encoded as SigV4 wants: encode every character but letters, digits and -_.~ (a comma as %2C), or use npm run invoke -- --local",
      });
    });

    test("a path with percent escapes signed as typed is refused, and the log says so", async () => {
      expect(await verify(curl7Request("/a%20b?count=3"))).toEqual({
        ok: false,
        failure: "mismatch",
        reason:
          "the path was signed as typed (curl 7.x does this), not encoded as SigV4 wants (its percent escapes encoded once more): use a path without percent escapes, or use npm run invoke -- --local",
      });
    });

    test("an empty access key id (curl --user with AWS_ACCESS_KEY_ID unset) is named", async () => {
      expect(await verify(curl7Request("/cars?chunk=1&count=3", ""))).toMatchObject({
        ok: false,
        reason: expect.stringMatching(
          /^the request was signed with an empty access key id: the shell that signed has no AWS_ACCESS_KEY_ID .*\(AKIDEXAMPLE\)/,
        ),
      });
    });
  });

  describe("the canonical request is built from the caller's own SignedHeaders", () => {
    test("a valid signature over date;host;x-amz-date is accepted (the date header is signed like any other)", async () => {
      const request = handSigned("/cars?chunk=1&count=3", {
        signed: [
          ["date", "Thu, 26 Nov 2026 12:00:00 GMT"],
          ["host", HOST],
          ["x-amz-date", AMZ_DATE],
        ],
      });
      expect(await verify(request)).toEqual({ ok: true, accessKey: "AKIDEXAMPLE" });
      expect(await verify({ ...request, headers: { ...request.headers, date: "Fri, 27 Nov 2026 12:00:00 GMT" } })).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/^the signature does not match/),
      });
    });

    test("with the server's pair temporary, a session token sent beside the signature, not signed, is not added to it", async () => {
      const temporary = { ...CREDENTIALS, sessionToken: "session-token" };
      const request = handSigned("/cars?chunk=1&count=3", { unsigned: { "x-amz-security-token": "session-token" } });
      expect(await verifySigV4(request, temporary, "us-east-1", URL_ADVICE, NOW)).toEqual({ ok: true, accessKey: "AKIDEXAMPLE" });
      const signedToken = handSigned("/cars?chunk=1&count=3", {
        signed: [
          ["host", HOST],
          ["x-amz-date", AMZ_DATE],
          ["x-amz-security-token", "session-token"],
        ],
      });
      expect(await verifySigV4(signedToken, temporary, "us-east-1", URL_ADVICE, NOW)).toEqual({ ok: true, accessKey: "AKIDEXAMPLE" });
    });

    test("a header the caller did not sign may change; one it signed may not", async () => {
      const request = handSigned("/cars?chunk=1&count=3", {
        signed: [
          ["host", HOST],
          ["x-amz-date", AMZ_DATE],
          ["x-signed", "a  b"],
        ],
        unsigned: { "user-agent": "curl/8.5.0", "x-unsigned": "1" },
      });
      expect(await verify({ ...request, headers: { ...request.headers, "x-unsigned": "2", "user-agent": "other" } })).toMatchObject({
        ok: true,
      });
      expect(await verify({ ...request, headers: { ...request.headers, "x-signed": "a b" } })).toMatchObject({ ok: true });
      expect(await verify({ ...request, headers: { ...request.headers, "x-signed": "a c" } })).toMatchObject({ ok: false });
    });

    test("a repeated header signed once per line, as curl before 8.13 signs it, is refused as AWS refuses it, and the log says why", async () => {
      // curl listed the name twice and gave each value a line of its own; SigV4 wants one line,
      // values joined by commas, and AWS answers SignatureDoesNotMatch (https://github.com/curl/curl/pull/16743).
      const request = handSigned("/cars?chunk=1&count=3", {
        signed: [
          ["host", HOST],
          ["x-amz-date", AMZ_DATE],
          ["x-tag", "a"],
          ["x-tag", "b"],
        ],
      });
      expect(request.headers["x-tag"]).toBe("a,b");
      expect(await verify(request)).toEqual({
        ok: false,
        failure: "mismatch",
        reason:
          "SignedHeaders names x-tag more than once: the signer gave each x-tag header a line of its own (curl before 8.13 does this), and SigV4 wants one line with the values joined by commas, so AWS refuses it too: send the header once, or use curl 8.13 or newer, or npm run invoke -- --local",
      });
      // The same request signed as SigV4 wants: one line, the values joined.
      const joined = handSigned("/cars?chunk=1&count=3", {
        signed: [
          ["host", HOST],
          ["x-amz-date", AMZ_DATE],
          ["x-tag", "a,b"],
        ],
      });
      expect(await verify(joined)).toMatchObject({ ok: true });
    });
  });

  test("hashes the body itself when the client sent no body hash header, and rejects a tampered one", async () => {
    const request = await signedRequest({ body: "original", bodyHashHeader: false });
    expect(request.headers).not.toHaveProperty("x-amz-content-sha256");
    expect(await verify(request)).toMatchObject({ ok: true });
    expect(await verify({ ...request, body: Buffer.from("tampered") })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/signature does not match/),
    });
  });

  test("requires the server's session token when it has one", async () => {
    const request = await signedRequest();
    expect(await verifySigV4(request, { ...CREDENTIALS, sessionToken: "token" }, "us-east-1", URL_ADVICE, NOW)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/session token/),
    });
  });

  test("accepts a valid session token signed with temporary credentials", async () => {
    const temporary = { ...CREDENTIALS, sessionToken: "session-token" };
    const request = await signedRequest({ extraHeaders: { "x-amz-security-token": "session-token" } });
    expect(await verifySigV4(request, temporary, "us-east-1", URL_ADVICE, NOW)).toEqual({ ok: true, accessKey: CREDENTIALS.accessKeyId });
  });

  test.each<[string, (r: SignedRequest) => SignedRequest, RegExp]>([
    ["no X-Amz-Date", (r) => ({ ...r, headers: withoutHeader(r.headers, "x-amz-date") }), /no valid X-Amz-Date header/],
    ["a garbled X-Amz-Date", (r) => ({ ...r, headers: { ...r.headers, "x-amz-date": "yesterday" } }), /no valid X-Amz-Date header/],
    [
      "a scope date that is not X-Amz-Date's",
      (r) => ({ ...r, headers: { ...r.headers, authorization: r.headers.authorization.replace(/\/20261126\//, "/20261125/") } }),
      /the credential scope date 20261125 does not match X-Amz-Date 20261126T120000Z/,
    ],
    [
      "SignedHeaders without host",
      (r) => ({ ...r, headers: { ...r.headers, authorization: r.headers.authorization.replace(/SignedHeaders=host;/, "SignedHeaders=") } }),
      /host/,
    ],
  ])("refuses %s, naming it", async (_what, edit, reason) => {
    const result = await verify(edit(await signedRequest()));
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(reason) });
  });
});

function withoutHeader(headers: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name));
}
