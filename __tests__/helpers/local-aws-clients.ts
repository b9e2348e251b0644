// A local AWS for a test file, started before its tests and stopped after, and the AWS SDK's
// clients pointed at it (signed with the pair it checks, never retried).

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type RunningLocalAws, serveLocalAws } from "../../emulator/cli/local-aws";

export const LOCAL_AWS_CREDENTIALS = { accessKeyId: "AKIALOCALAWSTEST0000", secretAccessKey: "local-aws-secret" };
/** The environment the local AWS resolves its key pair from, with the instance metadata service off. */
export const LOCAL_AWS_ENV = {
  AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
  AWS_EC2_METADATA_DISABLED: "true",
};
/** A role only Lambda may assume, as the stack's. */
export const LAMBDA_ASSUME_ROLE_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

export interface LocalAwsForTests {
  readonly endpoint: () => string;
  /** The state folder. */
  readonly state: () => string;
  /** An SDK client for the local AWS, in us-east-1; `credentials` to sign with another pair. */
  client<T>(Client: new (config: object) => T, credentials?: { accessKeyId: string; secretAccessKey: string }): T;
}

/** Starts a local AWS in a fresh state folder before the file's tests; stops it and removes the folder after. */
export function useLocalAws(): LocalAwsForTests {
  let state = "";
  let aws: RunningLocalAws | undefined;
  beforeAll(async () => {
    state = fs.mkdtempSync(path.join(os.tmpdir(), "ls-local-aws-"));
    aws = (await serveLocalAws(["--port", "0", "--state", state], LOCAL_AWS_ENV, () => {})) as RunningLocalAws;
  });
  afterAll(async () => {
    await aws?.close();
    fs.rmSync(state, { recursive: true, force: true });
  });
  const endpoint = (): string => aws?.endpoint ?? "";
  return {
    endpoint,
    state: () => state,
    client: (Client, credentials = LOCAL_AWS_CREDENTIALS) =>
      new Client({ endpoint: endpoint(), region: "us-east-1", credentials, maxAttempts: 1 }),
  };
}
