// Protocol strings and limits of the Lambda Runtime API and of Function URLs, in one place (the
// HTTP-integration prelude's, which npm run invoke shares, are in protocol/http-integration-prelude.ts).
// Sources: docs/streaming-protocol.md (sections 1, 3 and 5), which cites AWS's docs, the
// runtime interface client and the Runtime Interface Emulator for each value.

/** Base path of every Runtime API route. @see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html */
const RUNTIME_API_VERSION = "/2018-06-01";

export const RUNTIME_ROUTES = {
  next: `${RUNTIME_API_VERSION}/runtime/invocation/next`,
  /** `/2018-06-01/runtime/invocation/{id}/response` and `/error`. */
  invocation: new RegExp(`^${RUNTIME_API_VERSION}/runtime/invocation/([^/]+)/(response|error)$`),
  initError: `${RUNTIME_API_VERSION}/runtime/init/error`,
} as const;

/**
 * Request headers (and trailers) the Runtime API accepts: Go's `http.DefaultMaxHeaderBytes` (1 MiB),
 * the limit of RIE's server. @see https://pkg.go.dev/net/http#pkg-constants
 */
export const RUNTIME_API_MAX_HEADER_BYTES = 1 << 20;

/** Headers of `GET /next`, lower-cased as Node delivers them. */
export const NEXT_HEADERS = {
  requestId: "lambda-runtime-aws-request-id",
  deadline: "lambda-runtime-deadline-ms",
  functionArn: "lambda-runtime-invoked-function-arn",
  traceId: "lambda-runtime-trace-id",
  /** Only when the caller sent one (the Lambda API's X-Amz-Client-Context): JSON, which the runtime parses. */
  clientContext: "lambda-runtime-client-context",
} as const;

export const RESPONSE_MODE_HEADER = "lambda-runtime-function-response-mode";
export const RESPONSE_MODE_STREAMING = "streaming";
/** RIE's managed-instances variant also accepts the literal "buffered"; absent means buffered. */
export const RESPONSE_MODE_BUFFERED = "buffered";

/** Error trailers of a streamed response, and the header of `/error` and `/init/error`. */
export const ERROR_TYPE_HEADER = "lambda-runtime-function-error-type";
export const ERROR_BODY_TRAILER = "lambda-runtime-function-error-body";

/** Buffered response limit enforced by the Runtime API: 6 MiB + 100 bytes. */
export const MAX_BUFFERED_RESPONSE_BYTES = 6 * 1024 * 1024 + 100;
/** An invoke payload (a Function URL's event as built, or the Lambda API's payload) may be at most 6 MB. */
export const MAX_REQUEST_BODY_BYTES = 6 * 1024 * 1024;
/**
 * A refused request's body is read and dropped up to this many bytes in all, so the client reads
 * its 413 (closing with bytes unread sends a TCP reset, and a reset drops a response not yet read);
 * past it, the connection is closed.
 */
export const MAX_DRAINED_REQUEST_BYTES = 4 * MAX_REQUEST_BODY_BYTES;
/** Request line and headers together: 1 MB. @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html */
export const MAX_REQUEST_HEADER_BYTES = 1024 * 1024;
/** A streamed response may be at most 200 MiB. @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html */
export const MAX_STREAMED_RESPONSE_BYTES = 200 * 1024 * 1024;
/**
 * A streamed response's first 6 MB go uncapped, the rest at most 2 MB/s (Lambda's MB are MiB).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html#config-rs-bandwidth-cap
 */
export const STREAMING_BANDWIDTH = { burstBytes: 6 * 1024 * 1024, bytesPerSecond: 2 * 1024 * 1024 } as const;

/**
 * What the local URL reports in the TLS headers AWS adds to the event of every HTTPS caller; the
 * local URL is plain HTTP, so these are the values a current client typically gets on AWS.
 */
export const LOCAL_TLS = { version: "TLSv1.3", cipherSuite: "TLS_AES_128_GCM_SHA256" } as const;

/** The docs' page for Function URL authorization errors, quoted in AWS's 403 body. */
export const URL_AUTH_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html";

/** Account id used in ARNs of the local function. */
export const LOCAL_ACCOUNT_ID = "000000000000";

/**
 * Buffer size of the local servers' streams (Node's default is 16 KiB). A larger buffer moves the
 * same bytes in fewer, larger reads and writes: measured with `npm run bench`, about 15 % more
 * throughput, and memory stays flat because backpressure still bounds it.
 */
export const STREAM_HIGH_WATER_MARK = 256 * 1024;
