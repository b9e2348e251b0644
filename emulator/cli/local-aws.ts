// `npm run local-aws`: the local AWS account terraform deploys this stack into. One endpoint
// (127.0.0.1:4566 unless told otherwise) for Lambda, IAM, STS, CloudWatch Logs and CloudFront, its state kept
// under --state, signatures checked against the caller's key pair or one made for the run and
// printed. AWS_ENDPOINT_URL sends terraform, the AWS CLI and the SDKs to it.

import * as path from "node:path";
import { parseArgs } from "node:util";
import { type LocalAwsRecord, removeLocalAwsRecord, writeLocalAwsRecord } from "../../support/local-aws-record";
import { UsageError } from "../../support/usage-error";
import { parseWholeNumber } from "../../support/whole-number";
import { type ResolvedCredentials, renewalOf, resolveVerifierCredentials } from "../auth/verifier-credentials";
import type { LogEvents } from "../control/log-events";
import { StateError, Store } from "../control/store";
import { type LocalAwsServer, startLocalAwsServer } from "../deployed/local-aws";
import { asLocalAwsListenError, listenErrorMessage } from "./listen-error";
import { claimStateFolder, keptLocalPair } from "./state-folder";

/** The port local AWS endpoints use by convention, so AWS_ENDPOINT_URL habits carry over. */
export const DEFAULT_LOCAL_AWS_PORT = 4566;
/** Where the state is kept unless --state says: a git-ignored folder in the project. */
export const DEFAULT_STATE_DIR = ".local-aws";

const FLAGS = {
  port: { type: "string" },
  host: { type: "string" },
  state: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export const LOCAL_AWS_USAGE = [
  "Usage: npm run local-aws -- [flags]",
  "A local AWS account for this stack: Lambda, IAM, STS, CloudWatch Logs and CloudFront on one endpoint, for terraform",
  "(AWS_ENDPOINT_URL=http://127.0.0.1:4566 terraform apply), the AWS CLI and the SDKs. Nothing leaves this machine.",
  "",
  `  --port N      port to listen on, 0 for a free one (default: ${DEFAULT_LOCAL_AWS_PORT})`,
  "  --host HOST   address to bind (default: 127.0.0.1; another address exposes the account beyond this machine)",
  `  --state DIR   where functions, roles and log groups are kept across restarts (default: ${DEFAULT_STATE_DIR}/ in the project)`,
  "  --help, -h    print this help and exit",
].join("\n");

export interface LocalAwsOptions {
  readonly port: number;
  readonly host: string;
  readonly state: string;
  readonly help: boolean;
}

export function parseLocalAwsOptions(argv: readonly string[], projectRoot: string): LocalAwsOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split("\n")[0]}. Allowed flags: --port, --host, --state, --help`);
  }
  const portText = values.port as string | undefined;
  const port = portText === undefined ? DEFAULT_LOCAL_AWS_PORT : parseWholeNumber(portText, 0, 65_535);
  if (port === undefined) {
    throw new UsageError(`--port must be a whole number from 0 to 65535 (got ${JSON.stringify(portText)})`);
  }
  const state = (values.state as string | undefined) ?? path.join(projectRoot, DEFAULT_STATE_DIR);
  if (state === "") {
    throw new UsageError("--state must name a folder (got an empty value)");
  }
  return { port, host: (values.host as string | undefined) ?? "127.0.0.1", state: path.resolve(state), help: values.help === true };
}

/** A running local AWS: its endpoint, and how to stop it. */
export interface RunningLocalAws {
  readonly endpoint: string;
  /** The log groups' events: where deployed functions' lines go (`logEvents.append`). */
  readonly logEvents: LogEvents;
  /** What `.local-aws.json` records besides the endpoint: the state folder, its CA file, and a pair made for it. */
  readonly record: Omit<LocalAwsRecord, "endpoint" | "pid">;
  close(): Promise<void>;
  /** Gives the state folder back at once (close() does too): for a process that exits. */
  releaseState(): void;
}

/** `npm run local-aws` without the process around it; resolves undefined after --help. */
export async function serveLocalAws(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
  projectRoot: string = path.join(__dirname, "..", ".."),
): Promise<RunningLocalAws | undefined> {
  const options = parseLocalAwsOptions(argv, projectRoot);
  if (options.help) {
    out(LOCAL_AWS_USAGE);
    return undefined;
  }
  const release = claimStateFolder(options.state);
  let store: Store;
  let resolved: ResolvedCredentials;
  let server: LocalAwsServer;
  try {
    store = Store.open(options.state);
    const found = await resolveVerifierCredentials(env);
    // A pair made for the folder is kept there: a restart checks the pair the user exported.
    resolved = found.source === "local-pair" ? { ...found, credentials: keptLocalPair(options.state, found.credentials) } : found;
    // An AWS profile's pair rotates: it is asked again when a signature fails, as npm start does.
    const renewCredentials = renewalOf(resolved, env);
    server = await startLocalAwsServer({
      store,
      host: options.host,
      port: options.port,
      credentials: resolved.credentials,
      ...(renewCredentials ? { renewCredentials } : {}),
      log: out,
    }).catch((error: unknown) => {
      throw asLocalAwsListenError(error);
    });
  } catch (error) {
    release();
    throw error;
  }
  const { endpoint } = server;
  const pair =
    resolved.source === "local-pair"
      ? `AWS_ACCESS_KEY_ID=${resolved.credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${resolved.credentials.secretAccessKey} `
      : "";
  out(`Local AWS (lambda, iam, sts, logs, cloudfront; account 000000000000) at ${endpoint}, state in ${options.state}`);
  out(`  terraform, the AWS CLI and SDKs: ${pair}AWS_ENDPOINT_URL=${endpoint} terraform apply`);
  out(
    resolved.source === "local-pair"
      ? "No AWS credentials found, so signatures are checked against a key pair made for this state folder (local only, shown above; the same after a restart)."
      : "Signatures are checked against your AWS credentials (nothing is sent to AWS).",
  );
  out(
    `CloudFront distributions answer over TLS with a certificate from ${server.edgeCaFile}: curl --cacert ${server.edgeCaFile} (or -k); Node: NODE_EXTRA_CA_CERTS=${server.edgeCaFile}`,
  );
  return {
    endpoint,
    logEvents: server.logEvents,
    record: {
      state: options.state,
      caFile: server.edgeCaFile,
      ...(resolved.source === "local-pair" ? { localCredentials: resolved.credentials } : {}),
    },
    close: () => server.close().finally(release),
    releaseState: release,
  };
}

if (require.main === module) {
  let running: RunningLocalAws | undefined;
  // For `npm run deploy -- --local` and the invoke tools, once it listens; gone when it stops.
  const projectRoot = path.join(__dirname, "..", "..");
  process.once("exit", () => {
    removeLocalAwsRecord(projectRoot, process.pid);
    // However it stops (an uncaught error, a signal before it started), the state folder is given back.
    running?.releaseState();
  });
  const stop = (): void => {
    void (running ? running.close() : Promise.resolve()).then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  serveLocalAws(process.argv.slice(2), process.env, (line) => console.log(line)).then(
    (started) => {
      running = started;
      try {
        if (started) writeLocalAwsRecord(projectRoot, { endpoint: started.endpoint, pid: process.pid, ...started.record });
      } catch (error) {
        console.error(`${(error as Error).message} npm run deploy -- --local will not find this endpoint.`);
      }
    },
    (error: unknown) => {
      const listenProblem = listenErrorMessage(error);
      const code = error instanceof UsageError ? 2 : 1;
      console.error(error instanceof UsageError || error instanceof StateError ? error.message : (listenProblem ?? (error as Error).stack));
      process.exit(code);
    },
  );
}
