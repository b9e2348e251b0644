// The Lambda API's error answers: AWS's JSON shape, `{"Type": "User", "Message": …}`, with the
// error type in `x-amzn-ErrorType`, which the AWS SDK turns into its exception class.
// @see https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html

import type { VerificationFailure } from "../auth/sigv4-verifier";
import type { LogSink } from "../common/log-sink";
import type { Door } from "../door/door";

/** The Lambda API as a door: AWS's error shape for it, and its log lines (`Lambda API 403 Type for RequestId: …: why`). */
export function lambdaApiDoor(log: LogSink): Door {
  return {
    name: "local Lambda API",
    log,
    errorBody: (status, _errorType, message) => JSON.stringify({ Type: status >= 500 ? "Service" : "User", Message: message }),
    // Whatever the URL's auth type (even NONE), AWS's Lambda API takes only signed calls.
    signing: {
      target: "the Lambda API",
      required: "the Lambda API is always signed, whatever the URL's auth type",
      signWith: (region) => `the AWS SDK or AWS CLI for Region ${region}, as in the aws lambda line npm start prints`,
      invokeCommand: "npm run invoke -- --api --local",
    },
    refusalLine: (status, errorType, requestId, reason) => `Lambda API ${status} ${errorType} for RequestId: ${requestId}: ${reason}`,
  };
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
