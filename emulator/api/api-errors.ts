// The Lambda API's error answers: AWS's JSON shape, `{"Type": "User", "Message": …}`, with the
// error type in `x-amzn-ErrorType`, which the AWS SDK turns into its exception class.
// @see https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html

import type * as http from "node:http";

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
