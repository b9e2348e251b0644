import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { listenErrorMessage } from "../../../emulator/cli/listen-error";
import { LOCAL_AWS_USAGE, parseLocalAwsOptions, type RunningLocalAws, serveLocalAws } from "../../../emulator/cli/local-aws";
import { StateError } from "../../../emulator/control/store";
import { UsageError } from "../../../support/usage-error";
import { listenOnLoopback } from "../../helpers/loopback-server";

describe("npm run local-aws's flags", () => {
  test("default to 127.0.0.1:4566 and .local-aws/ in the project", () => {
    expect(parseLocalAwsOptions([], "/project")).toEqual({
      port: 4566,
      host: "127.0.0.1",
      state: path.resolve("/project/.local-aws"),
      help: false,
    });
    expect(parseLocalAwsOptions(["--port", "0", "--host", "::1", "--state", "s"], "/project")).toMatchObject({
      port: 0,
      host: "::1",
      state: path.resolve("s"),
    });
  });

  test.each([
    [["--port", "70000"], '--port must be a whole number from 0 to 65535 (got "70000")'],
    [["--state", ""], "--state must name a folder (got an empty value)"],
    [["--bogus"], /^Unknown option '--bogus'\. Allowed flags: --port, --host, --state, --help$/],
  ])("%p is one line naming the value and what is allowed", (argv, message) => {
    expect(() => parseLocalAwsOptions(argv, "/project")).toThrow(UsageError);
    expect(() => parseLocalAwsOptions(argv, "/project")).toThrow(message);
  });

  test("--help prints each flag and serves nothing", async () => {
    const out: string[] = [];
    expect(await serveLocalAws(["--help"], {}, (line) => out.push(line), "/project")).toBeUndefined();
    expect(out).toEqual([LOCAL_AWS_USAGE]);
    for (const flag of ["--port N", "--host HOST", "--state DIR", "--help, -h"]) expect(LOCAL_AWS_USAGE).toContain(`  ${flag}`);
  });
});

test("with no AWS credentials, the start lines name the pair made for the state folder, ready to paste before terraform, the same after a restart", async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "ls-local-aws-cli-"));
  const out: string[] = [];
  let aws: RunningLocalAws | undefined;
  const noCredentials = {
    HOME: home,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: path.join(home, "none"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, "none"),
  };
  try {
    aws = await serveLocalAws(["--port", "0", "--state", path.join(home, "state")], noCredentials, (line) => out.push(line), home);
    const endpoint = aws?.endpoint ?? "";
    expect(out[0]).toBe(
      `Local AWS (lambda, iam, sts, logs, cloudfront; account 000000000000) at ${endpoint}, state in ${path.join(home, "state")}`,
    );
    expect(out[1]).toMatch(
      new RegExp(
        `^ {2}terraform, the AWS CLI and SDKs: AWS_ACCESS_KEY_ID=AKIA[A-Z0-9]{16} AWS_SECRET_ACCESS_KEY=\\S{40} AWS_ENDPOINT_URL=${endpoint} terraform apply$`,
      ),
    );
    expect(out[2]).toMatch(
      /^No AWS credentials found, so signatures are checked against a key pair made for this state folder .*the same after a restart/,
    );
    const caFile = path.join(home, "state", "tls", "ca.pem");
    expect(out[3]).toBe(
      `CloudFront distributions answer over TLS with a certificate from ${caFile}: curl --cacert ${caFile} (or -k); Node: NODE_EXTRA_CA_CERTS=${caFile}`,
    );
    expect(fs.existsSync(caFile)).toBe(true);
    // Restarted on the same folder, it checks the same pair: the one the user exported still signs.
    await aws?.close();
    const again: string[] = [];
    aws = await serveLocalAws(["--port", "0", "--state", path.join(home, "state")], noCredentials, (line) => again.push(line), home);
    expect(again[1].split(" AWS_ENDPOINT_URL")[0]).toBe(out[1].split(" AWS_ENDPOINT_URL")[0]);
    expect(fs.statSync(path.join(home, "state", "local-key-pair.json")).mode & 0o077).toBe(0);
  } finally {
    await aws?.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test("one local AWS per state folder: a second is one line naming the first; a folder whose owner is gone is taken over", async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "ls-local-aws-owner-"));
  const state = path.join(home, "state");
  const env = { AWS_ACCESS_KEY_ID: "A", AWS_SECRET_ACCESS_KEY: "B", AWS_EC2_METADATA_DISABLED: "true" };
  let first: RunningLocalAws | undefined;
  try {
    first = await serveLocalAws(["--port", "0", "--state", state], env, () => {}, home);
    const second = serveLocalAws(["--port", "0", "--state", state], env, () => {}, home);
    await expect(second).rejects.toThrow(StateError);
    await expect(second).rejects.toThrow(
      `Another local AWS (pid ${process.pid}) serves the state folder ${state}: use that one (its endpoint is in .local-aws.json), stop it first, or pass another --state DIR. (If no local AWS runs, remove ${path.join(state, "owner.json")}.)`,
    );
    await first?.close();
    first = undefined;
    // An owner killed (its pid gone) leaves its file behind: the next start takes the folder.
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    fs.writeFileSync(path.join(state, "owner.json"), JSON.stringify({ pid: gone }));
    first = await serveLocalAws(["--port", "0", "--state", state], env, () => {}, home);
    expect(JSON.parse(fs.readFileSync(path.join(state, "owner.json"), "utf8"))).toEqual({ pid: process.pid });
    await first?.close();
    first = undefined;
    // A claim naming this very pid that this process does not hold: an earlier process's, killed,
    // whose pid came back (a restarted container). Taken over too.
    fs.writeFileSync(path.join(state, "owner.json"), JSON.stringify({ pid: process.pid }));
    first = await serveLocalAws(["--port", "0", "--state", state], env, () => {}, home);
    await first?.close();
    first = undefined;
    expect(fs.existsSync(path.join(state, "owner.json"))).toBe(false);
  } finally {
    await first?.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test("a port in use is one line naming --port, and nothing listens", async () => {
  const taken = net.createServer();
  const port = Number(new URL(await listenOnLoopback(taken)).port);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "ls-local-aws-port-"));
  try {
    const error = await serveLocalAws(
      ["--port", String(port), "--state", path.join(home, "s")],
      { AWS_ACCESS_KEY_ID: "A", AWS_SECRET_ACCESS_KEY: "B" },
      () => {},
      home,
    ).then(
      async (aws) => {
        await aws?.close();
        return "listened on a taken port";
      },
      (e: unknown) => e,
    );
    expect(listenErrorMessage(error)).toBe(
      `Cannot listen on 127.0.0.1:${port}: the port is in use (EADDRINUSE); pick another with --port (0 picks a free one).`,
    );
  } finally {
    taken.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
});
