// The edge's certificate: made once per state folder and kept; a server certificate for
// 127.0.0.1, ::1 and localhost signed by a local authority that Node and curl trust when told to.

import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { edgeCertificate } from "../../../emulator/deployed/edge-certificate";
import { send } from "../../helpers/http-client";
import { missingReason, requireCurl, testWhenAvailable } from "../../helpers/requirements";

describe("edgeCertificate", () => {
  let state: string;
  let server: https.Server | undefined;
  beforeEach(() => {
    state = fs.mkdtempSync(path.join(os.tmpdir(), "ls-edge-cert-"));
  });
  afterEach(async () => {
    if (server) await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    fs.rmSync(state, { recursive: true, force: true });
  });

  /** An https server on 127.0.0.1 with the certificate of `state`: its port. */
  async function serve(): Promise<{ port: number; caFile: string }> {
    const tls = await edgeCertificate(state);
    server = https.createServer({ cert: tls.cert, key: tls.key }, (_req, res) => res.end("over TLS"));
    const listening = server;
    await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
    return { port: (listening.address() as AddressInfo).port, caFile: tls.caFile };
  }

  test("is made once in the state folder's tls/ and kept: a second start gives the same certificate", async () => {
    const first = await edgeCertificate(state);
    expect(first.caFile).toBe(path.join(state, "tls", "ca.pem"));
    expect((fs.statSync(path.join(state, "tls", "edge-key.pem")).mode & 0o777).toString(8)).toBe("600");
    const second = await edgeCertificate(state);
    expect(second.cert).toBe(first.cert);
    expect(second.key).toBe(first.key);
  });

  test("names 127.0.0.1, ::1 and localhost, and is signed by the authority in ca.pem", async () => {
    const tls = await edgeCertificate(state);
    const cert = new X509Certificate(tls.cert);
    const ca = new X509Certificate(fs.readFileSync(tls.caFile));
    expect(cert.subjectAltName).toBe("DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1");
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
  });

  test("a server certificate near its end is made again from the same authority", async () => {
    const first = await edgeCertificate(state);
    const caBefore = fs.readFileSync(first.caFile, "utf8");
    const later = new Date(Date.now() + 396 * 24 * 3600 * 1000);
    const renewed = await edgeCertificate(state, later);
    expect(renewed.cert).not.toBe(first.cert);
    expect(fs.readFileSync(renewed.caFile, "utf8")).toBe(caBefore);
    expect(new Date(new X509Certificate(renewed.cert).validTo).getTime()).toBeGreaterThan(later.getTime());
  });

  test("Node trusts the edge given ca.pem, and refuses it without", async () => {
    const { port, caFile } = await serve();
    const res = await send(`https://127.0.0.1:${port}/`, { ca: fs.readFileSync(caFile, "utf8") });
    expect(res.body.toString()).toBe("over TLS");
    await expect(send(`https://127.0.0.1:${port}/`)).rejects.toMatchObject({ code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
  });

  testWhenAvailable("curl --cacert ca.pem trusts the edge at 127.0.0.1 and localhost", missingReason(requireCurl), async () => {
    const { port, caFile } = await serve();
    const curl = promisify(execFile);
    for (const host of ["127.0.0.1", "localhost"]) {
      expect((await curl("curl", ["-sS", "--max-time", "20", "--cacert", caFile, `https://${host}:${port}/`])).stdout).toBe("over TLS");
    }
    await expect(curl("curl", ["-sS", "--max-time", "20", `https://127.0.0.1:${port}/`])).rejects.toMatchObject({ code: 60 });
  });
});
