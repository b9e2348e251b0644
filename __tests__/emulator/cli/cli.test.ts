// `npm start` as a process: exit codes and messages. Uses esbuild-register as the npm script does.

import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { exitFor, serveFromCommandLine } from "../../../emulator/cli/cli";
import { parseCliOptions } from "../../../emulator/cli/cli-options";
import { AWS_CLI_VERSIONS, apiLines, curlCommand, startLines } from "../../../emulator/cli/start-banner";
import type { FunctionConfig } from "../../../emulator/common/function-config";
import { locateRuntime, RuntimeMissingError } from "../../../emulator/environment/runtime-command";
import { StackReadError } from "../../../emulator/function/stack-reader";
import { bundleHandler } from "../../../lib/bundling";
import { localUrlRecordPath, readLocalUrlRecord } from "../../../support/local-url-record";
import { UsageError } from "../../../support/usage-error";
import { localTarget } from "../../../tools/invoke/function-url-target";
import { send } from "../../helpers/http-client";
import { listenOnLoopback } from "../../helpers/loopback-server";
import { isRunning, processEnded } from "../../helpers/process-resources";
import { describeWhenAvailable, missingReason, requireCurlWithSigV4, testWhenAvailable } from "../../helpers/requirements";

const ROOT = path.join(__dirname, "..", "..", "..");
// The servers this file starts (in-process and spawned) record their URL in a folder of their own,
// never in the project root, where a developer's running npm start keeps its record.
const RECORDS = fs.mkdtempSync(path.join(os.tmpdir(), "ls-records-"));
process.env.LOCAL_URL_RECORD_DIR = RECORDS;
afterAll(() => fs.rmSync(RECORDS, { recursive: true, force: true }));
const HANDLER_ENTRY = path.join(ROOT, "handler", "index.ts");
const FIXTURES = path.join(__dirname, "..", "..", "fixtures", "handlers");
const CLI = ["-r", "esbuild-register", "emulator/cli/cli.ts"];
/** Why the Lambda runtime client (npm start serves nothing without it) is missing here, if it is. */
const NEEDS_RUNTIME = missingReason(locateRuntime);

/** Resolves with the child's stdout once it has printed `count` lines. */
function firstLines(child: ReturnType<typeof spawn>, count: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.split("\n").length > count) resolve(out);
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code}: ${out}`)));
  });
}

function runCli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [...CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8", timeout: 20_000 });
}

describe("npm start (emulator/cli/cli.ts)", () => {
  test("exits with code 2 and one line for a bad flag", () => {
    const result = runCli(["--auth", "PUBLIC"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('--auth must be AWS_IAM or NONE (got "PUBLIC")\n');
  });

  testWhenAvailable(
    "with no AWS credentials anywhere, serves AWS_IAM with a key pair of its own, and the printed curl line works as printed in another shell",
    NEEDS_RUNTIME ?? missingReason(requireCurlWithSigV4),
    async () => {
      // GIVEN a shell with no AWS variables and a HOME with no ~/.aws
      const home = fs.mkdtempSync(path.join(os.tmpdir(), "ls-nocreds-"));
      const bare = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("AWS_")));
      const shell = { ...bare, HOME: home };
      const bundle = bundleHandler(HANDLER_ENTRY);
      const child = spawn(
        process.execPath,
        [...CLI, "--bundle", bundle, "--handler", "index.handler", "--invoke-mode", "RESPONSE_STREAM", "--auth", "AWS_IAM", "--port", "0"],
        { cwd: ROOT, env: shell },
      );
      try {
        // WHEN it starts
        const out = await firstLines(child, 2);
        const curl = /try: (curl .*)$/m.exec(out)?.[1];
        expect(curl).toMatch(
          /^curl -N --aws-sigv4 "aws:amz:us-east-1:lambda" --user "AKIALOCAL[A-Z2-7]{11}:[\w-]{40}" http:\/\/127\.0\.0\.1:\d+\/$/,
        );
        expect(out).toContain("No AWS credentials found, so signatures are checked against a key pair made for this run");
        // The record `npm run invoke -- --local` reads holds the same throwaway pair, so it can sign.
        const record = readLocalUrlRecord(ROOT);
        expect(curl).toContain(`${record?.localCredentials?.accessKeyId}:${record?.localCredentials?.secretAccessKey}`);
        // THEN the line, pasted into another shell without AWS variables, gets the whole stream
        const pasted = spawnSync("sh", ["-c", `${curl} -sS | wc -c`], { env: shell, encoding: "utf8", timeout: 30_000 });
        expect(pasted.stdout.trim()).toBe("4194300");
      } finally {
        child.kill("SIGTERM");
        await new Promise((resolve) => child.once("exit", resolve));
        fs.rmSync(home, { recursive: true, force: true });
      }
    },
    30_000,
  );

  test("exits with code 2 and the range for --port -1 (not parseArgs' 'ambiguous')", () => {
    const result = runCli(["--port", "-1"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('--port must be a whole number from 0 to 65535 (got "-1")\n');
  });

  test("exits with code 2 and one line for a --host that is no address", () => {
    const result = runCli(["--host", "999.1.1.1", "--auth", "NONE"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^--host must be an IP address of this machine or a host name, .* \(got "999\.1\.1\.1"\)\n$/);
  });

  // npm start finds the runtime before it listens.
  testWhenAvailable("exits with code 1 and one line, no stack trace, when the address is not this machine's", NEEDS_RUNTIME, () => {
    // 192.0.2.1 is TEST-NET-1, documentation only, never a local address (RFC 5737).
    const result = runCli(["--bundle", FIXTURES, "--handler", "handlers.paced", "--auth", "NONE", "--host", "192.0.2.1", "--port", "0"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^Cannot listen on 192\.0\.2\.1: 192\.0\.2\.1 is not an address of this machine \(EADDRNOTAVAIL\); use --host 127\.0\.0\.1.*\n$/,
    );
  });

  test("exits with code 1 and says so when --stack holds no cdk.tf.json, naming a stack inside it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ls-cli-stack-"));
    try {
      const empty = runCli(["--stack", dir]);
      expect(empty.status).toBe(1);
      expect(empty.stderr).toBe(
        `No synthesized stack at ${dir} (no cdk.tf.json). Pass --stack cdktf.out/stacks/<name>, or run \`npm run synth\`.\n`,
      );
      fs.mkdirSync(path.join(dir, "stacks", "cars"), { recursive: true });
      fs.writeFileSync(path.join(dir, "stacks", "cars", "cdk.tf.json"), "{}");
      const outdir = runCli(["--stack", dir]);
      expect(outdir.status).toBe(1);
      expect(outdir.stderr).toBe(
        `No synthesized stack at ${dir} (no cdk.tf.json). Pass --stack ${path.join(dir, "stacks", "cars")}, or run \`npm run synth\`.\n`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  testWhenAvailable(
    "prints the URL and the curl command, says a --bundle URL is BUFFERED as AWS creates it, then serves until stopped",
    NEEDS_RUNTIME,
    async () => {
      const child = spawn(
        process.execPath,
        [...CLI, "--bundle", FIXTURES, "--handler", "handlers.paced", "--auth", "NONE", "--port", "0"],
        { cwd: ROOT, env: process.env },
      );
      try {
        const line = await new Promise<string>((resolve, reject) => {
          let out = "";
          child.stdout.on("data", (d: Buffer) => {
            out += d.toString();
            if (out.split("\n").length > 3) resolve(out);
          });
          child.once("exit", (code) => reject(new Error(`exited with ${code}`)));
        });
        const [first, second, third] = line.split("\n");
        expect(first).toMatch(
          /^Local Function URL for handlers \(BUFFERED, NONE, handlers\.paced on Node\.js 22, aws-lambda-ric over its Node\.js transport \(emulator\/runtime-client\)\) at http:\/\/127\.0\.0\.1:\d+\/ {2}· {2}try: curl -N http:\/\/127\.0\.0\.1:\d+\/$/,
        );
        expect(second).toMatch(
          /^Invoke mode BUFFERED: nothing sets it for --bundle, and AWS creates a URL BUFFERED; add --invoke-mode RESPONSE_STREAM/,
        );
        expect(third).toMatch(/^Bandwidth: as Lambda, a streamed response's first 6 MB uncapped, then 2 MB\/s/);
        // Recorded for `npm run invoke -- --local` before the URL is announced.
        const url = /at (\S+) /.exec(first)?.[1] ?? "";
        // With --port 0, the Lambda API is on a free port of its own; it is always signed, so a
        // shell without AWS credentials gets a pair made for the run, recorded for invoke.
        expect(readLocalUrlRecord(ROOT)).toMatchObject({
          url,
          apiUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
          authType: "NONE",
          region: process.env.AWS_REGION || "us-east-1",
          pid: child.pid,
        });
        // The URL it prints and records is where it listens (--port 0: a port only the server knows).
        const res = await send(`${url}?count=1`);
        expect([res.status, res.body.toString()]).toEqual([201, "chunk-0\n"]);
      } finally {
        child.kill("SIGTERM");
        await new Promise((resolve) => child.once("exit", resolve));
      }
      // …and its entry removed when it stops (a killed server's would only be ignored).
      const file = localUrlRecordPath(ROOT);
      const left: { pid: number }[] = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : [];
      expect(left.map((entry) => entry.pid)).not.toContain(child.pid);
    },
  );
});

describe("npm start killed with SIGKILL", () => {
  test("leaves its entry behind; npm run invoke -- --local then names it and removes it", async () => {
    const child = spawn(process.execPath, [...CLI, "--bundle", FIXTURES, "--handler", "handlers.paced", "--auth", "NONE", "--port", "0"], {
      cwd: ROOT,
      env: process.env,
    });
    const first = (await firstLines(child, 1)).split("\n")[0];
    const url = /at (\S+) /.exec(first)?.[1];
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    const file = localUrlRecordPath(ROOT);
    const left: { pid: number }[] = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(left.map((entry) => entry.pid)).toContain(child.pid);
    // What invoke --local does first: other servers' entries (another terminal's) stay.
    const { stale } = localTarget(ROOT, {});
    expect(stale).toEqual([expect.objectContaining({ pid: child.pid, url })]);
    const after: { pid: number }[] = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : [];
    expect(after.map((entry) => entry.pid)).not.toContain(child.pid);
  });
});

describeWhenAvailable("npm start stopped through npm", NEEDS_RUNTIME, () => {
  test("a SIGTERM to npm's own process (kill $!) stops the server too: its port closes and its entry goes", async () => {
    const records = fs.mkdtempSync(path.join(os.tmpdir(), "ls-npm-stop-"));
    const npm = spawn(
      "npm",
      ["start", "--silent", "--", "--bundle", FIXTURES, "--handler", "handlers.paced", "--auth", "NONE", "--port", "0", "--api-port", "0"],
      { cwd: ROOT, env: { ...process.env, LOCAL_URL_RECORD_DIR: records, npm_config_update_notifier: "false" } },
    );
    try {
      const url = /at (\S+) /.exec((await firstLines(npm, 1)).split("\n")[0])?.[1] ?? "";
      npm.kill("SIGTERM");
      await new Promise((resolve) => npm.once("exit", resolve));
      // npm waits for its script: once it has exited, the server has too, and cleaned up.
      await expect(fetch(url)).rejects.toThrow();
      expect(fs.existsSync(path.join(records, ".local-url.json"))).toBe(false);
    } finally {
      npm.kill("SIGKILL");
      fs.rmSync(records, { recursive: true, force: true });
    }
  });
});

describe("curlCommand", () => {
  const fn = { authType: "AWS_IAM", region: "eu-west-1" } as FunctionConfig;
  const real = { accessKeyId: "AKIAREALKEY", secretAccessKey: "real-secret" };

  test("signs for lambda in the function's region, referring to the shell's variables, never printing real keys", () => {
    const line = curlCommand(fn, "http://127.0.0.1:3000/", { source: "environment", credentials: real });
    expect(line).toBe(
      'curl -N --aws-sigv4 "aws:amz:eu-west-1:lambda" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" http://127.0.0.1:3000/',
    );
    expect(curlCommand(fn, "http://h/", { source: "aws-profile", credentials: real })).toBe("npm run invoke -- --local");
  });

  test("puts a local-only pair inline, so the line works in any terminal", () => {
    expect(curlCommand(fn, "http://h/", { source: "local-pair", credentials: { accessKeyId: "AKIALOCALX", secretAccessKey: "s" } })).toBe(
      'curl -N --aws-sigv4 "aws:amz:eu-west-1:lambda" --user "AKIALOCALX:s" http://h/',
    );
  });

  test("adds the session token header for temporary credentials, and nothing in public mode", () => {
    expect(curlCommand(fn, "http://h/", { source: "environment", credentials: { ...real, sessionToken: "t" } })).toContain(
      '-H "x-amz-security-token: $AWS_SESSION_TOKEN" http://h/',
    );
    expect(curlCommand({ ...fn, authType: "NONE" }, "http://h/", undefined)).toBe("curl -N http://h/");
  });
});

describe("startLines", () => {
  const fn = {
    functionName: "f",
    authType: "NONE",
    region: "us-east-1",
    invokeMode: "RESPONSE_STREAM",
    handler: "index.handler",
  } as FunctionConfig;

  test("warns when the server is reachable from other machines, and says when the URL is public", () => {
    const lines = startLines(fn, parseCliOptions(["--host", "0.0.0.0"], {}), "http://0.0.0.0:3000/", undefined);
    expect(lines.at(-1)).toBe(
      "Warning: --host 0.0.0.0 is not a loopback address: other machines can reach this URL, and its auth type is NONE.",
    );
    for (const host of ["127.0.0.1", "localhost", "::1", "127.0.0.2"]) {
      expect(startLines(fn, parseCliOptions(["--host", host], {}), "http://h/", undefined).join("\n")).not.toContain("Warning");
    }
  });

  test("says when Lambda's bandwidth cap is lifted", () => {
    expect(startLines(fn, parseCliOptions(["--bandwidth", "unlimited"], {}), "http://h/", undefined)[1]).toMatch(/^Bandwidth: unlimited/);
  });
});

describe("serveFromCommandLine (npm start in-process)", () => {
  test("--help prints the usage and serves nothing", async () => {
    const out: string[] = [];
    expect(await serveFromCommandLine(["--help"], {}, (line) => out.push(line))).toBeUndefined();
    expect(out[0]).toMatch(/^Usage: npm start -- /);
  });

  test("removes the entries a killed npm start left in .local-url.json when it starts, naming them", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ls-cli-stale-"));
    try {
      const { pid } = spawnSync(process.execPath, ["-e", ""]);
      const stale = { url: "http://127.0.0.1:3999/", authType: "AWS_IAM", region: "us-east-1", pid };
      fs.writeFileSync(localUrlRecordPath(root), JSON.stringify([stale]));
      const out: string[] = [];
      // An empty --stack folder stops the start after the clean-up, before anything is served.
      await expect(serveFromCommandLine(["--stack", root], {}, (line) => out.push(line), root)).rejects.toThrow(StackReadError);
      expect(out).toEqual([
        `Removed a stale entry from .local-url.json: npm start (pid ${pid}, http://127.0.0.1:3999/) is no longer running (it was stopped without cleaning up, as kill -9 does).`,
      ]);
      expect(fs.existsSync(localUrlRecordPath(root))).toBe(false);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  testWhenAvailable(
    "--inspect on a port that is taken fails as every taken port does: one line, exit 1, nothing served",
    NEEDS_RUNTIME,
    async () => {
      const taken = net.createServer();
      const port = Number(new URL(await listenOnLoopback(taken)).port);
      const root = fs.mkdtempSync(path.join(os.tmpdir(), "ls-cli-inspect-"));
      const out: string[] = [];
      try {
        const started = serveFromCommandLine(
          [
            "--bundle",
            FIXTURES,
            "--handler",
            "handlers.paced",
            "--auth",
            "NONE",
            "--api-port",
            "0",
            "--port",
            "0",
            "--inspect",
            String(port),
          ],
          {},
          (line) => out.push(line),
          root,
        );
        // Served anyway (the fault this test is for): closed at once, so the failure is quick.
        const error = await started.then(
          async (serving) => {
            await serving?.close();
            return "served with the inspector's port taken";
          },
          (e: unknown) => e,
        );
        expect(exitFor(error)).toEqual({
          code: 1,
          message: `Cannot listen on 127.0.0.1:${port} for the debugger: the port is in use (EADDRINUSE), perhaps by another --inspect; pick another with --inspect PORT.`,
        });
        // No start banner claims a debugger is listening, and no record names a server.
        expect(out.filter((line) => /Debugger|Local Function URL/.test(line))).toEqual([]);
        expect(fs.existsSync(path.join(root, ".local-url.json"))).toBe(false);
      } finally {
        taken.close();
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  );

  testWhenAvailable(
    "--env-vars with nothing for the served function: a warning among the start lines, and it serves",
    NEEDS_RUNTIME,
    async () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), "ls-cli-envvars-"));
      const out: string[] = [];
      try {
        const file = path.join(root, "env.json");
        fs.writeFileSync(file, JSON.stringify({ "lambda-streaming": { GREETING: "hello" } }));
        const serving = await serveFromCommandLine(
          ["--bundle", FIXTURES, "--handler", "handlers.paced", "--auth", "NONE", "--api-port", "0", "--port", "0", "--env-vars", file],
          {},
          (line) => out.push(line),
          root,
        );
        await serving?.close();
        expect(out).toContain(
          `--env-vars ${file}: no "Parameters" and no entry named "handlers" (the function served), so none of its values apply ` +
            `(its entries: "lambda-streaming"); name an entry "handlers", or put values for every function under "Parameters"`,
        );
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  );

  testWhenAvailable("serves the given folder and prints the start lines; close() stops it", NEEDS_RUNTIME, async () => {
    const out: string[] = [];
    const serving = await serveFromCommandLine(
      ["--bundle", FIXTURES, "--handler", "handlers.paced", "--invoke-mode", "RESPONSE_STREAM", "--auth", "NONE", "--port", "0", "--watch"],
      {},
      (line) => out.push(line),
    );
    try {
      expect(out[0]).toMatch(/^Local Function URL for handlers \(RESPONSE_STREAM, NONE/);
      expect(out).toContain(
        "Watching for changes: each save is rebuilt and served to new requests; streams in flight finish on the code they started with.",
      );
      const res = await fetch(`${serving?.local.url}?count=2&ms=10`);
      expect(await res.text()).toBe("chunk-0\nchunk-1\n");
    } finally {
      await serving?.close();
    }
  });
});

describeWhenAvailable("npm start killed with SIGKILL", NEEDS_RUNTIME, () => {
  test("leaves no process behind: the runtime and what its handler started end with it", async () => {
    const child = spawn(
      process.execPath,
      [
        ...CLI,
        "--bundle",
        FIXTURES,
        "--handler",
        "misbehaving.spawnsChild",
        "--invoke-mode",
        "RESPONSE_STREAM",
        "--auth",
        "NONE",
        "--port",
        "0",
        "--timeout",
        "60",
      ],
      { cwd: ROOT, env: process.env },
    );
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      const url = /at (http:\S+) /.exec(await firstLines(child, 1))?.[1] ?? "";
      // The handler starts `sleep 60`, reports its pid, and never ends.
      const grandchild = await new Promise<number>((resolve, reject) => {
        http.get(url, (res) => res.once("data", (chunk: Buffer) => resolve(Number(chunk.toString())))).once("error", reject);
      });
      const runtime = Number(spawnSync("ps", ["-o", "ppid=", "-p", String(grandchild)], { encoding: "utf8" }).stdout.trim());
      expect(isRunning(grandchild)).toBe(true);
      expect(isRunning(runtime)).toBe(true);
      child.kill("SIGKILL");
      await exited;
      await processEnded(runtime, 15_000);
      await processEnded(grandchild, 15_000);
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
  }, 60_000);
});

test("a handler with a syntax error stops npm start with one line naming file:line:column, exit 1, as --watch reports it", async () => {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), "ls-cli-broken-"));
  try {
    const entry = path.join(project, "broken.ts");
    fs.writeFileSync(entry, "export const handler = (;\n");
    const error = await serveFromCommandLine(["--bundle", entry, "--port", "0"], {}, () => {}, project).then(
      async (serving) => {
        await serving?.close();
        return "served a handler that does not build";
      },
      (e: unknown) => e,
    );
    const { code, message } = exitFor(error);
    expect(code).toBe(1);
    expect(message).toMatch(/^The handler does not build: \S*broken\.ts:1:24: ERROR: /);
    expect(message).not.toMatch(/\n|node_modules/);
  } finally {
    fs.rmSync(project, { recursive: true, force: true });
  }
});

describe("exitFor", () => {
  test.each([
    [new UsageError("--port must be …"), 2, "--port must be …"],
    [new StackReadError("No synthesized stack at x"), 1, "No synthesized stack at x"],
    [new RuntimeMissingError("node@22 is missing"), 1, "node@22 is missing"],
    [
      Object.assign(new Error("listen EADDRINUSE: address already in use 127.0.0.1:3000"), {
        code: "EADDRINUSE",
        address: "127.0.0.1",
        port: 3000,
      }),
      1,
      /in use/,
    ],
  ])("%p exits with %p and one line", (error, code, message) => {
    const result = exitFor(error);
    expect(result.code).toBe(code);
    expect(result.message).toMatch(message);
  });

  test("anything else exits with 1 and its stack, so a bug can be reported", () => {
    expect(exitFor(new TypeError("boom"))).toEqual({ code: 1, message: expect.stringMatching(/^TypeError: boom\n\s+at /) });
    expect(exitFor("a string")).toEqual({ code: 1, message: "a string" });
  });
});

describe("apiLines", () => {
  const fn = { functionName: "f", region: "eu-west-1" } as FunctionConfig;

  test("a local pair is named in the AWS CLI lines, so they work as printed in any terminal", () => {
    const lines = apiLines(fn, "http://127.0.0.1:3001", {
      source: "local-pair",
      credentials: { accessKeyId: "AKIALOCALX", secretAccessKey: "s" },
    });
    expect(lines.slice(0, 3)).toEqual([
      "Local Lambda API (Invoke, InvokeWithResponseStream) for f at http://127.0.0.1:3001",
      "  Streamed (AWS CLI 2.11.12 or newer): AWS_ACCESS_KEY_ID=AKIALOCALX AWS_SECRET_ACCESS_KEY=s aws lambda invoke-with-response-stream --endpoint-url http://127.0.0.1:3001 --region eu-west-1 --function-name f --cli-binary-format raw-in-base64-out --payload '{}' /dev/stdout",
      "  Whole, at the end (any AWS CLI v2): AWS_ACCESS_KEY_ID=AKIALOCALX AWS_SECRET_ACCESS_KEY=s aws lambda invoke --endpoint-url http://127.0.0.1:3001 --region eu-west-1 --function-name f --cli-binary-format raw-in-base64-out --payload '{}' /dev/stdout",
    ]);
  });

  test("the README and docs/lambda-api.md name the same AWS CLI versions as the printed lines", () => {
    const root = path.join(__dirname, "..", "..", "..");
    for (const doc of ["README.md", "docs/lambda-api.md"]) {
      const text = fs.readFileSync(path.join(root, doc), "utf8");
      expect(text).toContain(AWS_CLI_VERSIONS.responseStream);
      expect(text).toContain(AWS_CLI_VERSIONS.endpointVariable);
    }
  });

  test("every AWS CLI line names --endpoint-url: a CLI older than 2.13.0 ignores AWS_ENDPOINT_URL_LAMBDA and would call AWS", () => {
    const lines = apiLines(fn, "http://127.0.0.1:3001", undefined).filter((line) => / aws lambda /.test(line));
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toContain(" --endpoint-url http://127.0.0.1:3001 ");
  });

  test.each(["environment", "aws-profile"] as const)("with %s credentials the AWS CLI finds them itself: none are printed", (source) => {
    const lines = apiLines(fn, "http://127.0.0.1:3001", { source, credentials: { accessKeyId: "AKIAREAL", secretAccessKey: "secret" } });
    expect(lines.join("\n")).not.toMatch(/AKIAREAL|secret/);
    expect(lines[1]).toMatch(/: aws lambda invoke-with-response-stream --endpoint-url http:\/\/127\.0\.0\.1:3001 /);
    expect(lines[3]).toBe(
      "From code (the README's example; the SDK reads AWS_ENDPOINT_URL_LAMBDA): AWS_REGION=eu-west-1 FUNCTION_NAME=f AWS_ENDPOINT_URL_LAMBDA=http://127.0.0.1:3001 node examples/stream-from-code.mjs",
    );
  });
});

describe("startLines, signing and debugging", () => {
  const fn = {
    functionName: "f",
    authType: "AWS_IAM",
    region: "us-east-1",
    invokeMode: "RESPONSE_STREAM",
    handler: "index.handler",
  } as FunctionConfig;
  const pair = { accessKeyId: "AKIAX", secretAccessKey: "s" };

  test.each([
    ["environment", /^Signatures are checked against AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY of this shell\.$/],
    ["aws-profile", /^Signatures are checked against the credentials your AWS profile resolves to/],
    ["local-pair", /^No AWS credentials found, so signatures are checked against a key pair made for this run/],
  ] as const)("says which pair an AWS_IAM URL checks against: %s", (source, line) => {
    expect(startLines(fn, parseCliOptions([], {}), "http://h/", { source, credentials: pair })[1]).toMatch(line);
  });

  test("names the debugger's port and the compiled transport when they are in use", () => {
    const lines = startLines({ ...fn, authType: "NONE" }, parseCliOptions(["--inspect", "9400"], {}), "http://h/", undefined, "native");
    expect(lines[0]).toContain("aws-lambda-ric over its compiled transport (rapid-client.node)");
    expect(lines).toContain(
      "Debugger: the function runs under Node's inspector on 127.0.0.1:9400, listening now (attach and set breakpoints before the first request), one environment at a time; timeouts are not enforced while it is on.",
    );
  });
});
