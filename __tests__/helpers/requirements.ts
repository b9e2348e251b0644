// Suites and tests that need something this machine may lack (terraform, the Lambda runtime client,
// Linux's /proc, a second loopback address, curl) declare it and run only when it is there.
// Otherwise they are reported as skipped, loudly, with the reason on one line; with CI=true they
// fail instead, so CI can never pass by skipping them.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { findPluginMirror, PluginMirrorError } from "../../tools/terraform-check/plugin-mirror";
import { terraformVersion } from "../../tools/terraform-check/terraform";

/** `describe` when `missing` is undefined; otherwise a loud skip, or a failure under CI. */
export function describeWhenAvailable(name: string, missing: string | undefined, body: () => void): void {
  whenAvailable(
    name,
    missing,
    () => describe(name, body),
    () => describe.skip(name, body),
  );
}

/** `test` when `missing` is undefined; otherwise a loud skip of this one test, or a failure under CI. */
export function testWhenAvailable(name: string, missing: string | undefined, body: jest.ProvidesCallback, timeoutMs?: number): void {
  whenAvailable(
    name,
    missing,
    () => test(name, body, timeoutMs),
    () => test.skip(name, body, timeoutMs),
  );
}

/** `run` when nothing is `missing`; under CI=true a test that fails with the reason; otherwise `skip`, said aloud. */
function whenAvailable(name: string, missing: string | undefined, run: () => void, skip: () => void): void {
  if (missing === undefined) {
    run();
    return;
  }
  if (process.env.CI === "true") {
    test(`${name}: has what it needs (CI must not skip it)`, () => {
      throw new Error(`Cannot run "${name}": ${missing}`);
    });
    return;
  }
  // One line on stderr, not console.warn: jest prints a test file's console output only when some
  // test in it ran, so a suite skipped whole would lose its reason.
  process.stderr.write(`SKIPPED "${name}": ${missing}\n`);
  // Reported by jest as skipped, never as passed; .ci/run sets CI=true, so CI cannot get here.
  skip();
}

/** Why `check` fails, or undefined when it passes. */
export function missingReason(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Linux's /proc, where a test reads a process's children, open sockets or memory. */
export function requireProcFs(): void {
  if (!fs.existsSync("/proc/self/status")) {
    throw new Error(`this machine has no /proc (Linux's process file system; ${process.platform} has none), which the test reads`);
  }
}

/**
 * `address` is this machine's to listen on. Linux answers all of 127.0.0.0/8 on its loopback;
 * macOS only 127.0.0.1 unless an alias is added. Checked by listening on it, in a child process
 * (a listen is asynchronous, and suites are declared synchronously).
 */
export function requireListenableAddress(address: string): void {
  const probe = spawnSync(
    process.execPath,
    [
      "-e",
      "require('node:net').createServer().once('error', (e) => { process.stderr.write(e.code); process.exit(1); })" +
        ".listen(0, process.argv[1], function () { this.close(); })",
      address,
    ],
    { encoding: "utf8", timeout: 10_000 },
  );
  if (probe.status !== 0) {
    throw new Error(
      `cannot listen on ${address} (${probe.stderr.trim() || probe.error?.message || `exit ${probe.status}`}); ` +
        `on macOS add it to the loopback interface: sudo ifconfig lo0 alias ${address} up`,
    );
  }
}

/** curl on PATH (the line npm run local-aws prints for the edge uses its --cacert). */
export function requireCurl(): void {
  const curl = spawnSync("curl", ["--version"], { encoding: "utf8", timeout: 10_000 });
  if (curl.error || curl.status !== 0) {
    throw new Error(`curl is not on PATH (${curl.error?.message ?? `exit ${curl.status}`}); install curl`);
  }
}

/** curl 7.75 or later on PATH, the first with --aws-sigv4 (the line npm start prints uses it). */
export function requireCurlWithSigV4(): void {
  const curl = spawnSync("curl", ["--version"], { encoding: "utf8", timeout: 10_000 });
  if (curl.error || curl.status !== 0) {
    throw new Error(`curl is not on PATH (${curl.error?.message ?? `exit ${curl.status}`}); install curl 7.75 or later`);
  }
  const [major, minor] = (/^curl (\d+)\.(\d+)/.exec(curl.stdout) ?? []).slice(1).map(Number);
  if (!(major > 7 || (major === 7 && minor >= 75))) {
    throw new Error(`curl ${major}.${minor} has no --aws-sigv4 (curl 7.75 or later has it)`);
  }
}

/**
 * terraform on PATH, and a hashicorp/aws 5.100.0 mirror where the offline check looks for one.
 * Without a mirror, the reason is the one line that says which variable to set (TF_PLUGIN_DIR);
 * `npm run validate` prints every place it looked.
 */
export function requireTerraformAndMirror(): void {
  if (terraformVersion() === undefined) {
    throw new Error("terraform is not on PATH; install Terraform 1.10 or newer (https://developer.hashicorp.com/terraform/install)");
  }
  try {
    findPluginMirror();
  } catch (error) {
    throw error instanceof PluginMirrorError ? new Error(error.headline) : error;
  }
}
