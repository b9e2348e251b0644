import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { type SignedRequest, verifySigV4 } from "../../emulator/sigv4-verifier";

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
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: options.accessKeyId ?? CREDENTIALS.accessKeyId,
      secretAccessKey: options.secret ?? CREDENTIALS.secretAccessKey,
    },
    region: options.region ?? "us-east-1",
    service: options.service ?? "lambda",
    sha256: Hash.bind(null, "sha256"),
    applyChecksum: options.bodyHashHeader ?? true,
  });
  const query = options.query ?? { count: "3", chunk: "1" };
  const signed = await signer.sign(
    {
      method: options.body ? "POST" : "GET",
      protocol: "http:",
      hostname: "127.0.0.1",
      port: 3000,
      path: "/cars",
      query,
      headers: { host: HOST, ...(options.extraHeaders ?? {}) },
      ...(options.body ? { body: options.body } : {}),
    },
    { signingDate: options.at ?? NOW },
  );
  const search = new URLSearchParams(query).toString();
  return {
    method: signed.method,
    url: `/cars${search ? `?${search}` : ""}`,
    headers: Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), String(v)])),
    body: Buffer.from(options.body ?? ""),
  };
}

const verify = (request: SignedRequest) => verifySigV4(request, CREDENTIALS, "us-east-1", NOW);

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
    ["a wrong secret", { secret: "wrong" }, (r) => r, /signature does not match/],
    ["another access key", { accessKeyId: "AKIDOTHER" }, (r) => r, /signed with access key AKIDOTHER, not the server's AKIDEXAMPLE/],
    ["the wrong service", { service: "s3" }, (r) => r, /signed for service "s3", not "lambda"/],
    ["the wrong region", { region: "eu-west-1" }, (r) => r, /signed for region "eu-west-1", not "us-east-1"/],
    ["a timestamp 6 minutes off", { at: new Date(NOW.getTime() - 6 * 60 * 1000) }, (r) => r, /more than 5 minutes/],
    ["a tampered query", {}, (r) => ({ ...r, url: "/cars?count=4&chunk=1" }), /signature does not match/],
    ["a tampered path", {}, (r) => ({ ...r, url: "/other?count=3&chunk=1" }), /signature does not match/],
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
    ["no signature at all", {}, (r) => ({ ...r, headers: { host: HOST } }), /not signed/],
    [
      "a garbled Authorization header",
      {},
      (r) => ({ ...r, headers: { ...r.headers, authorization: "Bearer x" } }),
      /not an AWS4-HMAC-SHA256 signature/,
    ],
  ])("rejects %s", async (_name, options, tamper, reason) => {
    const result = await verify(tamper(await signedRequest(options)));
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.reason).toMatch(reason);
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
    expect(await verifySigV4(request, { ...CREDENTIALS, sessionToken: "token" }, "us-east-1", NOW)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/session token/),
    });
  });
});
