// The Lambda API's error answers: AWS's JSON shape, `{"Type": "User", "Message": …}`, with the
// error type in `x-amzn-ErrorType`, which the AWS SDK turns into its exception class.
// @see https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html

import type * as http from "node:http";
import type { VerificationFailure } from "../auth/sigv4-verifier";

/** Sends `errorType` with `message`; a stream already under way is cut instead. */
export function sendApiError(res: http.ServerResponse, status: number, errorType: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const payload = JSON.stringify({ Type: status >= 500 ? "Service" : "User", Message: message });
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(payload)),
    "x-amzn-ErrorType": errorType,
  });
  res.end(payload);
}

/**
 * The 403 AWS answers for each way a signature fails (the SDK names its exception after the type).
 * @see https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html
 */
export function signatureError(failure: VerificationFailure): { readonly errorType: string; readonly message: string } {
  switch (failure) {
    case "unsigned":
      return { errorType: "MissingAuthenticationTokenException", message: "Missing Authentication Token" };
    case "malformed":
      return { errorType: "IncompleteSignatureException", message: "The request signature does not conform to AWS standards." };
    case "unknown-key":
      return { errorType: "UnrecognizedClientException", message: "The security token included in the request is invalid." };
    case "expired":
      return {
        errorType: "InvalidSignatureException",
        message: "Signature expired: the request's X-Amz-Date is more than 5 minutes from the server's time.",
      };
    case "mismatch":
      return {
        errorType: "InvalidSignatureException",
        message:
          "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
      };
  }
}
