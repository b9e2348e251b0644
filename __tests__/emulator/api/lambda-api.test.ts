// The local Lambda API with the AWS SDK's own Lambda client as the caller: InvokeWithResponseStream
// streams event-stream frames as they come, Invoke answers in one piece, and every failure reaches
// the SDK as the exception class AWS produces.

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import {
  InvalidRequestContentException,
  InvokeCommand,
  InvokeWithResponseStreamCommand,
  type InvokeWithResponseStreamCommandOutput,
  LambdaClient,
  RequestTooLargeException,
  ResourceNotFoundException,
  TooManyRequestsException,
} from "@aws-sdk/client-lambda";
import { exitFor, serveFromCommandLine } from "../../../emulator/cli/cli";
import { type LocalFunctionUrl, type LocalFunctionUrlOptions, startLocalFunctionUrl } from "../../../emulator/cli/local-function-url";
import type { FunctionConfig } from "../../../emulator/common/function-config";
import { locateRuntime } from "../../../emulator/environment/runtime-command";
import { bundleHandler } from "../../../lib/bundling";
import { HANDLER_ENTRY } from "../../../lib/lambda-streaming-stack";
import { within } from "../../helpers/deadline";
import { fixtureFunction } from "../../helpers/function-config";
import { LogCollector } from "../../helpers/log-collector";
import { describeWhenAvailable, missingReason } from "../../helpers/requirements";

/** Resolves once `condition` holds, checking after each turn of the event loop. */
async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const PRELUDE_END = Buffer.alloc(8);

/** Reads an InvokeWithResponseStream answer: each PayloadChunk with its arrival time, and InvokeComplete. */
async function readEvents(output: InvokeWithResponseStreamCommandOutput) {
  const started = performance.now();
  const chunks: { at: number; bytes: Buffer }[] = [];
  let complete: { ErrorCode?: string; ErrorDetails?: string; LogResult?: string } | undefined;
  for await (const event of output.EventStream ?? []) {
    if (event.PayloadChunk?.Payload) chunks.push({ at: performance.now() - started, bytes: Buffer.from(event.PayloadChunk.Payload) });
    if (event.InvokeComplete) complete = event.InvokeComplete;
  }
  return { chunks, payload: Buffer.concat(chunks.map((c) => c.bytes)), complete };
}

describeWhenAvailable("the local Lambda API, called by the AWS SDK", missingReason(locateRuntime), () => {
  let local: LocalFunctionUrl | undefined;
  let log: LogCollector;
  let client: LambdaClient;
  const start = async (fn: FunctionConfig, extra: Partial<LocalFunctionUrlOptions> = {}): Promise<void> => {
    log = new LogCollector();
    local = await startLocalFunctionUrl({ fn, port: 0, log: log.sink, ...extra });
    client = new LambdaClient({
      endpoint: local.apiUrl,
      region: fn.region,
      credentials: local.apiCredentials,
      maxAttempts: 1,
    });
  };
  afterEach(async () => {
    client?.destroy();
    await local?.close();
    local = undefined;
  });

  const cars = (): FunctionConfig =>
    fixtureFunction({ functionName: "lambda-streaming", bundleDir: bundleHandler(HANDLER_ENTRY), handler: "index.handler" });

  describe("InvokeWithResponseStream", () => {
    test("streams the stack's function as it writes: prelude, 8 NULs and every car, then an empty InvokeComplete", async () => {
      await start(cars());
      const payload = JSON.stringify({ queryStringParameters: { count: "10", delay: "100", chunk: "1" } });
      const output = await client.send(new InvokeWithResponseStreamCommand({ FunctionName: "lambda-streaming", Payload: payload }));
      expect(output.StatusCode).toBe(200);
      expect(output.ExecutedVersion).toBe("$LATEST");
      expect(output.ResponseStreamContentType).toBe("application/vnd.awslambda.http-integration-response");
      const { chunks, payload: bytes, complete } = await readEvents(output);
      const at = bytes.indexOf(PRELUDE_END);
      expect(JSON.parse(bytes.subarray(0, at).toString())).toEqual({
        statusCode: 200,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
      expect(bytes.subarray(at + 8).toString()).toBe("🚗".repeat(10));
      expect(complete).toEqual({});
      // Ten cars 100 ms apart arrive as they are written: the body's first car comes long before its last.
      const firstCar = chunks.findIndex((c) => c.bytes.includes(Buffer.from("🚗")));
      expect(chunks.length - firstCar).toBeGreaterThan(1);
      expect(chunks[chunks.length - 1].at - chunks[firstCar].at).toBeGreaterThan(
        (10 - chunks[firstCar].bytes.toString().split("🚗").length) * 90,
      );
    });

    test("a function that throws mid-stream: the bytes before the error, then InvokeComplete with ErrorCode and ErrorDetails", async () => {
      await start(fixtureFunction({ functionName: "faults", handler: "handlers.failsAfterBytes" }));
      const output = await client.send(new InvokeWithResponseStreamCommand({ FunctionName: "faults" }));
      const { payload, complete } = await readEvents(output);
      expect(payload.subarray(payload.indexOf(PRELUDE_END) + 8).toString()).toBe("partial ");
      expect(complete).toEqual({ ErrorCode: "RangeError", ErrorDetails: "broken after some bytes" });
    });

    test("a function that throws before any byte: InvokeComplete alone carries the error", async () => {
      await start(fixtureFunction({ functionName: "faults", handler: "handlers.failsBeforeFirstByte" }));
      const { payload, complete } = await readEvents(await client.send(new InvokeWithResponseStreamCommand({ FunctionName: "faults" })));
      expect(payload.length).toBe(0);
      expect(complete).toMatchObject({ ErrorCode: "TypeError", ErrorDetails: "broken before the first byte" });
    });

    test("LogType Tail: InvokeComplete's LogResult is the invocation's log, START to REPORT", async () => {
      await start(fixtureFunction({ functionName: "echo", handler: "handlers.echo" }));
      const output = await client.send(new InvokeWithResponseStreamCommand({ FunctionName: "echo", LogType: "Tail", Payload: '{"a":1}' }));
      const { payload, complete } = await readEvents(output);
      expect(JSON.parse(payload.toString())).toEqual({ a: 1 });
      const logText = Buffer.from(complete?.LogResult ?? "", "base64").toString();
      expect(logText).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
      expect(logText).toMatch(/\nEND RequestId: [0-9a-f-]{36}\nREPORT RequestId: [^\n]+\n$/);
    });

    test("a buffered (non-streaming) handler's result is one PayloadChunk", async () => {
      await start(fixtureFunction({ functionName: "buffered", handler: "handlers.buffered" }));
      const output = await client.send(
        new InvokeWithResponseStreamCommand({
          FunctionName: "buffered",
          Payload: JSON.stringify({ queryStringParameters: { kind: "object" } }),
        }),
      );
      const { chunks, complete } = await readEvents(output);
      expect(chunks.map((c) => c.bytes.toString())).toEqual(['{"hello":"world"}']);
      expect(complete).toEqual({});
    });
  });

  describe("timeouts and callers that leave", () => {
    test("a timeout is Sandbox.Timedout with Lambda's message, in InvokeComplete and in Invoke's payload", async () => {
      await start(fixtureFunction({ functionName: "stuck", handler: "handlers.neverEnds", timeoutSeconds: 1 }));
      const streamed = await readEvents(await client.send(new InvokeWithResponseStreamCommand({ FunctionName: "stuck" })));
      expect(streamed.complete).toEqual({
        ErrorCode: "Sandbox.Timedout",
        ErrorDetails: expect.stringMatching(/^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$/),
      });
      const invoked = await client.send(new InvokeCommand({ FunctionName: "stuck" }));
      expect(invoked.FunctionError).toBe("Unhandled");
      expect(JSON.parse(Buffer.from(invoked.Payload ?? []).toString())).toEqual({
        errorType: "Sandbox.Timedout",
        errorMessage: expect.stringMatching(/^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$/),
      });
    });

    test.each([
      ["Invoke", (leaving: AbortSignal) => client.send(new InvokeCommand({ FunctionName: "paced" }), { abortSignal: leaving })],
      [
        "InvokeWithResponseStream",
        (leaving: AbortSignal) => client.send(new InvokeWithResponseStreamCommand({ FunctionName: "paced" }), { abortSignal: leaving }),
      ],
    ])("%s: a caller that leaves while it waits for an environment is dropped unrun; the server keeps serving", async (_name, call) => {
      await start(fixtureFunction({ functionName: "paced", handler: "handlers.paced" }), { maxEnvironments: 1 });
      const busy = client.send(
        new InvokeWithResponseStreamCommand({
          FunctionName: "paced",
          Payload: JSON.stringify({ queryStringParameters: { count: "2", ms: "300" } }),
        }),
      );
      await log.waitFor(/^START RequestId/);
      const leaving = new AbortController();
      const left = call(leaving.signal).catch((error: Error) => error);
      // Queued behind the busy environment (a state, read until it shows, with a deadline).
      await within(
        5_000,
        waitUntil(() => local?.pool.stats().waiting === 1),
        "a queued request",
      );
      leaving.abort();
      expect(await left).toMatchObject({ name: "AbortError" });
      await readEvents(await busy);
      await within(
        5_000,
        waitUntil(() => local?.pool.stats().waiting === 0 && local.pool.stats().inFlight === 0),
        "the queue to empty",
      );
      expect(log.matching(/internal error/)).toEqual([]);
      expect(log.matching(/^START RequestId/)).toHaveLength(1);
      expect((await client.send(new InvokeCommand({ FunctionName: "paced" }))).StatusCode).toBe(200);
    });
  });

  describe("Invoke", () => {
    test("RequestResponse: the whole payload; a function error is 200 with FunctionError Unhandled and the error; Tail adds the log", async () => {
      await start(fixtureFunction({ functionName: "buffered", handler: "handlers.buffered" }));
      const ok = await client.send(
        new InvokeCommand({ FunctionName: "buffered", Payload: JSON.stringify({ queryStringParameters: { kind: "string" } }) }),
      );
      expect(ok.StatusCode).toBe(200);
      expect(ok.FunctionError).toBeUndefined();
      expect(Buffer.from(ok.Payload ?? []).toString()).toBe('"hello"');
      const failed = await client.send(
        new InvokeCommand({
          FunctionName: "buffered",
          LogType: "Tail",
          Payload: JSON.stringify({ queryStringParameters: { kind: "throws" } }),
        }),
      );
      expect(failed.StatusCode).toBe(200);
      expect(failed.FunctionError).toBe("Unhandled");
      expect(JSON.parse(Buffer.from(failed.Payload ?? []).toString())).toMatchObject({
        errorType: "Error",
        errorMessage: "buffered failure",
      });
      expect(Buffer.from(failed.LogResult ?? "", "base64").toString()).toMatch(/REPORT RequestId: .*Status: error\tError Type: Error/);
      // An access-log line per request, as the Function URL writes.
      expect(
        log.matching(
          /^127\.0\.0\.1 "POST \/2015-03-31\/functions\/buffered\/invocations HTTP\/1\.1" 200 [\d.]+ ms RequestId: [0-9a-f-]{36}$/,
        ),
      ).toHaveLength(2);
    });

    test("Event: 202 at once, and the function still runs; DryRun: 204 and nothing runs", async () => {
      await start(fixtureFunction({ functionName: "echo", handler: "handlers.echo" }));
      const event = await client.send(new InvokeCommand({ FunctionName: "echo", InvocationType: "Event", Payload: "{}" }));
      expect(event.StatusCode).toBe(202);
      await log.waitFor(/^REPORT RequestId: /);
      const dry = await client.send(new InvokeCommand({ FunctionName: "echo", InvocationType: "DryRun" }));
      expect(dry.StatusCode).toBe(204);
      expect(log.matching(/^START RequestId: /)).toHaveLength(1);
    });

    test("a streaming function invoked with Invoke answers its whole stream as the payload", async () => {
      await start(fixtureFunction({ functionName: "echo", handler: "handlers.echo" }));
      const output = await client.send(
        new InvokeCommand({ FunctionName: "arn:aws:lambda:us-east-1:000000000000:function:echo:$LATEST", Payload: '{"b":2}' }),
      );
      expect(JSON.parse(Buffer.from(output.Payload ?? []).toString())).toEqual({ b: 2 });
    });
  });

  test("ClientContext reaches the function as context.clientContext; one that is not base64 JSON is refused", async () => {
    await start(fixtureFunction({ functionName: "ctx", handler: "handlers.clientContext" }));
    const ClientContext = Buffer.from(JSON.stringify({ custom: { tenant: "t-1" }, env: { app: "x" } })).toString("base64");
    const output = await client.send(new InvokeCommand({ FunctionName: "ctx", ClientContext }));
    expect(JSON.parse(Buffer.from(output.Payload ?? []).toString())).toMatchObject({ custom: { tenant: "t-1" }, env: { app: "x" } });
    await expect(client.send(new InvokeCommand({ FunctionName: "ctx", ClientContext: "not base64 json" }))).rejects.toBeInstanceOf(
      InvalidRequestContentException,
    );
  });

  describe("npm start", () => {
    // Servers started here record their URL in a folder of their own, never in the project root.
    const records = fs.mkdtempSync(path.join(os.tmpdir(), "ls-api-records-"));
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "ls-nohome-"));
    beforeAll(() => {
      process.env.LOCAL_URL_RECORD_DIR = records;
    });
    afterAll(() => {
      for (const dir of [records, home]) fs.rmSync(dir, { recursive: true, force: true });
    });
    const cli = (args: string[], out: string[]) =>
      serveFromCommandLine(
        args,
        { ...process.env, LOCAL_URL_RECORD_DIR: records },
        (line) => out.push(line),
        path.join(__dirname, "..", "..", ".."),
      );

    test("prints an AWS CLI v2 line and a line running the README's example that work as printed, with the pair it made for the run", async () => {
      const out: string[] = [];
      const bare = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("AWS_")));
      const serving = await serveFromCommandLine(
        [
          "--bundle",
          path.join(__dirname, "..", "..", "fixtures", "handlers"),
          "--handler",
          "handlers.echo",
          "--auth",
          "NONE",
          "--port",
          "0",
        ],
        {
          ...bare,
          HOME: home,
          AWS_EC2_METADATA_DISABLED: "true",
          LOCAL_URL_RECORD_DIR: records,
        },
        (line) => out.push(line),
        path.join(__dirname, "..", "..", ".."),
      );
      try {
        const line = out.find((l) => l.startsWith("  Streamed (AWS CLI ")) ?? "";
        const [, keyId, secret, endpoint, region, name] =
          /: AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+) aws lambda invoke-with-response-stream --endpoint-url (\S+) --region (\S+) --function-name (\S+) /.exec(
            line,
          ) ?? [];
        // The `aws lambda invoke` line beside it names the same endpoint, function and pair.
        expect(out.find((l) => l.startsWith("  Whole, at the end (any AWS CLI v2): "))).toBe(
          `  Whole, at the end (any AWS CLI v2): AWS_ACCESS_KEY_ID=${keyId} AWS_SECRET_ACCESS_KEY=${secret} aws lambda invoke --endpoint-url ${endpoint} --region ${region} --function-name ${name} --cli-binary-format raw-in-base64-out --payload '{}' /dev/stdout`,
        );
        expect(endpoint).toBe(serving?.local.apiUrl);
        const pasted = new LambdaClient({ endpoint, region, credentials: { accessKeyId: keyId, secretAccessKey: secret }, maxAttempts: 1 });
        try {
          const { payload } = await readEvents(
            await pasted.send(new InvokeWithResponseStreamCommand({ FunctionName: name, Payload: '{"pasted":true}' })),
          );
          expect(JSON.parse(payload.toString())).toEqual({ pasted: true });
          // What `aws lambda invoke` sends: Invoke, the whole answer at once.
          const whole = await pasted.send(new InvokeCommand({ FunctionName: name, Payload: '{"whole":true}' }));
          expect(JSON.parse(Buffer.from(whole.Payload ?? []).toString())).toEqual({ whole: true });
        } finally {
          pasted.destroy();
        }
        // The "From code" line, pasted into a shell as printed: the README's example streams the function.
        const fromCode = /^From code [^:]*: (.*)$/m.exec(out.join("\n"))?.[1] ?? "";
        expect(fromCode).toMatch(
          /^AWS_ACCESS_KEY_ID=\S+ AWS_SECRET_ACCESS_KEY=\S+ AWS_REGION=us-east-1 FUNCTION_NAME=handlers AWS_ENDPOINT_URL_LAMBDA=\S+ node examples\/stream-from-code\.mjs$/,
        );
        const pastedLine = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
          execFile(
            "sh",
            ["-c", fromCode],
            {
              cwd: path.join(__dirname, "..", "..", ".."),
              env: { PATH: process.env.PATH, HOME: os.tmpdir(), AWS_EC2_METADATA_DISABLED: "true" },
            },
            (error, stdout) => resolve({ code: error ? Number(error.code) : 0, stdout }),
          );
        });
        expect(pastedLine.code).toBe(0);
        // The example sends the 🚗 query; the echo handler answers with the event it got.
        expect(JSON.parse(pastedLine.stdout)).toMatchObject({ rawQueryString: "chunk=1&count=20&delay=100" });
      } finally {
        await serving?.close();
      }
    }, 30_000);

    test("a Lambda API port in use stops npm start with one line naming --api-port", async () => {
      const busy = net.createServer();
      await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", () => resolve()));
      try {
        const port = (busy.address() as net.AddressInfo).port;
        const args = ["--bundle", path.join(__dirname, "..", "..", "fixtures", "handlers"), "--handler", "handlers.echo", "--auth", "NONE"];
        const failure = await cli([...args, "--port", "0", "--api-port", String(port)], []).catch((error: unknown) => error);
        expect(exitFor(failure)).toEqual({
          code: 1,
          message: `Cannot listen on 127.0.0.1:${port} for the Lambda API: the port is in use (EADDRINUSE); pick another with --api-port (0 turns the API off), or move both with --port.`,
        });
      } finally {
        busy.close();
      }
    });

    test("--api-port 0 serves no Lambda API, and says nothing of one", async () => {
      const out: string[] = [];
      const serving = await cli(
        [
          "--bundle",
          path.join(__dirname, "..", "..", "fixtures", "handlers"),
          "--handler",
          "handlers.echo",
          "--auth",
          "NONE",
          "--port",
          "0",
          "--api-port",
          "0",
        ],
        out,
      );
      try {
        expect(serving?.local.apiUrl).toBeUndefined();
        expect(out.filter((l) => /Lambda API|LambdaClient/.test(l))).toEqual([]);
      } finally {
        await serving?.close();
      }
    });
  });

  describe("failures, as the SDK's exception classes", () => {
    test("an unknown function is ResourceNotFoundException naming what is served", async () => {
      await start(fixtureFunction({ functionName: "echo", handler: "handlers.echo" }));
      const sent = client.send(new InvokeWithResponseStreamCommand({ FunctionName: "other" }));
      await expect(sent).rejects.toBeInstanceOf(ResourceNotFoundException);
      await expect(sent).rejects.toThrow(/Function not found: other\. This local Lambda serves echo/);
    });

    test("a wrong secret is a 403 InvalidSignatureException; an unknown key a 403 UnrecognizedClientException; the log says why", async () => {
      await start(fixtureFunction({ functionName: "echo", handler: "handlers.echo" }));
      const wrongSecret = new LambdaClient({
        endpoint: local?.apiUrl,
        region: "us-east-1",
        credentials: { accessKeyId: local?.apiCredentials?.accessKeyId ?? "", secretAccessKey: "not-the-secret" },
        maxAttempts: 1,
      });
      try {
        await expect(wrongSecret.send(new InvokeCommand({ FunctionName: "echo" }))).rejects.toMatchObject({
          name: "InvalidSignatureException",
          $metadata: { httpStatusCode: 403 },
        });
        expect(log.matching(/^Lambda API 403 InvalidSignatureException .*signed with another secret key/)).toHaveLength(1);
      } finally {
        wrongSecret.destroy();
      }
    });

    test("a key the server does not know is a 403 UnrecognizedClientException, and the log says why", async () => {
      await start(fixtureFunction({ functionName: "echo", handler: "handlers.echo" }));
      const stranger = new LambdaClient({
        endpoint: local?.apiUrl,
        region: "us-east-1",
        credentials: { accessKeyId: "AKIASTRANGER0000000", secretAccessKey: "not-the-secret" },
        maxAttempts: 1,
      });
      try {
        const sent = stranger.send(new InvokeCommand({ FunctionName: "echo" }));
        await expect(sent).rejects.toMatchObject({ name: "UnrecognizedClientException", $metadata: { httpStatusCode: 403 } });
        expect(log.matching(/^Lambda API 403 UnrecognizedClientException .*another key pair \(AKIASTRANGER0000000\)/)).toHaveLength(1);
      } finally {
        stranger.destroy();
      }
    });

    test("a payload of 6 MiB is taken; one byte more is RequestTooLargeException, as the Function URL refuses it", async () => {
      await start(fixtureFunction({ functionName: "echo", handler: "handlers.echo" }));
      // A JSON payload of exactly n bytes.
      const payload = (n: number): string => JSON.stringify({ pad: "x".repeat(n - 10) });
      expect(payload(6 * 1024 * 1024)).toHaveLength(6_291_456);
      expect((await client.send(new InvokeCommand({ FunctionName: "echo", Payload: payload(6_291_456) }))).StatusCode).toBe(200);
      const over = client.send(new InvokeCommand({ FunctionName: "echo", Payload: payload(6_291_457) }));
      await expect(over).rejects.toBeInstanceOf(RequestTooLargeException);
      await expect(over).rejects.toThrow("Request must be smaller than 6291456 bytes for the InvokeFunction operation");
    });

    test("above the reserved concurrency is TooManyRequestsException", async () => {
      await start(fixtureFunction({ functionName: "paced", handler: "handlers.paced", reservedConcurrency: 1 }));
      const slow = client.send(
        new InvokeWithResponseStreamCommand({
          FunctionName: "paced",
          Payload: JSON.stringify({ queryStringParameters: { count: "3", ms: "200" } }),
        }),
      );
      await log.waitFor(/^START RequestId/);
      await expect(client.send(new InvokeCommand({ FunctionName: "paced" }))).rejects.toBeInstanceOf(TooManyRequestsException);
      await readEvents(await slow);
    });
  });
});
