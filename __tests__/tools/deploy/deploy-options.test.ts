import { UsageError } from "../../../support/usage-error";
import { deployUsage, parseDeployOptions } from "../../../tools/deploy/deploy-options";

describe("npm run deploy / destroy's flags", () => {
  test("none: the real deployment, asked before it changes anything", () => {
    expect(parseDeployOptions("deploy", [])).toEqual({ command: "deploy", local: false, autoApprove: false, help: false });
  });

  test("--local, --auto-approve and --help", () => {
    expect(parseDeployOptions("destroy", ["--local"])).toMatchObject({ command: "destroy", local: true });
    expect(parseDeployOptions("deploy", ["--auto-approve"])).toMatchObject({ autoApprove: true });
    expect(parseDeployOptions("deploy", ["-h"])).toMatchObject({ help: true });
  });

  test.each([
    [["--locale"], /^Unknown option '--locale'\. Allowed flags: --local, --auto-approve, --help$/],
    [["--local=yes"], /^Option '--local' does not take an argument.*\. Allowed flags: --local, --auto-approve, --help$/],
    [["local"], /^npm run deploy takes flags only \(got "local"\): .* as in npm run deploy -- --local$/],
  ])("%p is a UsageError naming the value and the fix", (argv, message) => {
    expect(() => parseDeployOptions("deploy", argv)).toThrow(UsageError);
    expect(() => parseDeployOptions("deploy", argv)).toThrow(message);
  });

  test("the usage names every flag and where --local keeps its state", () => {
    const usage = deployUsage("destroy");
    for (const words of [
      "npm run destroy -- [--local] [--auto-approve]",
      "--local",
      "--auto-approve",
      "--help, -h",
      "terraform.<stack>.local-aws.tfstate",
      "cdktf.out.local-aws/",
    ]) {
      expect(usage).toContain(words);
    }
  });
});
