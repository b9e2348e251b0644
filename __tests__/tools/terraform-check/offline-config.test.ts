import { makeOffline, offlineEnvironment, PLACEHOLDER_CREDENTIALS } from "../../../tools/terraform-check/offline-config";

describe("offline-config", () => {
  test("adds the skip flags and loopback endpoints to every aws provider, and drops the backend (a module has none)", () => {
    const input = { provider: { aws: [{ region: "eu-west-1" }] }, terraform: { backend: { s3: { bucket: "b" } } } };
    const offline = makeOffline(input);
    expect(offline.provider?.aws[0]).toEqual({
      region: "eu-west-1",
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
      skip_region_validation: true,
      endpoints: [
        {
          sts: "http://127.0.0.1:9",
          iam: "http://127.0.0.1:9",
          lambda: "http://127.0.0.1:9",
          cloudwatchlogs: "http://127.0.0.1:9",
          cloudfront: "http://127.0.0.1:9",
        },
      ],
    });
    expect(offline.terraform).toEqual({});
    expect(input).toEqual({ provider: { aws: [{ region: "eu-west-1" }] }, terraform: { backend: { s3: { bucket: "b" } } } });
  });

  test("runs terraform with placeholder credentials and none of the user's AWS settings", () => {
    const env = offlineEnvironment("/w", {
      PATH: "/bin",
      HOME: "/h",
      AWS_PROFILE: "prod",
      AWS_ACCESS_KEY_ID: "AKIAREAL",
      TF_CLI_CONFIG_FILE: "/missing",
    });
    expect(env).toEqual({
      PATH: "/bin",
      HOME: "/h",
      ...PLACEHOLDER_CREDENTIALS,
      AWS_CONFIG_FILE: "/w/.aws-config",
      AWS_SHARED_CREDENTIALS_FILE: "/w/.aws-config",
      AWS_EC2_METADATA_DISABLED: "true",
      CHECKPOINT_DISABLE: "1",
      TF_CLI_CONFIG_FILE: "/w/.terraformrc",
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
    });
  });

  test("leaves a stack without providers or a terraform block as it is", () => {
    expect(makeOffline({ resource: {} } as Parameters<typeof makeOffline>[0])).toEqual({ resource: {} });
  });
});
