// What aws-lambda-ric loads in place of its compiled `rapid-client.node`: the same three
// functions. `next()` resolves when an event arrives; `done()` and `error()` return only once the
// Runtime API has answered, as the compiled client's do (a crash report is sent before exit).

import { requestInChild } from "./blocking-child";
import type { RuntimeRequest } from "./http-wire";
import { type NextInvocation, nextRequest, readNextInvocation, resultRequest } from "./runtime-api-calls";
import { ConnectionUnavailableError, RuntimeConnection } from "./runtime-connection";

/** How long `done()` or `error()` waits for the Runtime API before giving up on the post. */
const BLOCKING_CALL_DEADLINE_MS = 30_000;

/**
 * All three on one kept-alive connection on the runtime's main thread: no worker thread, whose
 * start (60–120 ms under Lambda's V8 flags) would fall on every cold start
 * (docs/runtime-client-transport.md).
 */
export class NodeTransportClient {
  private readonly connection: RuntimeConnection;

  /** @param runtimeApi AWS_LAMBDA_RUNTIME_API, `host:port`; connected at once. */
  constructor(
    private readonly runtimeApi: string,
    private readonly deadlineMs = BLOCKING_CALL_DEADLINE_MS,
  ) {
    this.connection = RuntimeConnection.fromAddress(runtimeApi);
  }

  /** Waits for the next event: `{ bodyJson, headers }`. */
  async next(): Promise<NextInvocation> {
    return readNextInvocation(await this.connection.request(nextRequest()));
  }

  /** Posts the response for `requestId` (URI-encoded already) and returns once it is answered. */
  done(requestId: string, body: string): null {
    this.postAndWait(resultRequest("response", requestId, body));
    return null;
  }

  /** Posts the error for `requestId` (URI-encoded already) and returns once it is answered. */
  error(requestId: string, body: string, xrayCause: string): null {
    this.postAndWait(resultRequest("error", requestId, body, xrayCause));
    return null;
  }

  /**
   * Blocks this thread until the Runtime API has answered `request`: on the connection, or, when
   * it cannot carry it now, from a child process. A refusal is ignored, as the compiled client
   * ignores it; a post that got no answer is reported on stderr.
   */
  private postAndWait(request: RuntimeRequest): void {
    const started = performance.now();
    try {
      try {
        this.connection.requestSync(request, this.deadlineMs);
      } catch (error) {
        if (!(error instanceof ConnectionUnavailableError)) {
          throw error;
        }
        const [hostname, port] = this.runtimeApi.split(":");
        requestInChild(hostname, Number(port), request, Math.max(1, this.deadlineMs - (performance.now() - started)));
      }
    } catch (error) {
      const why =
        (error as Error).name === "BlockingDeadlineError" ? `no answer within ${this.deadlineMs / 1000} s` : (error as Error).message;
      process.stderr.write(`Runtime API transport: POST ${request.path} failed (${why}); the result was not delivered\n`);
    }
  }
}
