// Lambda's control plane in REST-JSON: the routes terraform's aws provider calls to create, read,
// update and delete a function, its code, its URL configuration, its permissions, its reserved
// concurrency and its tags, each with the error types AWS sends. (Invoking is the doors' job.)
// @see https://docs.aws.amazon.com/lambda/latest/api/API_Operations.html

import { jsonBody, jsonSignatureError, sendJson, sendRestJsonError } from "./json-protocol";
import {
  addPermission,
  createUrlConfig,
  deleteUrlConfig,
  forgetAccess,
  getPolicy,
  getUrlConfig,
  removePermission,
  updateUrlConfig,
} from "./lambda-access";
import {
  createFunction,
  decodePathPart,
  findFunction,
  functionKey,
  functions,
  getFunction,
  type StoredFunction,
  stringMap,
  updateFunctionCode,
  updateFunctionConfiguration,
} from "./lambda-functions";
import type { Service, ServiceCall } from "./service-call";
import { ServiceError } from "./service-error";
import { withoutTags } from "./tags";

/** An answer: a status and a JSON body (none for 204). */
type Answer = readonly [status: number, body?: unknown];

type Route = (call: ServiceCall, fn: () => StoredFunction, input: () => Record<string, unknown>) => Answer | Promise<Answer>;

/** Routes by method and path (`{fn}` is the FunctionName, `{sid}` a statement id, `{arn}` a resource ARN). */
const ROUTES: ReadonlyArray<readonly [method: string, path: RegExp, route: Route]> = [
  ["POST", /^\/2015-03-31\/functions\/?$/, async (call, _fn, input) => [201, await createFunction(input(), call.store, call.region)]],
  ["GET", /^\/2015-03-31\/functions\/?$/, (call) => [200, listFunctions(call)]],
  ["GET", /^\/2015-03-31\/functions\/(?<fn>[^/]+)\/?$/, (call, fn) => [200, getFunction(fn(), call.store)]],
  ["GET", /^\/2015-03-31\/functions\/(?<fn>[^/]+)\/configuration$/, (_call, fn) => [200, fn().configuration]],
  [
    "PUT",
    /^\/2015-03-31\/functions\/(?<fn>[^/]+)\/configuration$/,
    (call, fn, input) => [200, updateFunctionConfiguration(fn(), input(), call.store)],
  ],
  [
    "PUT",
    /^\/2015-03-31\/functions\/(?<fn>[^/]+)\/code$/,
    async (call, fn, input) => [200, await updateFunctionCode(fn(), input(), call.store)],
  ],
  [
    "DELETE",
    /^\/2015-03-31\/functions\/(?<fn>[^/]+)\/?$/,
    (call, fn) => {
      const found = fn();
      forgetAccess(found, call.store);
      functions(call.store).delete(functionKey(found.region, String(found.configuration.FunctionName)));
      call.store.commit();
      // Its code goes too, once no other function holds the same bytes.
      if (![...functions(call.store).values()].some((other) => other.codeSha === found.codeSha)) call.store.dropCode(found.codeSha);
      return [204];
    },
  ],
  ["GET", /^\/2015-03-31\/functions\/(?<fn>[^/]+)\/versions$/, (_call, fn) => [200, { Versions: [fn().configuration] }]],
  [
    "GET",
    /^\/2020-06-30\/functions\/(?<fn>[^/]+)\/code-signing-config$/,
    (_call, fn) => [200, { CodeSigningConfigArn: "", FunctionName: fn().configuration.FunctionName }],
  ],
  [
    "GET",
    /^\/2021-07-20\/functions\/(?<fn>[^/]+)\/runtime-management-config$/,
    (_call, fn) => [200, { UpdateRuntimeOn: "Auto", FunctionArn: fn().configuration.FunctionArn }],
  ],
  [
    "PUT",
    /^\/2017-10-31\/functions\/(?<fn>[^/]+)\/concurrency$/,
    (call, fn, input) => {
      const value = input().ReservedConcurrentExecutions;
      if (!Number.isInteger(value) || (value as number) < 0) {
        throw new ServiceError(400, "InvalidParameterValueException", "ReservedConcurrentExecutions must be a whole number, 0 or more.");
      }
      fn().reservedConcurrency = value as number;
      call.store.commit();
      return [200, { ReservedConcurrentExecutions: value }];
    },
  ],
  [
    "DELETE",
    /^\/2017-10-31\/functions\/(?<fn>[^/]+)\/concurrency$/,
    (call, fn) => {
      delete fn().reservedConcurrency;
      call.store.commit();
      return [204];
    },
  ],
  [
    "GET",
    /^\/2019-09-30\/functions\/(?<fn>[^/]+)\/concurrency$/,
    (_call, fn) => {
      const value = fn().reservedConcurrency;
      return [200, value === undefined ? {} : { ReservedConcurrentExecutions: value }];
    },
  ],
  ["POST", /^\/2021-10-31\/functions\/(?<fn>[^/]+)\/url$/, async (call, fn, input) => [201, await createUrlConfig(fn(), input(), call)]],
  ["GET", /^\/2021-10-31\/functions\/(?<fn>[^/]+)\/url$/, (call, fn) => [200, getUrlConfig(fn(), call.store)]],
  ["PUT", /^\/2021-10-31\/functions\/(?<fn>[^/]+)\/url$/, (call, fn, input) => [200, updateUrlConfig(fn(), input(), call.store)]],
  [
    "DELETE",
    /^\/2021-10-31\/functions\/(?<fn>[^/]+)\/url$/,
    (call, fn) => {
      deleteUrlConfig(fn(), call.store);
      return [204];
    },
  ],
  ["POST", /^\/2015-03-31\/functions\/(?<fn>[^/]+)\/policy$/, (call, fn, input) => [201, addPermission(fn(), input(), call.store)]],
  ["GET", /^\/2015-03-31\/functions\/(?<fn>[^/]+)\/policy$/, (call, fn) => [200, getPolicy(fn(), call.store)]],
  [
    "DELETE",
    /^\/2015-03-31\/functions\/(?<fn>[^/]+)\/policy\/(?<sid>[^/]+)$/,
    (call, fn) => {
      const sid = decodePathPart(/\/policy\/([^/]+)$/.exec(call.url.pathname)?.[1] ?? "");
      removePermission(fn(), sid, call.url.searchParams.get("RevisionId"), call.store);
      return [204];
    },
  ],
  ["GET", /^\/2017-03-31\/tags\/(?<arn>.+)$/, (call) => [200, { Tags: taggedFunction(call).tags }]],
  [
    "POST",
    /^\/2017-03-31\/tags\/(?<arn>.+)$/,
    (call, _fn, input) => {
      const found = taggedFunction(call);
      found.tags = { ...found.tags, ...stringMap(input().Tags ?? {}, "Tags") };
      call.store.commit();
      return [204];
    },
  ],
  [
    "DELETE",
    /^\/2017-03-31\/tags\/(?<arn>.+)$/,
    (call) => {
      const found = taggedFunction(call);
      const keys = call.url.searchParams.getAll("tagKeys");
      found.tags = withoutTags(found.tags, keys);
      call.store.commit();
      return [204];
    },
  ],
];

/** ListFunctions: the Region's functions by name, `MaxItems` (1 to 50) at a time from `Marker`. */
function listFunctions(call: ServiceCall): { Functions: unknown[]; NextMarker?: string } {
  const maxText = call.url.searchParams.get("MaxItems");
  const max = maxText === null ? 50 : Number(maxText);
  if (!Number.isInteger(max) || max < 1 || max > 10_000) {
    throw new ServiceError(
      400,
      "InvalidParameterValueException",
      `1 validation error detected: Value '${maxText}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000`,
    );
  }
  const all = [...functions(call.store).values()]
    .filter((fn) => fn.region === call.region)
    .map((fn) => fn.configuration)
    // The same order as the Marker is compared in (code units), so no page skips a name.
    .sort((a, b) => (String(a.FunctionName) < String(b.FunctionName) ? -1 : 1));
  const marker = call.url.searchParams.get("Marker");
  const start = marker === null ? 0 : all.findIndex((c) => String(c.FunctionName) > marker);
  const from = start === -1 ? all.length : start;
  const page = all.slice(from, from + Math.min(max, 50));
  const more = from + page.length < all.length;
  return { Functions: page, ...(more ? { NextMarker: String(page[page.length - 1].FunctionName) } : {}) };
}

/** The function a tags route's ARN names. */
function taggedFunction(call: ServiceCall): StoredFunction {
  const arn = decodePathPart(call.url.pathname.slice("/2017-03-31/tags/".length));
  return findFunction(call.store, call.region, arn);
}

export const lambda: Service = {
  name: "lambda",
  async handle(call, res) {
    const match = ROUTES.map(([method, path, route]) => ({ method, found: path.exec(call.url.pathname), route })).find(
      ({ method, found }) => found !== null && method === call.method,
    );
    if (match === undefined) {
      const known = ROUTES.some(([, path]) => path.test(call.url.pathname));
      throw known
        ? new ServiceError(405, "MethodNotAllowedException", `${call.method} is not allowed on ${call.url.pathname}`)
        : new ServiceError(
            404,
            "UnknownOperationException",
            `The local AWS's Lambda has no operation at ${call.method} ${call.url.pathname}`,
          );
    }
    const qualifier = call.url.searchParams.get("Qualifier");
    if (qualifier !== null && qualifier !== "$LATEST") {
      throw new ServiceError(404, "ResourceNotFoundException", `The local AWS keeps $LATEST only; no version or alias ${qualifier}.`);
    }
    const name = match.found?.groups?.fn;
    const [status, body] = await match.route(
      call,
      () => findFunction(call.store, call.region, name ?? ""),
      () => jsonBody(call.body),
    );
    sendJson(res, status, body);
  },
  sendError: (res, error) => sendRestJsonError(res, error),
  signatureError: jsonSignatureError,
};
