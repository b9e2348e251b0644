// `npm start` as a process: exit codes and messages. Uses esbuild-register as the npm script does.

import { spawn, spawnSync } from "node:child_process";
import * as path from "node:path";
import { curlCommand } from "../../emulator/cli";
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

  test("prints one line with the URL and the curl command, then serves until stopped", async () => {
    const child = spawn(process.execPath, [...CLI, "--bundle", FIXTURES, "--handler", "handlers.paced", "--auth", "NONE", "--port", "0"], {
      cwd: ROOT,
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          if (out.includes("\n")) resolve(out.split("\n")[0]);
        });
        child.once("exit", (code) => reject(new Error(`exited with ${code}`)));
      });
      expect(line).toMatch(
        /^Local Function URL for handlers \(RESPONSE_STREAM, NONE, handlers\.paced on Node\.js 22, aws-lambda-ric over its Node\.js transport \(emulator\/runtime-client\)\) at http:\/\/127\.0\.0\.1:\d+\/ {2}· {2}try: curl -N http:\/\/127\.0\.0\.1:\d+\/$/,
      );
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
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
