import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describeEnvVarsFile, readEnvVarsFile } from "../../../emulator/function/env-vars-file";
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
    ["not-json.json", "{ STAGE: local }", /^--env-vars .*not-json\.json: not valid JSON \(.*\); expected AWS SAM's shape \{"Parameters"/],
    [
      "package.json",
      JSON.stringify({ name: "lambda-streaming", version: "0.1.0", scripts: { test: "jest" } }),
      /^--env-vars .*package\.json: "name" must be an object of NAME: value, got a string; expected AWS SAM's shape \{"Parameters": \{"NAME": "value"\}, "<function name>": \{"NAME": "value"\}\}$/,
    ],
    ["other-section.json", '{"Parameters": {}, "other": {"A": [1]}}', /: "other\.A" must be a string, number or boolean, got an array$/],
    ["array.json", "[]", /^--env-vars .*array\.json: expected a JSON object such as \{"Parameters": \{"NAME": "value"\}\}, got an array$/],
    [
      "section.json",
      '{"Parameters": "STAGE=local"}',
      /: "Parameters" must be an object of NAME: value, got a string; expected AWS SAM.s shape/,
    ],
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

  test("warns when the file gives the served function nothing: no Parameters and no entry of its name", () => {
    const target = file("other-function.json", '{"lambda-streaming": {"GREETING": "hello"}}');
    expect(describeEnvVarsFile(target, "index")).toBe(
      `--env-vars ${target}: no "Parameters" and no entry named "index" (the function served), so none of its values apply ` +
        `(its entries: "lambda-streaming"); name an entry "index", or put values for every function under "Parameters"`,
    );
    // A file that gives it something: the names set (never the values, which may be secrets).
    expect(describeEnvVarsFile(target, "lambda-streaming")).toBe(`--env-vars ${target}: GREETING for lambda-streaming, over the stack's`);
    expect(describeEnvVarsFile(file("params.json", '{"Parameters": {}}'), "index")).toBe(
      `--env-vars ${path.join(dir, "params.json")}: no variables for index, over the stack's`,
    );
  });

  test("a function named like Object.prototype's properties is a section like any other", () => {
    const target = file("proto.json", '{"constructor": {"A": "1"}, "__proto__": {"B": "2"}}');
    expect(readEnvVarsFile(target, "constructor")).toEqual({ A: "1" });
    expect(readEnvVarsFile(target, "__proto__")).toEqual({ B: "2" });
    expect(readEnvVarsFile(target, "toString")).toEqual({});
  });

  test("names a file it cannot read", () => {
    expect(() => readEnvVarsFile(path.join(dir, "absent.json"), "f")).toThrow(/absent\.json: cannot read it \(ENOENT\)/);
  });
});
