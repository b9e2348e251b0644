import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { verifySigV4 } from "../../../emulator/auth/sigv4-verifier";
import { functionUrlDoor } from "../../../emulator/url/send";
import { signRequest } from "../../../tools/invoke/sign-request";
import { streamRequest } from "../../../tools/invoke/stream-request";

const CREDENTIALS = { accessKeyId: "AKIDSIGN", secretAccessKey: "sign-secret" };

describe("signRequest", () => {
  test.each([
    ["a repeated parameter", "http://127.0.0.1:3000/cars?tag=b&tag=a&count=2"],
    ["no port and no query", "http://localhost/"],
    ["a body", "http://127.0.0.1:3000/echo"],
  ])("signs a request with %s so that the local URL's verifier accepts it", async (what, target) => {
    const url = new URL(target);
    const body = what === "a body" ? '{"a":1}' : undefined;
    const headers = await signRequest(url, CREDENTIALS, { region: "eu-west-1", ...(body ? { body } : {}) });
    const verification = await verifySigV4(
      { method: body ? "POST" : "GET", url: `${url.pathname}${url.search}`, headers: lowerCased(headers), body: Buffer.from(body ?? "") },
      CREDENTIALS,
      "eu-west-1",
      functionUrlDoor(() => {}).signing,
    );
    expect(verification).toEqual({ ok: true, accessKey: "AKIDSIGN" });
  });
});

describe("streamRequest", () => {
  test("reports a response cut short, and counts what arrived without a sink", async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("partial", () => res.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    try {
      const { port } = server.address() as AddressInfo;
      const summary = await streamRequest(new URL(`http://127.0.0.1:${port}/`), {}, undefined);
      expect(summary).toMatchObject({ status: 200, bytes: 7, truncated: true });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

function lowerCased(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
