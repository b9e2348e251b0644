// The query protocol IAM and STS speak: a form-encoded body (`Action=CreateRole&Version=…&
// Tags.member.1.Key=…`), an XML answer `<ActionResponse><ActionResult>…</ActionResult>
// <ResponseMetadata>…</ResponseMetadata></ActionResponse>`, and errors as `<ErrorResponse>`.
// @see https://smithy.io/2.0/aws/protocols/aws-query-protocol.html

import type * as http from "node:http";
import type { VerificationFailure } from "../auth/sigv4-verifier";
import { ServiceError } from "./service-error";
import { element, type XmlValue } from "./xml";

/** A query request's parameters (null-prototype: a parameter named `constructor` is a parameter). */
export class QueryParams {
  private readonly values = new Map<string, string>();

  constructor(body: string) {
    for (const [name, value] of new URLSearchParams(body)) {
      this.values.set(name, value);
    }
  }

  get action(): string {
    return this.values.get("Action") ?? "";
  }

  /** An optional parameter. */
  get(name: string): string | undefined {
    return this.values.get(name);
  }

  /** A required parameter; missing, AWS's ValidationError naming it. */
  required(name: string): string {
    const value = this.values.get(name);
    if (value === undefined || value === "") {
      throw new ServiceError(
        400,
        "ValidationError",
        `1 validation error detected: Value null at '${lowerFirst(name)}' failed to satisfy constraint: Member must not be null`,
      );
    }
    return value;
  }

  /** A whole number parameter, or undefined. */
  integer(name: string): number | undefined {
    const value = this.values.get(name);
    if (value === undefined) return undefined;
    if (!/^-?\d+$/.test(value)) {
      throw new ServiceError(400, "ValidationError", `Value ${JSON.stringify(value)} at '${lowerFirst(name)}' is not a whole number`);
    }
    return Number(value);
  }

  /** `Name.member.1`, `Name.member.2`, … as a list of strings. */
  list(name: string): string[] {
    const items: string[] = [];
    for (let i = 1; this.values.has(`${name}.member.${i}`); i++) {
      items.push(this.values.get(`${name}.member.${i}`) as string);
    }
    return items;
  }

  /** `Tags.member.N.Key` / `.Value` pairs, in order. */
  tags(name = "Tags"): { Key: string; Value: string }[] {
    const tags: { Key: string; Value: string }[] = [];
    for (let i = 1; this.values.has(`${name}.member.${i}.Key`); i++) {
      tags.push({ Key: this.values.get(`${name}.member.${i}.Key`) as string, Value: this.values.get(`${name}.member.${i}.Value`) ?? "" });
    }
    return tags;
  }
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** `<{action}Response xmlns=…><{action}Result>…</{action}Result><ResponseMetadata>…` with status 200. */
export function sendQueryResult(
  res: http.ServerResponse,
  namespace: string,
  action: string,
  result: { readonly [name: string]: XmlValue } | undefined,
  requestId: string,
): void {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${namespace}">` +
    (result === undefined ? "" : element(`${action}Result`, result)) +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
  res.writeHead(200, { "content-type": "text/xml", "content-length": String(Buffer.byteLength(body)) });
  res.end(body);
}

/** AWS's query error: `<ErrorResponse><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error>…`. */
export function sendQueryError(res: http.ServerResponse, namespace: string, error: ServiceError, requestId: string): void {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${namespace}">` +
    element("Error", { Type: error.status >= 500 ? "Receiver" : "Sender", Code: error.code, Message: error.message }) +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`;
  res.writeHead(error.status, { "content-type": "text/xml", "content-length": String(Buffer.byteLength(body)) });
  res.end(body);
}

/**
 * The query services' answers to a signature that fails (IAM's and STS's common errors).
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html
 */
export function querySignatureError(failure: VerificationFailure): ServiceError {
  switch (failure) {
    case "unsigned":
      return new ServiceError(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
    case "malformed":
      return new ServiceError(400, "IncompleteSignature", "The request signature does not conform to AWS standards.");
    case "unknown-key":
      return new ServiceError(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
    case "expired":
      return new ServiceError(
        403,
        "SignatureDoesNotMatch",
        "Signature expired: the request's X-Amz-Date is more than 5 minutes from the server's time.",
      );
    case "mismatch":
      return new ServiceError(
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
      );
  }
}
