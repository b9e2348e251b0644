// The Region and service a SigV4 request says it is signed for: its Authorization header's
// credential scope, `Credential=<key>/<date>/<region>/<service>/aws4_request`. Read before the
// signature is checked, to know which service answers and for which Region to check it.

/** `Credential=<key>/<date>/<region>/<service>/aws4_request` of an Authorization header. */
const SCOPE = /Credential=[^/,\s]*\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

export interface CredentialScope {
  readonly region: string;
  readonly service: string;
}

/** The scope `authorization` names; undefined for an unsigned request or another scheme. */
export function credentialScopeOf(authorization: string | undefined): CredentialScope | undefined {
  const scope = SCOPE.exec(authorization ?? "");
  return scope ? { region: scope[1], service: scope[2] } : undefined;
}
