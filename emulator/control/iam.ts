// IAM, in the query protocol: the roles, inline role policies and managed policies the stack
// makes (iam-roles.ts, iam-policies.ts), each read back as AWS returns it. Policies are kept, never
// evaluated: the local AWS has one account and checks signatures only.
// @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html

import { POLICY_OPERATIONS } from "./iam-policies";
import { ROLE_OPERATIONS } from "./iam-roles";
import { QueryParams, querySignatureError, sendQueryError, sendQueryResult } from "./query-protocol";
import type { Service, ServiceCall } from "./service-call";
import { ServiceError } from "./service-error";

const NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/";
const OPERATIONS = { ...ROLE_OPERATIONS, ...POLICY_OPERATIONS };

/** Operations that change nothing: the state is not written after them. */
const READS = /^(Get|List)/;

export const iam: Service = {
  name: "iam",
  handle(call: ServiceCall, res) {
    const params = new QueryParams(call.body.toString("utf8"));
    const operation = Object.hasOwn(OPERATIONS, params.action) ? OPERATIONS[params.action] : undefined;
    if (operation === undefined) {
      throw new ServiceError(400, "InvalidAction", `Could not find operation ${params.action || "(none)"} for version 2010-05-08`);
    }
    const result = operation(params, call.store);
    if (!READS.test(params.action)) {
      call.store.commit();
    }
    sendQueryResult(res, NAMESPACE, params.action, result, call.requestId);
  },
  sendError: (res, error, requestId) => sendQueryError(res, NAMESPACE, error, requestId),
  signatureError: querySignatureError,
};
