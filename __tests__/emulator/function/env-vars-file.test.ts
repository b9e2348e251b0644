import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readEnvVarsFile } from "../../../emulator/function/env-vars-file";
import { UsageError } from "../../../support/usage-error";

const ENV_FILE = path.join(__dirname, "..", "..", "fixtures", "env-vars", "env.json");

describe("readEnvVarsFile", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ls-envvars-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const target = path.join(dir, name);
    fs.writeFileSync(target, text);
    return target;
  };

  test("applies Parameters to every function, then the function's own key over it, as SAM does", () => {
    expect(readEnvVarsFile(ENV_FILE, "misbehaving")).toEqual({ STAGE: "mine", RETRIES: "3", FEATURE_FLAG: "true" });
    expect(readEnvVarsFile(ENV_FILE, "other")).toEqual({ STAGE: "local", RETRIES: "3" });
  });

  test.each([
    ["not-json.json", "{ STAGE: local }", /^--env-vars .*not-json\.json: not valid JSON \(.*\); expected \{"Parameters"/],
    ["array.json", "[]", /^--env-vars .*array\.json: expected a JSON object such as \{"Parameters": \{"NAME": "value"\}\}, got an array$/],
    ["section.json", '{"Parameters": "STAGE=local"}', /: "Parameters" must be an object of NAME: value, got a string$/],
    ["nested.json", '{"Parameters": {"A": {"b": 1}}}', /: "Parameters\.A" must be a string, number or boolean, got an object$/],
    [
      "reserved.json",
      '{"Parameters": {"AWS_LAMBDA_RUNTIME_API": "x"}}',
      /^--env-vars .*reserved\.json sets AWS_LAMBDA_RUNTIME_API, which Lambda reserves/,
    ],
  ])("refuses %s in one line that names the problem", (name, text, message) => {
    const target = file(name, text);
    expect(() => readEnvVarsFile(target, "f")).toThrow(UsageError);
    expect(() => readEnvVarsFile(target, "f")).toThrow(message);
  });

  test("names a file it cannot read", () => {
    expect(() => readEnvVarsFile(path.join(dir, "absent.json"), "f")).toThrow(/absent\.json: cannot read it \(ENOENT\)/);
  });
});
