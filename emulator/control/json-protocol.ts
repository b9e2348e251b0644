// AWS's JSON errors: JSON 1.1 (CloudWatch Logs: `{"__type": "…", "message": "…"}`) and REST-JSON
// (Lambda: the type in `x-amzn-ErrorType`, `{"Type": "User", "Message": "…"}`), and the answers
// both give to a signature that fails.
// @see https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html
// @see https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html

import type * as http from "node:http";
import { signatureError } from "../auth/signature-errors";
import type { VerificationFailure } from "../auth/sigv4-verifier";
import { ServiceError } from "./service-error";

/** A JSON answer with `status`. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown, contentType = "application/json"): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, { "content-type": contentType, "content-length": String(Buffer.byteLength(text)) });
  res.end(text);
}

/** A JSON 1.1 error: `__type` and `message`, the type also in `x-amzn-ErrorType`. */
export function sendJson11Error(res: http.ServerResponse, error: ServiceError): void {
  res.setHeader("x-amzn-ErrorType", error.code);
  sendJson(res, error.status, { __type: error.code, message: error.message }, "application/x-amz-json-1.1");
}

/** A REST-JSON error as Lambda sends it. */
export function sendRestJsonError(res: http.ServerResponse, error: ServiceError): void {
  res.setHeader("x-amzn-ErrorType", error.code);
  sendJson(res, error.status, { Type: error.status >= 500 ? "Service" : "User", Message: error.message, message: error.message });
}

/**
 * The JSON services' answers to a signature that fails: Lambda's types and messages (the SDK
 * names its exception after the type), 403, but 400 for a malformed signature.
 */
export function jsonSignatureError(failure: VerificationFailure): ServiceError {
  const { errorType, message } = signatureError(failure);
  return new ServiceError(failure === "malformed" ? 400 : 403, errorType, message);
}

/** The request body as a JSON object; anything else is the service's `SerializationException`. */
export function jsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw new ServiceError(400, "SerializationException", "The request body is not valid JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ServiceError(400, "SerializationException", "The request body must be a JSON object.");
  }
  return parsed as Record<string, unknown>;
}
