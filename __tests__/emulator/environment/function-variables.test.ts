import * as os from "node:os";
import {
  functionArn,
  lambdaEnvironment,
  RESERVED_ENVIRONMENT_KEYS,
  ReservedVariableError,
  refuseReservedKeys,
} from "../../../emulator/environment/function-variables";

const FN = {
  functionName: "f",
  region: "eu-west-1",
  runtime: "nodejs22.x",
  memoryMb: 256,
  handler: "index.handler",
  bundleDir: "/bundle",
  environment: { MY_SETTING: "on", PATH: "/opt/bin:/usr/bin", TZ: "Europe/Paris" },
};

const DEVELOPER_SHELL = {
  PATH: "/usr/local/bin:/usr/bin",
  HOME: "/home/dev",
  AWS_ACCESS_KEY_ID: "AKIADEVELOPER",
  AWS_SECRET_ACCESS_KEY: "secret",
  AWS_SESSION_TOKEN: "token",
  AWS_PROFILE: "dev",
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials",
  NODE_OPTIONS: "--inspect",
};

describe("lambdaEnvironment", () => {
  test("gives the function Lambda's variables and its own, and nothing of the developer's shell but PATH", () => {
    const env = lambdaEnvironment(FN, "127.0.0.1:9001", DEVELOPER_SHELL);
    expect(env).toMatchObject({
      AWS_REGION: "eu-west-1",
      AWS_DEFAULT_REGION: "eu-west-1",
      AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
      AWS_LAMBDA_FUNCTION_NAME: "f",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "256",
      AWS_LAMBDA_RUNTIME_API: "127.0.0.1:9001",
      LAMBDA_TASK_ROOT: "/bundle",
      _HANDLER: "index.handler",
      MY_SETTING: "on",
      AWS_SHARED_CREDENTIALS_FILE: os.devNull,
      AWS_CONFIG_FILE: os.devNull,
      AWS_EC2_METADATA_DISABLED: "true",
    });
    for (const key of [
      "HOME",
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
      "AWS_PROFILE",
      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
      "NODE_OPTIONS",
    ]) {
      expect(env).not.toHaveProperty(key);
    }
  });

  test("lets the function set what Lambda lets it set (PATH, TZ), but never what Lambda reserves", () => {
    const env = lambdaEnvironment(
      { ...FN, environment: { ...FN.environment, _HANDLER: "evil.handler", AWS_LAMBDA_RUNTIME_API: "10.0.0.1:1" } },
      "127.0.0.1:9001",
      DEVELOPER_SHELL,
    );
    expect(env.PATH).toBe("/opt/bin:/usr/bin");
    expect(env.TZ).toBe("Europe/Paris");
    expect(env._HANDLER).toBe("index.handler");
    expect(env.AWS_LAMBDA_RUNTIME_API).toBe("127.0.0.1:9001");
  });

  test("builds the function's ARN in the local account", () => {
    expect(functionArn(FN)).toBe("arn:aws:lambda:eu-west-1:000000000000:function:f");
  });
});

describe("refuseReservedKeys", () => {
  test.each(RESERVED_ENVIRONMENT_KEYS)("refuses %s, naming it and where it came from", (key) => {
    expect(() => refuseReservedKeys({ OK: "1", [key]: "x" }, "the stack")).toThrow(ReservedVariableError);
    expect(() => refuseReservedKeys({ [key]: "x" }, "the stack")).toThrow(new RegExp(`^the stack sets ${key}, which Lambda reserves`));
  });

  test("accepts what is not reserved", () => {
    expect(() => refuseReservedKeys({ PATH: "/x", NODE_OPTIONS: "--enable-source-maps", TZ: "UTC", LANG: "C" }, "the stack")).not.toThrow();
  });
});
