// STS, in the query protocol: GetCallerIdentity, which terraform's aws provider calls when it
// starts to learn the account. The caller is the account's root, as a key pair of the account.
// @see https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html

import { QueryParams, querySignatureError, sendQueryError, sendQueryResult } from "./query-protocol";
import { ACCOUNT_ID, type Service } from "./service-call";
import { ServiceError } from "./service-error";

const NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";

export const sts: Service = {
  name: "sts",
  handle(call, res) {
    const params = new QueryParams(call.body.toString("utf8") || call.url.search.slice(1));
    if (params.action !== "GetCallerIdentity") {
      throw new ServiceError(400, "InvalidAction", `Could not find operation ${params.action || "(none)"} for version 2011-06-15`);
    }
    const identity = { UserId: ACCOUNT_ID, Account: ACCOUNT_ID, Arn: `arn:aws:iam::${ACCOUNT_ID}:root` };
    sendQueryResult(res, NAMESPACE, "GetCallerIdentity", identity, call.requestId);
  },
  sendError: (res, error, requestId) => sendQueryError(res, NAMESPACE, error, requestId),
  signatureError: querySignatureError,
};
