// FilterLogEvents' filter patterns for unstructured lines: terms that must all appear
// (`ERROR timeout`), `"quoted phrases"`, `?term` for any of them (`?ERROR ?WARN`) and `-term` to
// exclude (`ERROR -retry`), matched case-sensitively as substrings. JSON (`{ $.x = 1 }`),
// space-delimited (`[ip, user, ...]`) and regular-expression (`%…%`) patterns are refused by name.
// @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html

import { ServiceError } from "./service-error";

/** Whether a message matches the pattern. */
export type LogEventFilter = (message: string) => boolean;

/** The filter `pattern` describes; an empty or missing pattern matches every event. */
export function parseFilterPattern(pattern: string | undefined): LogEventFilter {
  const text = (pattern ?? "").trim();
  if (text === "" || text === '""') {
    return () => true;
  }
  if (/^[{[%]/.test(text)) {
    throw new ServiceError(
      400,
      "InvalidParameterException",
      `The filter pattern ${JSON.stringify(pattern)} is a JSON, space-delimited or regular-expression pattern; the local AWS matches only terms, "quoted phrases", ?any and -excluded terms.`,
    );
  }
  const all: string[] = [];
  const any: string[] = [];
  const none: string[] = [];
  for (const match of text.matchAll(/([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g)) {
    const [whole, prefix, quoted, bare] = match;
    if (bare?.includes('"')) {
      throw new ServiceError(
        400,
        "InvalidParameterException",
        `Invalid filter pattern ${JSON.stringify(pattern)}: unbalanced quote in ${whole}`,
      );
    }
    const term = quoted !== undefined ? quoted.replace(/\\(.)/g, "$1") : bare;
    (prefix === "?" ? any : prefix === "-" ? none : all).push(term);
  }
  return (message) =>
    all.every((term) => message.includes(term)) &&
    (any.length === 0 || any.some((term) => message.includes(term))) &&
    !none.some((term) => message.includes(term));
}
