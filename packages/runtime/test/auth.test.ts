import { createLocalJWKSet, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import {
  cachedLoginVerifier,
  signAccessToken,
  signForwardedIdentity,
  VerifiedTokenCache,
  signServiceToken,
  verifyAccessToken,
  verifyForwardedIdentity,
  verifyServiceToken,
  type Viewer,
} from "../src/auth.ts";
import { DomainError } from "../src/errors.ts";
import { generateSigningKey, importSigningKey, publicJwks, type KeyFile } from "../src/signing-keys.ts";

const viewer: Viewer = {
  id: "8d9c7f0e-6a43-4a7e-9d1b-0f1f5b0d2c11",
  role: "BUYER",
  name: "Kim Minjun",
  email: "buyer@junggo.test",
};
const S = "secret-one";
const keyA = await generateSigningKey();
const keyB = await generateSigningKey();
const fileA: KeyFile = { active: keyA.kid, keys: [keyA] };
const jwksA = createLocalJWKSet(publicJwks(fileA));
const signingA = await importSigningKey(fileA);
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");

describe("access tokens (ES256, verified through a JWKS)", () => {
  it("round-trips the viewer and names its key", async () => {
    const token = await signAccessToken(viewer, signingA);
    expect(await verifyAccessToken(token, jwksA)).toEqual(viewer);
    expect(JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString())).toMatchObject({
      alg: "ES256",
      kid: keyA.kid,
    });
  });
  it("refuses expired, tampered and wrongly signed tokens", async () => {
    const expired = await signAccessToken(viewer, signingA, -10);
    await expect(verifyAccessToken(expired, jwksA)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    const good = await signAccessToken(viewer, signingA);
    const [h, p, sig] = good.split(".");
    const tamperedPayload = b64({ ...JSON.parse(Buffer.from(p!, "base64url").toString()), role: "STAFF" });
    await expect(verifyAccessToken(`${h}.${tamperedPayload}.${sig}`, jwksA)).rejects.toMatchObject({
      code: "UNAUTHENTICATED",
    });
    // Signed by another key that claims the real kid.
    const impostor = await signAccessToken(viewer, {
      ...(await importSigningKey({ active: keyB.kid, keys: [keyB] })),
      kid: keyA.kid,
    });
    await expect(verifyAccessToken(impostor, jwksA)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });
  it("refuses algorithm confusion: alg none, and HS256 keyed with the public key", async () => {
    const claims = {
      sub: viewer.id,
      role: "STAFF",
      name: "x",
      email: "x",
      iss: "junggo-identity",
      aud: "junggo",
      exp: Math.floor(Date.now() / 1000) + 600,
    };
    await expect(
      verifyAccessToken(`${b64({ alg: "none", kid: keyA.kid })}.${b64(claims)}.`, jwksA),
    ).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    const hs = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", kid: keyA.kid })
      .sign(new TextEncoder().encode(JSON.stringify(publicJwks(fileA).keys[0])));
    await expect(verifyAccessToken(hs, jwksA)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });
  it("accepts tokens of every published key: the old and the new one during a rotation", async () => {
    const both = createLocalJWKSet(publicJwks({ active: keyB.kid, keys: [keyA, keyB] }));
    const signingB = await importSigningKey({ active: keyB.kid, keys: [keyA, keyB] });
    expect(await verifyAccessToken(await signAccessToken(viewer, signingA), both)).toEqual(viewer);
    expect(await verifyAccessToken(await signAccessToken(viewer, signingB), both)).toEqual(viewer);
    // Once A is retired, its tokens are refused.
    const onlyB = createLocalJWKSet(publicJwks({ active: keyB.kid, keys: [keyB] }));
    await expect(verifyAccessToken(await signAccessToken(viewer, signingA), onlyB)).rejects.toMatchObject({
      code: "UNAUTHENTICATED",
    });
  });
  it("lets a key-lookup outage through instead of calling the token invalid", async () => {
    const token = await signAccessToken(viewer, signingA);
    const down = async () => {
      throw new DomainError("AUTH_UNAVAILABLE", "down");
    };
    await expect(verifyAccessToken(token, down)).rejects.toMatchObject({ code: "AUTH_UNAVAILABLE" });
  });
  it("does not accept a gateway-forwarded identity as an access token", async () => {
    await expect(verifyAccessToken(await signForwardedIdentity(viewer, S), jwksA)).rejects.toMatchObject({
      code: "UNAUTHENTICATED",
    });
  });
});

describe("forwarded identity (gateway → subgraph)", () => {
  it("carries the viewer or an anonymous marker", async () => {
    expect(await verifyForwardedIdentity(await signForwardedIdentity(viewer, S), S)).toEqual({ viewer });
    expect(await verifyForwardedIdentity(await signForwardedIdentity(null, S), S)).toEqual({ viewer: null });
  });
  it("rejects missing, forged, foreign and expired headers", async () => {
    expect(await verifyForwardedIdentity(undefined, S)).toBeNull();
    expect(await verifyForwardedIdentity(JSON.stringify(viewer), S)).toBeNull();
    expect(await verifyForwardedIdentity(await signForwardedIdentity(viewer, "attacker"), S)).toBeNull();
    // A user's own access token is not a gateway identity.
    expect(await verifyForwardedIdentity(await signAccessToken(viewer, signingA), S)).toBeNull();
    const stale = await new SignJWT({ role: "STAFF", name: "x", email: "x", anon: false })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(viewer.id)
      .setIssuer("junggo-gateway")
      .setAudience("junggo-subgraph")
      .setIssuedAt(Math.floor(Date.now() / 1000) - 600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 300)
      .sign(new TextEncoder().encode(S));
    expect(await verifyForwardedIdentity(stale, S)).toBeNull();
  });
});

describe("verified-token caches", () => {
  it("answer a token until it expires, and never across key generations", () => {
    const cache = new VerifiedTokenCache<string>(2);
    cache.set("t1", "v1", Date.now() + 60_000, 1);
    expect(cache.get("t1", 1)).toBe("v1");
    expect(cache.get("t1", 2)).toBeUndefined();
    expect(cache.get("t1", 1)).toBeUndefined(); // dropped with the mismatch
    cache.set("old", "v", Date.now() - 1);
    expect(cache.get("old")).toBeUndefined();
    cache.set("a", "A", Date.now() + 60_000);
    cache.set("b", "B", Date.now() + 60_000);
    cache.set("c", "C", Date.now() + 60_000);
    expect(cache.size).toBe(2);
    expect(cache.get("a")).toBeUndefined(); // the oldest went first
    expect(cache.get("c")).toBe("C");
  });
  it("verify an access token once per key generation, and refuse it once its key is gone", async () => {
    let generation = 1;
    let keys = createLocalJWKSet(publicJwks(fileA));
    const logins = cachedLoginVerifier(
      (h, t) => keys(h, t),
      () => generation,
    );
    const token = await signAccessToken(viewer, signingA);
    expect((await logins.verify(token)).viewer).toEqual(viewer);
    expect((await logins.verify(token)).viewer).toEqual(viewer);
    expect([logins.cache.hits, logins.cache.misses]).toEqual([1, 1]);
    // Key A retired: the next generation verifies again, against keys without it.
    keys = createLocalJWKSet(publicJwks({ active: keyB.kid, keys: [keyB] }));
    generation = 2;
    await expect(logins.verify(token)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    const expired = await signAccessToken(viewer, signingA, -10);
    await expect(logins.verify(expired)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });
  it("reuse a forwarded identity token for the same viewer, and keep them apart per viewer and secret", async () => {
    const a = await signForwardedIdentity(viewer, S);
    expect(await signForwardedIdentity(viewer, S)).toBe(a);
    expect(await signForwardedIdentity({ ...viewer, role: "STAFF" }, S)).not.toBe(a);
    expect(await signForwardedIdentity(viewer, "other-secret")).not.toBe(a);
    expect(await verifyForwardedIdentity(a, "other-secret")).toBeNull();
    expect(await verifyForwardedIdentity(a, S)).toEqual({ viewer });
  });
});

describe("service tokens", () => {
  it("identify the calling service and cannot be forged", async () => {
    expect(await verifyServiceToken(await signServiceToken("purchase", S), S)).toBe("purchase");
    expect(await verifyServiceToken(await signServiceToken("purchase", "x"), S)).toBeNull();
    expect(await verifyServiceToken(await signForwardedIdentity(viewer, S), S)).toBeNull();
  });
  it("are reused by the caller per service and secret, and a verified one is not taken for another secret", async () => {
    const a = await signServiceToken("purchase", S);
    expect(await signServiceToken("purchase", S)).toBe(a);
    expect(await signServiceToken("gateway", S)).not.toBe(a);
    expect(await signServiceToken("purchase", "other-secret")).not.toBe(a);
    expect(await verifyServiceToken(a, S)).toBe("purchase");
    expect(await verifyServiceToken(a, S)).toBe("purchase");
    expect(await verifyServiceToken(a, "other-secret")).toBeNull();
    const [h, p] = a.split(".");
    expect(await verifyServiceToken(`${h}.${p}.forged`, S)).toBeNull();
  });
});
