// `npm start` as a process: exit codes and messages. Uses esbuild-register as the npm script does.

import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { curlCommand, startLines } from "../../emulator/cli";
import { parseCliOptions } from "../../emulator/cli-options";
import { LOCAL_URL_RECORD_FILE, readLocalUrlRecord } from "../../emulator/local-url-record";
import type { FunctionConfig } from "../../emulator/stack-reader";

const ROOT = path.join(__dirname, "..", "..");
const FIXTURES = path.join(__dirname, "..", "fixtures", "handlers");
const CLI = ["-r", "esbuild-register", "emulator/cli.ts"];

function runCli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [...CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8", timeout: 20_000 });
}

describe("npm start (emulator/cli.ts)", () => {
  test("exits with code 2 and one line for a bad flag", () => {
    const result = runCli(["--auth", "PUBLIC"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('--auth must be AWS_IAM or NONE (got "PUBLIC")\n');
  });

  test("exits with code 2 when AWS_IAM auth has no credentials to check against", () => {
    const result = runCli(["--bundle", FIXTURES, "--handler", "handlers.paced", "--auth", "AWS_IAM"], {
      AWS_ACCESS_KEY_ID: "",
      AWS_SECRET_ACCESS_KEY: "",
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^The URL's auth type is AWS_IAM, .* or use --auth NONE\.\n$/);
  });

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

  test("exits with code 1 and one line, no stack trace, when the address is not this machine's", () => {
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

  test("prints the URL and the curl command, says a --bundle URL is BUFFERED as AWS creates it, then serves until stopped", async () => {
    const child = spawn(process.execPath, [...CLI, "--bundle", FIXTURES, "--handler", "handlers.paced", "--auth", "NONE", "--port", "0"], {
      cwd: ROOT,
    });
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
      expect(readLocalUrlRecord(ROOT)).toEqual({
        url: /at (\S+) /.exec(first)?.[1],
        authType: "NONE",
        region: process.env.AWS_REGION || "us-east-1",
        pid: child.pid,
      });
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
    // …and its entry removed when it stops (a killed server's would only be ignored).
    const file = path.join(ROOT, LOCAL_URL_RECORD_FILE);
    const left: { pid: number }[] = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : [];
    expect(left.map((entry) => entry.pid)).not.toContain(child.pid);
  });
});

describe("curlCommand", () => {
  const fn = { authType: "AWS_IAM", region: "eu-west-1" } as FunctionConfig;

  test("signs for lambda in the function's region", () => {
    expect(curlCommand(fn, "http://127.0.0.1:3000/", { accessKeyId: "a", secretAccessKey: "b" })).toBe(
      'curl -N --aws-sigv4 "aws:amz:eu-west-1:lambda" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" http://127.0.0.1:3000/',
    );
  });

  test("adds the session token header for temporary credentials, and nothing in public mode", () => {
    expect(curlCommand(fn, "http://h/", { accessKeyId: "a", secretAccessKey: "b", sessionToken: "t" })).toContain(
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
