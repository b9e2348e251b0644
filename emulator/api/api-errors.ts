// The Lambda API's error answers: AWS's JSON shape, `{"Type": "User", "Message": …}`, with the
// error type in `x-amzn-ErrorType`, which the AWS SDK turns into its exception class.
// @see https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html

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
