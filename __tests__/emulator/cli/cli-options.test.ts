import * as fs from "node:fs";
import * as path from "node:path";
import { parseCliOptions, USAGE } from "../../../emulator/cli/cli-options";
import { UsageError } from "../../../support/usage-error";

const FIXTURES = path.join(__dirname, "..", "..", "fixtures", "handlers");
const ENV_FILE = path.join(__dirname, "..", "..", "fixtures", "env-vars", "env.json");

describe("parseCliOptions", () => {
  test("defaults to 127.0.0.1:3000, or PORT", () => {
    expect(parseCliOptions([], {})).toEqual({ help: false, port: 3000, host: "127.0.0.1", bandwidth: "capped", watch: false });
    expect(parseCliOptions([], { PORT: "8080" }).port).toBe(8080);
  });

  test("reads every flag", () => {
    expect(
      parseCliOptions(
        [
          "--port",
          "0",
          "--host",
          "0.0.0.0",
          "--bundle",
          FIXTURES,
          "--handler",
          "handlers.paced",
          "--invoke-mode",
          "BUFFERED",
          "--auth",
          "NONE",
          "--timeout",
          "5",
          "--memory",
          "512",
          "--max-environments",
          "2",
          "--bandwidth",
          "unlimited",
          "--watch",
          "--inspect",
          "9333",
          "--env-vars",
          ENV_FILE,
        ],
        {},
      ),
    ).toEqual({
      help: false,
      port: 0,
      host: "0.0.0.0",
      bundle: { kind: "folder", dir: FIXTURES, handler: "handlers.paced", name: "handlers" },
      invokeMode: "BUFFERED",
      auth: "NONE",
      timeout: 5,
      memory: 512,
      maxEnvironments: 2,
      bandwidth: "unlimited",
      watch: true,
      inspect: 9333,
      envVars: ENV_FILE,
    });
  });

  test("--inspect alone, last or before another flag, means Node's default port 9229", () => {
    expect(parseCliOptions(["--inspect"], {}).inspect).toBe(9229);
    expect(parseCliOptions(["--inspect", "--watch"], {})).toMatchObject({ inspect: 9229, watch: true });
    expect(parseCliOptions(["--inspect=9300"], {}).inspect).toBe(9300);
  });

  test.each([
    [["--port", "70000"], '--port must be a whole number from 0 to 65535 (got "70000")'],
    [["--port", "abc"], '--port must be a whole number from 0 to 65535 (got "abc")'],
    [["--invoke-mode", "STREAM"], '--invoke-mode must be RESPONSE_STREAM or BUFFERED (got "STREAM")'],
    [["--auth", "PUBLIC"], '--auth must be AWS_IAM or NONE (got "PUBLIC")'],
    [["--inspect", "0"], '--inspect must be a whole number from 1 to 65535 (got "0")'],
    [
      ["--env-vars", "missing.json"],
      '--env-vars must be an existing file (got "missing.json", which is not one); start from the example: cp env.example.json missing.json',
    ],
    [["--timeout", "901"], '--timeout must be a whole number from 1 to 900 (got "901")'],
    [["--memory", "64"], '--memory must be a whole number from 128 to 10240 (got "64")'],
    [["--max-environments", "0"], '--max-environments must be a whole number from 1 to 64 (got "0")'],
    [["--stack", "/no/such/dir"], '--stack must be an existing folder (got "/no/such/dir", which is not one)'],
    [
      ["--handler", "index.handler"],
      "--handler FILE.EXPORT names the handler of --bundle PATH (for example --bundle dist --handler index.handler)",
    ],
    [["--bundle", FIXTURES, "--handler", "handlers"], '--handler must be FILE.EXPORT such as index.handler (got "handlers")'],
    [
      ["--bundle", FIXTURES, "--handler", "missing.handler"],
      `--bundle ${FIXTURES}: no missing.js, .mjs or .cjs to serve, nor missing.ts to bundle; name the file with --handler FILE.EXPORT, or pass the entry file itself`,
    ],
    [
      ["--stack", FIXTURES, "--bundle", FIXTURES, "--handler", "handlers.paced"],
      "--stack and --bundle cannot be used together: serve a synthesized stack, or a handler folder",
    ],
    [
      ["--host", ""],
      '--host must be an IP address of this machine or a host name, such as 127.0.0.1, ::1 or 0.0.0.0 for every interface (got "")',
    ],
    [
      ["--host", "999.1.1.1"],
      '--host must be an IP address of this machine or a host name, such as 127.0.0.1, ::1 or 0.0.0.0 for every interface (got "999.1.1.1")',
    ],
    [
      ["--host", "1.2.3"],
      '--host must be an IP address of this machine or a host name, such as 127.0.0.1, ::1 or 0.0.0.0 for every interface (got "1.2.3")',
    ],
    [
      ["--host", "my host"],
      '--host must be an IP address of this machine or a host name, such as 127.0.0.1, ::1 or 0.0.0.0 for every interface (got "my host")',
    ],
    [
      ["--host", "http://127.0.0.1"],
      '--host must be an IP address of this machine or a host name, such as 127.0.0.1, ::1 or 0.0.0.0 for every interface (got "http://127.0.0.1")',
    ],
    // parseArgs alone calls `--port -1` ambiguous: a negative value gets the range check instead.
    [["--port", "-1"], '--port must be a whole number from 0 to 65535 (got "-1")'],
    [["--port=-1"], '--port must be a whole number from 0 to 65535 (got "-1")'],
    [["--timeout", "-5", "--port", "0"], '--timeout must be a whole number from 1 to 900 (got "-5")'],
  ])("rejects %j with one line naming it and what is allowed", (argv, message) => {
    expect(() => parseCliOptions(argv, {})).toThrow(new UsageError(message));
  });

  test.each(["127.0.0.1", "0.0.0.0", "::1", "::", "localhost", "my-box.local"])("accepts --host %s", (host) => {
    expect(parseCliOptions(["--host", host], {}).host).toBe(host);
  });

  test("rejects an unknown flag, listing the allowed ones", () => {
    expect(() => parseCliOptions(["--verbose"], {})).toThrow(/^Unknown option '--verbose'.*\. Allowed flags: --port, --host, --stack/);
  });

  test("rejects a bad PORT from the environment by name", () => {
    expect(() => parseCliOptions([], { PORT: "x" })).toThrow('PORT must be a whole number from 0 to 65535 (got "x")');
  });
});

describe("npm start -- --help", () => {
  /** The flags parseCliOptions accepts, as its error for an unknown one lists them. */
  const accepted = (): string[] => {
    try {
      parseCliOptions(["--no-such-flag"], {});
    } catch (error) {
      return /Allowed flags: (.*)$/.exec((error as Error).message)?.[1].split(", ") ?? [];
    }
    throw new Error("an unknown flag was accepted");
  };

  test("gives every flag its own line: the syntax, then what it does", () => {
    const lines = USAGE.split("\n");
    expect(accepted().length).toBeGreaterThan(10);
    for (const flag of accepted()) {
      const line = lines.find((l) => l.startsWith(`  ${flag} `) || l.startsWith(`  ${flag},`));
      expect([flag, line !== undefined]).toEqual([flag, true]);
      // A description of several words after the syntax column.
      expect(line?.split(/ {2,}/)[2]?.split(" ").length ?? 0).toBeGreaterThan(3);
      expect(line?.length ?? 0).toBeLessThanOrEqual(140);
    }
  });

  test("lists each flag of the README's table", () => {
    const readme = fs.readFileSync(path.join(__dirname, "..", "..", "..", "README.md"), "utf8");
    const table = readme.slice(readme.indexOf("### Flags"));
    const flags = [...table.matchAll(/^\| `(--[a-z-]+)/gm)].map((m) => m[1]);
    expect(flags.length).toBeGreaterThan(10);
    for (const flag of flags) {
      expect(USAGE).toContain(`  ${flag}`);
    }
  });
});

test("--port 65535 without --api-port is refused in one line: the API's default port would be 65536", () => {
  expect(() => parseCliOptions(["--port", "65535"], {})).toThrow(
    "--port 65535 leaves no port above it for the Lambda API (--port + 1): pass --api-port N, or --api-port 0 to serve no API",
  );
  expect(parseCliOptions(["--port", "65535", "--api-port", "0"], {})).toMatchObject({ port: 65_535, apiPort: 0 });
});

test("--port N --api-port N is refused: the two flags name the same port", () => {
  expect(() => parseCliOptions(["--port", "4106", "--api-port", "4106"], {})).toThrow(
    "--port 4106 and --api-port 4106 name the same port: the Function URL and the Lambda API each need their own (leave out --api-port for --port + 1)",
  );
  expect(() => parseCliOptions(["--api-port", "4106"], { PORT: "4106" })).toThrow(/^PORT 4106 and --api-port 4106 name the same port/);
  // --port 0 --api-port 0: a free port, and no API; not the same port.
  expect(parseCliOptions(["--port", "0", "--api-port", "0"], {})).toMatchObject({ port: 0, apiPort: 0 });
});

describe("flags typed before `--`, which npm takes for itself (npm_config_* variables)", () => {
  // What npm 11 hands the script for `npm start --watch`, `npm start --port 4106` and
  // `npm start --max-environments=3 --invoke-mode BUFFERED` (measured with `npm start` printing its env and argv).
  test("npm start --watch: put it after --", () => {
    expect(() => parseCliOptions([], { npm_config_watch: "true" })).toThrow(
      "npm took --watch for itself: flags before `--` go to npm. Put them after `--`: npm start -- --watch",
    );
  });

  test("npm start --port 4106: the stray value goes back with its flag", () => {
    expect(() => parseCliOptions(["4106"], { npm_config_port: "true" })).toThrow(/Put them after `--`: npm start -- --port 4106$/);
  });

  test("several flags: each is named; a value npm kept is used, an unknown one shown by its syntax", () => {
    expect(() => parseCliOptions(["BUFFERED"], { npm_config_max_environments: "3", npm_config_invoke_mode: "true" })).toThrow(
      "npm took --invoke-mode, --max-environments for itself: flags before `--` go to npm. Put them after `--`: npm start -- --invoke-mode MODE --max-environments 3",
    );
  });

  test("npm's own variables, and a flag also given after --, are not mistaken for ours", () => {
    const npmEnv = { npm_config_cache: "/tmp/npm", npm_config_user_agent: "npm/11", npm_config_loglevel: "silent" };
    expect(parseCliOptions(["--watch"], { ...npmEnv, npm_config_watch: "true" })).toMatchObject({ watch: true });
    expect(parseCliOptions([], npmEnv)).toMatchObject({ watch: false });
  });
});

test("--inspect on the server's own port (the URL's, or the Lambda API's) is refused: the inspector could not bind it", () => {
  expect(() => parseCliOptions(["--inspect", "3000"], {})).toThrow(
    "--inspect 3000 is also the default port 3000 (the Function URL): the debugger needs a port of its own; pick another with --inspect PORT",
  );
  expect(() => parseCliOptions(["--port", "4000", "--inspect", "4001"], {})).toThrow(
    "--inspect 4001 is also the Lambda API's port (--port + 1): the debugger needs a port of its own; pick another with --inspect PORT",
  );
  expect(() => parseCliOptions(["--api-port", "5000", "--inspect", "5000"], {})).toThrow(/^--inspect 5000 is also --api-port 5000: /);
  expect(() => parseCliOptions(["--inspect", "3100"], { PORT: "3100" })).toThrow(/^--inspect 3100 is also PORT 3100 \(the Function URL\)/);
  expect(parseCliOptions(["--inspect"], {})).toMatchObject({ inspect: 9229 });
  expect(parseCliOptions(["--port", "0", "--inspect", "1"], {})).toMatchObject({ inspect: 1 });
});
