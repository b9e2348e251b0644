// The error type and message Lambda (and the other JSON services) answer for each way a SigV4
// signature fails: the Lambda API door and the local AWS's JSON services read it from here.

import type { VerificationFailure } from "./sigv4-verifier";

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
