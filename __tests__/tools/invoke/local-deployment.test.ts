// --local is this machine: the stack deployed into the running local AWS when there is one (signed
// with its pair, for its Region), else npm start's; never a request that leaves the machine.

import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { edgeCertificate } from "../../../emulator/deployed/edge-certificate";
import { writeLocalAwsRecord } from "../../../support/local-aws-record";
import { writeLocalUrlRecord } from "../../../support/local-url-record";
import { runInvoke } from "../../../tools/invoke/cli";
import { chooseLocal, findLocalDeployment, isLoopbackUrl } from "../../../tools/invoke/local-deployment";
import { TargetError } from "../../../tools/invoke/target-error";

const PAIR = { accessKeyId: "AKIALOCALAWSPAIR", secretAccessKey: "local-aws-secret" };

describe("--local's target", () => {
  let root: string;
  const saved = { aws: process.env.LOCAL_AWS_RECORD_DIR, url: process.env.LOCAL_URL_RECORD_DIR };
  let server: http.Server | undefined;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "ls-local-deployment-"));
    delete process.env.LOCAL_AWS_RECORD_DIR;
    delete process.env.LOCAL_URL_RECORD_DIR;
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
    fs.rmSync(root, { recursive: true, force: true });
    if (saved.aws !== undefined) process.env.LOCAL_AWS_RECORD_DIR = saved.aws;
    if (saved.url !== undefined) process.env.LOCAL_URL_RECORD_DIR = saved.url;
  });

  /** The local deployment's state: `outputs` in terraform.lambda-streaming.local-aws.tfstate. */
  function deployLocally(outputs: Record<string, string>): void {
    const state = { version: 4, outputs: Object.fromEntries(Object.entries(outputs).map(([name, value]) => [name, { value }])) };
    fs.writeFileSync(path.join(root, "terraform.lambda-streaming.local-aws.tfstate"), JSON.stringify(state));
  }

  function capture() {
    const [stdout, stderr] = [new PassThrough(), new PassThrough()];
    const read = (stream: PassThrough) => (): string => (stream.read() as Buffer | null)?.toString() ?? "";
    return { stdout, stderr, out: read(stdout), err: read(stderr) };
  }

  /** A loopback server that answers "🚗" and keeps each request's Authorization header. */
  async function listen(): Promise<{ url: string; authorizations: (string | undefined)[] }> {
    const authorizations: (string | undefined)[] = [];
    server = http.createServer((req, res) => {
      authorizations.push(req.headers.authorization);
      res.end("🚗");
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, authorizations };
  }

  test("none without a running local AWS, even with its state file there", () => {
    deployLocally({ function_url: "http://127.0.0.1:4567/" });
    expect(findLocalDeployment(root, {})).toBeUndefined();
    expect(chooseLocal(root, {}).deployment).toBeUndefined();
  });

  test("none with a running local AWS that holds no deployment of the stack; the real state is never read", () => {
    writeLocalAwsRecord(root, { endpoint: "http://127.0.0.1:4566", pid: process.pid, state: "/s" });
    fs.writeFileSync(
      path.join(root, "terraform.lambda-streaming.tfstate"),
      JSON.stringify({ outputs: { function_url: { value: "http://127.0.0.1:1/" } } }),
    );
    expect(findLocalDeployment(root, {})).toBeUndefined();
  });

  test("the deployment: its URL (public_url first), auth type, Region and the local AWS", () => {
    const localAws = { endpoint: "http://127.0.0.1:4566", pid: process.pid, state: "/s", localCredentials: PAIR };
    writeLocalAwsRecord(root, localAws);
    deployLocally({ function_url: "http://127.0.0.1:4567/", auth_type: "AWS_IAM", region: "eu-west-1" });
    expect(findLocalDeployment(root, {})).toEqual({
      localAws,
      url: "http://127.0.0.1:4567/",
      authType: "AWS_IAM",
      region: "eu-west-1",
      stateFile: "terraform.lambda-streaming.local-aws.tfstate",
    });
    deployLocally({ function_url: "http://127.0.0.1:4567/", public_url: "http://127.0.0.1:4568/", auth_type: "AWS_IAM" });
    expect(findLocalDeployment(root, { AWS_REGION: "ap-south-1" })).toMatchObject({
      url: "http://127.0.0.1:4568/",
      authType: "NONE",
      region: "ap-south-1",
    });
  });

  test.each([
    ["http://127.0.0.1:3000/", true],
    ["http://localhost:3000/", true],
    ["http://[::1]:3000/", true],
    ["https://abc.lambda-url.us-east-1.on.aws/", false],
    ["http://10.0.0.5:3000/", false],
  ])("%s is on this machine: %p", (url, loopback) => {
    expect(isLoopbackUrl(url)).toBe(loopback);
  });

  test("invoke --local calls the local deployment, signed with the local AWS's pair for its Region, and names npm start's", async () => {
    const { url, authorizations } = await listen();
    writeLocalAwsRecord(root, { endpoint: "http://127.0.0.1:4566", pid: process.pid, state: "/s", localCredentials: PAIR });
    deployLocally({ function_url: url, auth_type: "AWS_IAM", region: "eu-west-1" });
    writeLocalUrlRecord(root, { url: "http://127.0.0.1:3999/", authType: "NONE", region: "us-east-1", pid: process.pid });
    const findCredentials = jest.fn(async () => ({ accessKeyId: "AKIAREAL", secretAccessKey: "real" }));
    const io = { ...capture(), env: {}, projectRoot: root, findCredentials };
    expect(await runInvoke(["--local", "--path", "/?count=1"], io)).toBe(0);
    expect(io.out()).toBe("🚗");
    expect(io.err()).toMatch(
      new RegExp(
        `^Both run on this machine: --local calls the stack deployed into the local AWS \\(${url}, from terraform\\.lambda-streaming\\.local-aws\\.tfstate\\)\\. npm start's \\(pid ${process.pid}\\): npm run invoke -- --url http://127\\.0\\.0\\.1:3999/\\n\\n200 OK`,
      ),
    );
    expect(authorizations).toEqual([
      expect.stringMatching(/^AWS4-HMAC-SHA256 Credential=AKIALOCALAWSPAIR\/\d{8}\/eu-west-1\/lambda\/aws4_request, /),
    ]);
    expect(findCredentials).not.toHaveBeenCalled();
  });

  test("invoke --local reaches a CloudFront deployment's https public_url, trusting the local AWS's CA", async () => {
    const tls = await edgeCertificate(path.join(root, "local-aws"));
    const edge = https.createServer({ cert: tls.cert, key: tls.key }, (_req, res) => res.end("🚗"));
    await new Promise<void>((resolve) => edge.listen(0, "127.0.0.1", resolve));
    try {
      const publicUrl = `https://127.0.0.1:${(edge.address() as AddressInfo).port}/`;
      deployLocally({ function_url: "http://127.0.0.1:1/", public_url: publicUrl, auth_type: "AWS_IAM", region: "us-east-1" });
      const record = { endpoint: "http://127.0.0.1:4566", pid: process.pid, state: path.join(root, "local-aws"), localCredentials: PAIR };
      // A record without its CA file (an older local AWS's): the system's CAs do not know the edge's.
      writeLocalAwsRecord(root, record);
      const untrusted = { ...capture(), env: {}, projectRoot: root, findCredentials: async () => undefined };
      await expect(runInvoke(["--local", "--quiet"], untrusted)).rejects.toThrow(/^Cannot reach https:\/\/127\.0\.0\.1:\d+ \(/);
      writeLocalAwsRecord(root, { ...record, caFile: tls.caFile });
      const io = { ...capture(), env: {}, projectRoot: root, findCredentials: async () => undefined };
      expect(await runInvoke(["--local"], io)).toBe(0);
      expect(io.out()).toBe("🚗");
    } finally {
      await new Promise((resolve) => edge.close(resolve));
    }
  });

  test("invoke --local with npm start alone calls npm start's, as before", async () => {
    const { url, authorizations } = await listen();
    writeLocalUrlRecord(root, { url, authType: "NONE", region: "us-east-1", pid: process.pid });
    const io = { ...capture(), env: {}, projectRoot: root, findCredentials: async () => undefined };
    expect(await runInvoke(["--local", "--quiet"], io)).toBe(0);
    expect(io.err()).toMatch(/^\n200 OK/);
    expect(authorizations).toEqual([undefined]);
  });

  test("a local deployment at an AWS address is one line, and nothing is sent nor any credential asked for", async () => {
    writeLocalAwsRecord(root, { endpoint: "http://127.0.0.1:4566", pid: process.pid, state: "/s", localCredentials: PAIR });
    deployLocally({ function_url: "https://abc.lambda-url.us-east-1.on.aws/", auth_type: "AWS_IAM" });
    const findCredentials = jest.fn(async () => undefined);
    const error = await runInvoke(["--local"], { ...capture(), env: {}, projectRoot: root, findCredentials }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetError);
    expect((error as Error).message).toMatch(
      /^No URL found on this machine: .* has the URL https:\/\/abc\.lambda-url\.us-east-1\.on\.aws\/, which is not on this machine/,
    );
    expect((error as Error).message).not.toContain("\n");
    expect(findCredentials).not.toHaveBeenCalled();
  });
});
