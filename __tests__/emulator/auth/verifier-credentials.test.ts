import { KeyRing, localKeyPair, resolveVerifierCredentials } from "../../../emulator/auth/verifier-credentials";

const never = (): Promise<never> => new Promise(() => {});

describe("resolveVerifierCredentials", () => {
  test("the shell's AWS_ACCESS_KEY_ID pair comes first, with its session token", async () => {
    const env = { AWS_ACCESS_KEY_ID: "AKIAENV", AWS_SECRET_ACCESS_KEY: "env-secret", AWS_SESSION_TOKEN: "token" };
    expect(await resolveVerifierCredentials(env, never)).toEqual({
      source: "environment",
      credentials: { accessKeyId: "AKIAENV", secretAccessKey: "env-secret", sessionToken: "token" },
    });
  });

  test("else what the SDK's chain resolves (a profile, SSO)", async () => {
    const fromProfile = { accessKeyId: "AKIAPROFILE", secretAccessKey: "profile-secret" };
    expect(await resolveVerifierCredentials({}, async () => fromProfile)).toEqual({ source: "aws-profile", credentials: fromProfile });
  });

  test.each([
    ["finds none", () => Promise.reject(new Error("Could not load credentials from any providers"))],
    ["does not answer in time", never],
  ])("else, when the chain %s, a key pair made for this run", async (_what, chain) => {
    const resolved = await resolveVerifierCredentials({ AWS_ACCESS_KEY_ID: "" }, chain, 50);
    expect(resolved.source).toBe("local-pair");
    expect(resolved.credentials.accessKeyId).toMatch(/^AKIALOCAL[A-Z2-7]{11}$/);
  });

  test("each local pair is new, shaped like AWS's", () => {
    const [a, b] = [localKeyPair(), localKeyPair()];
    expect(a.accessKeyId).toHaveLength(20);
    expect(a.secretAccessKey).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(a).not.toEqual(b);
  });
});

describe("KeyRing", () => {
  const first = { accessKeyId: "AKIAFIRST", secretAccessKey: "one" };
  const rotated = { accessKeyId: "ASIAROTATED", secretAccessKey: "two", sessionToken: "t" };

  test("takes a rotated pair from its source, and asks at most once per interval", async () => {
    let asked = 0;
    const keys = new KeyRing(first, async () => {
      asked += 1;
      return rotated;
    });
    expect(await keys.renew()).toEqual(rotated);
    expect(keys.credentials).toEqual(rotated);
    expect(await keys.renew()).toBeUndefined();
    expect(asked).toBe(1);
  });

  test("keeps its pair when the source has nothing new, fails, or there is no source", async () => {
    expect(await new KeyRing(first, async () => ({ ...first }), 0).renew()).toBeUndefined();
    expect(await new KeyRing(first, () => Promise.reject(new Error("expired SSO session")), 0).renew()).toBeUndefined();
    const fixed = new KeyRing(first);
    expect(await fixed.renew()).toBeUndefined();
    expect(fixed.credentials).toEqual(first);
  });
});
