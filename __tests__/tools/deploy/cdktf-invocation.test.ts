import { cdktfInvocation, LOCAL_AWS_OUTPUT, localAwsEnvironment } from "../../../tools/deploy/cdktf-invocation";
import type { DeployOptions } from "../../../tools/deploy/deploy-options";

const REAL: DeployOptions = { command: "deploy", local: false, autoApprove: false, help: false };
const LOCAL: DeployOptions = { ...REAL, local: true };
const LOCAL_AWS = {
  endpoint: "http://127.0.0.1:4566",
  pid: 1234,
  state: "/project/.local-aws",
  localCredentials: { accessKeyId: "AKIALOCALPAIR", secretAccessKey: "local-secret" },
};
/** A shell of someone with a real deployment: their keys, profile, bucket and a local Lambda API endpoint. */
const SHELL = {
  PATH: "/usr/bin",
  AWS_ACCESS_KEY_ID: "AKIAREAL",
  AWS_SECRET_ACCESS_KEY: "real-secret",
  AWS_SESSION_TOKEN: "real-token",
  AWS_PROFILE: "work",
  TF_STATE_BUCKET: "my-tf-state",
  AWS_ENDPOINT_URL_LAMBDA: "http://127.0.0.1:3001",
  AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true",
};

describe("what npm run deploy hands cdktf", () => {
  test("the real deployment: the shell as it is, --no-color off a terminal, nothing else", () => {
    expect(cdktfInvocation(REAL, SHELL, false)).toEqual({ args: ["deploy", "--no-color"], env: { ...SHELL, CHECKPOINT_DISABLE: "1" } });
    expect(cdktfInvocation({ ...REAL, command: "destroy", autoApprove: true }, SHELL, true).args).toEqual(["destroy", "--auto-approve"]);
  });

  test("--local: its own output folder, approved, and an environment that reaches only the local AWS", () => {
    const { args, env } = cdktfInvocation(LOCAL, SHELL, false, LOCAL_AWS);
    expect(args).toEqual(["deploy", "--output", LOCAL_AWS_OUTPUT, "--auto-approve", "--skip-provider-lock", "--no-color"]);
    expect(LOCAL_AWS_OUTPUT).not.toBe("cdktf.out");
    expect(env).toEqual({
      PATH: "/usr/bin",
      AWS_ENDPOINT_URL: "http://127.0.0.1:4566",
      AWS_ACCESS_KEY_ID: "AKIALOCALPAIR",
      AWS_SECRET_ACCESS_KEY: "local-secret",
      AWS_REGION: "us-east-1",
      AWS_EC2_METADATA_DISABLED: "true",
      LAMBDA_STREAMING_LOCAL_AWS: "http://127.0.0.1:4566",
      CHECKPOINT_DISABLE: "1",
    });
  });

  test("--local with a local AWS that checks your own credentials: yours are kept, the rest as above", () => {
    const { localCredentials: _none, ...checksYours } = LOCAL_AWS;
    const env = localAwsEnvironment({ ...SHELL, AWS_REGION: "eu-west-1" }, checksYours);
    expect(env).toMatchObject({
      AWS_ACCESS_KEY_ID: "AKIAREAL",
      AWS_SECRET_ACCESS_KEY: "real-secret",
      AWS_SESSION_TOKEN: "real-token",
      AWS_PROFILE: "work",
      AWS_ENDPOINT_URL: "http://127.0.0.1:4566",
      AWS_REGION: "eu-west-1",
    });
    expect(env.TF_STATE_BUCKET).toBeUndefined();
    expect(env.AWS_ENDPOINT_URL_LAMBDA).toBeUndefined();
  });

  test("--local without the local AWS's record is a programming error, not a deploy to AWS", () => {
    expect(() => cdktfInvocation(LOCAL, SHELL, false)).toThrow(/needs the local AWS's record/);
  });
});
