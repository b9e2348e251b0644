// Why a well-formed signature by the right key id does not match, found by recomputing it under
// each likely hypothesis (how curl signs, an empty secret), so the server's log can say what to do.

import { rawQueryOf, type Signing, sameSignature, signatureOf } from "./sigv4-signature";

/**
 * The most likely reason a well-formed signature by the right key id does not match, found by
 * recomputing it under each hypothesis: a repeated header signed once per line (curl before 8.13),
 * signed as typed (curl before 8.x), signed with an empty secret; otherwise another secret, or a
 * request changed after signing.
 */
export async function diagnoseMismatch(signing: Signing, signature: string, invokeCommand: string): Promise<string> {
  const repeated = signing.signedHeaders.find((name, i) => signing.signedHeaders.indexOf(name) !== i);
  if (repeated) {
    // https://github.com/curl/curl/pull/16743: AWS answers such a signature SignatureDoesNotMatch.
    return `SignedHeaders names ${repeated} more than once: the signer gave each ${repeated} header a line of its own (curl before 8.13 does this), and SigV4 wants one line with the values joined by commas, so AWS refuses it too: send the header once, or use curl 8.13 or newer, or ${invokeCommand}`;
  }
  const asTyped = await signatureOf(signing, true);
  if (sameSignature(asTyped.signature, signature)) {
    if (asTyped.differs.query && !isSortedByName(rawQueryOf(signing.request.url))) {
      return `the query was signed in the order typed (curl 7.x does this), not sorted as SigV4 wants: list the parameters alphabetically, or use ${invokeCommand}`;
    }
    if (asTyped.differs.query) {
      return `the query was signed as typed (curl 7.x does this), not percent-encoded as SigV4 wants: encode every character but letters, digits and -_.~ (a comma as %2C), or use ${invokeCommand}`;
    }
    return `the path was signed as typed (curl 7.x does this), not encoded as SigV4 wants (its percent escapes encoded once more): use a path without percent escapes, or use ${invokeCommand}`;
  }
  const emptySecret = await signatureOf({ ...signing, credentials: { ...signing.credentials, secretAccessKey: "" } });
  if (sameSignature(emptySecret.signature, signature)) {
    return `the request was signed with an empty secret access key: the shell that signed has no AWS_SECRET_ACCESS_KEY; export the server's secret for ${signing.credentials.accessKeyId} there`;
  }
  return `the signature does not match: signed with another secret key for ${signing.credentials.accessKeyId} than the server's AWS_SECRET_ACCESS_KEY, or the request (method, path, query, signed headers, body) was changed after signing`;
}

/** Whether the raw query's parameter names are in SigV4's order (code point order). */
function isSortedByName(rawQuery: string): boolean {
  const names = rawQuery
    .split("&")
    .filter((pair) => pair !== "")
    .map((pair) => pair.split("=", 1)[0]);
  return names.every((name, i) => i === 0 || names[i - 1] <= name);
}
