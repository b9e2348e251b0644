// The certificate the local CloudFront edge speaks TLS with: a local certificate authority and a
// server certificate for 127.0.0.1, ::1 and localhost signed by it, made once per state folder
// and kept in its tls/ folder, so a client told to trust tls/ca.pem (`curl --cacert`,
// NODE_EXTRA_CA_CERTS) keeps trusting the edge across restarts. Made with selfsigned (on
// @peculiar/x509); a server certificate near its end is made again from the same authority.

import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { generate } from "selfsigned";
import { writeFileAtomic } from "../../support/write-file-atomic";

/** The folder under the state folder, and its files. */
export const TLS_DIR = "tls";
const FILES = { caCert: "ca.pem", caKey: "ca-key.pem", cert: "edge.pem", key: "edge-key.pem" } as const;

/** The authority's life, and the server certificate's: 397 days, the most browsers accept for a server certificate. */
const CA_YEARS = 10;
const SERVER_DAYS = 397;
/** A server certificate with less than this left is made again at start. */
const RENEW_BEFORE_MS = 7 * 24 * 3600 * 1000;

export interface EdgeCertificate {
  /** PEM of the server certificate and its key, for the TLS server. */
  readonly cert: string;
  readonly key: string;
  /** The authority's certificate file, for clients to trust (`curl --cacert FILE`). */
  readonly caFile: string;
}

/** The edge's certificate kept in `stateDir`/tls/, made (or renewed) when missing or near its end. */
export async function edgeCertificate(stateDir: string, now: Date = new Date()): Promise<EdgeCertificate> {
  const dir = path.join(stateDir, TLS_DIR);
  const file = (name: keyof typeof FILES): string => path.join(dir, FILES[name]);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  let ca = readPair(file("caCert"), file("caKey"));
  if (ca === undefined || !validFor(ca.cert, now, RENEW_BEFORE_MS)) {
    ca = await makeAuthority(now);
    writeFileAtomic(file("caKey"), ca.key, { mode: 0o600 });
    writeFileAtomic(file("caCert"), ca.cert, { mode: 0o644 });
  }
  let server = readPair(file("cert"), file("key"));
  if (server === undefined || !validFor(server.cert, now, RENEW_BEFORE_MS) || !issuedBy(server.cert, ca.cert)) {
    server = await makeServerCertificate(ca, now);
    writeFileAtomic(file("key"), server.key, { mode: 0o600 });
    writeFileAtomic(file("cert"), server.cert, { mode: 0o644 });
  }
  return { cert: server.cert, key: server.key, caFile: file("caCert") };
}

interface Pair {
  readonly cert: string;
  readonly key: string;
}

function readPair(certFile: string, keyFile: string): Pair | undefined {
  try {
    return { cert: fs.readFileSync(certFile, "utf8"), key: fs.readFileSync(keyFile, "utf8") };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(
      `Cannot read the local AWS's TLS files ${certFile} and ${keyFile} (${(error as NodeJS.ErrnoException).code}): check their permissions, or remove the folder ${path.dirname(certFile)} to make new ones.`,
    );
  }
}

/** Whether `pem` parses and is valid from `now` for at least `marginMs` more. */
function validFor(pem: string, now: Date, marginMs: number): boolean {
  try {
    const cert = new X509Certificate(pem);
    return new Date(cert.validFrom) <= now && new Date(cert.validTo).getTime() - now.getTime() > marginMs;
  } catch {
    return false;
  }
}

function issuedBy(pem: string, caPem: string): boolean {
  try {
    const ca = new X509Certificate(caPem);
    const cert = new X509Certificate(pem);
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}

async function makeAuthority(now: Date): Promise<Pair> {
  const until = new Date(now);
  until.setUTCFullYear(until.getUTCFullYear() + CA_YEARS);
  const made = await generate([{ name: "commonName", value: "lambda-streaming local AWS CA" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: now,
    notAfterDate: until,
    extensions: [
      { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: made.cert, key: made.private };
}

async function makeServerCertificate(ca: Pair, now: Date): Promise<Pair> {
  const made = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: now,
    notAfterDate: new Date(now.getTime() + SERVER_DAYS * 24 * 3600 * 1000),
    ca: { key: ca.key, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false, critical: true },
      { name: "keyUsage", digitalSignature: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });
  return { cert: made.cert, key: made.private };
}
