import { createLocalJWKSet, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { signAccessToken, signForwardedIdentity, signServiceToken, verifyAccessToken, verifyForwardedIdentity, verifyServiceToken, type Viewer } from "../src/auth.ts";
import { DomainError } from "../src/errors.ts";
import { generateSigningKey, importSigningKey, publicJwks, type KeyFile } from "../src/signing-keys.ts";

const viewer: Viewer = { id: "8d9c7f0e-6a43-4a7e-9d1b-0f1f5b0d2c11", role: "BUYER", name: "Kim Minjun", email: "buyer@junggo.test" };
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
    expect(JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString())).toMatchObject({ alg: "ES256", kid: keyA.kid });
  });
  it("refuses expired, tampered and wrongly signed tokens", async () => {
    const expired = await signAccessToken(viewer, signingA, -10);
    await expect(verifyAccessToken(expired, jwksA)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    const good = await signAccessToken(viewer, signingA);
    const [h, p, sig] = good.split(".");
    const tamperedPayload = b64({ ...JSON.parse(Buffer.from(p!, "base64url").toString()), role: "STAFF" });
    await expect(verifyAccessToken(`${h}.${tamperedPayload}.${sig}`, jwksA)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    // Signed by another key that claims the real kid.
    const impostor = await signAccessToken(viewer, { ...(await importSigningKey({ active: keyB.kid, keys: [keyB] })), kid: keyA.kid });
    await expect(verifyAccessToken(impostor, jwksA)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });
  it("refuses algorithm confusion: alg none, and HS256 keyed with the public key", async () => {
    const claims = { sub: viewer.id, role: "STAFF", name: "x", email: "x", iss: "junggo-identity", aud: "junggo", exp: Math.floor(Date.now() / 1000) + 600 };
    await expect(verifyAccessToken(`${b64({ alg: "none", kid: keyA.kid })}.${b64(claims)}.`, jwksA)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: "HS256", kid: keyA.kid }).sign(new TextEncoder().encode(JSON.stringify(publicJwks(fileA).keys[0])));
    await expect(verifyAccessToken(hs, jwksA)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });
  it("accepts tokens of every published key: the old and the new one during a rotation", async () => {
    const both = createLocalJWKSet(publicJwks({ active: keyB.kid, keys: [keyA, keyB] }));
    const signingB = await importSigningKey({ active: keyB.kid, keys: [keyA, keyB] });
    expect(await verifyAccessToken(await signAccessToken(viewer, signingA), both)).toEqual(viewer);
    expect(await verifyAccessToken(await signAccessToken(viewer, signingB), both)).toEqual(viewer);
    // Once A is retired, its tokens are refused.
    const onlyB = createLocalJWKSet(publicJwks({ active: keyB.kid, keys: [keyB] }));
    await expect(verifyAccessToken(await signAccessToken(viewer, signingA), onlyB)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });
  it("lets a key-lookup outage through instead of calling the token invalid", async () => {
    const token = await signAccessToken(viewer, signingA);
    const down = async () => { throw new DomainError("AUTH_UNAVAILABLE", "down"); };
    await expect(verifyAccessToken(token, down)).rejects.toMatchObject({ code: "AUTH_UNAVAILABLE" });
  });
  it("does not accept a gateway-forwarded identity as an access token", async () => {
    await expect(verifyAccessToken(await signForwardedIdentity(viewer, S), jwksA)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
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
      .setProtectedHeader({ alg: "HS256" }).setSubject(viewer.id).setIssuer("junggo-gateway").setAudience("junggo-subgraph")
      .setIssuedAt(Math.floor(Date.now() / 1000) - 600).setExpirationTime(Math.floor(Date.now() / 1000) - 300)
      .sign(new TextEncoder().encode(S));
    expect(await verifyForwardedIdentity(stale, S)).toBeNull();
  });
});

describe("service tokens", () => {
  it("identify the calling service and cannot be forged", async () => {
    expect(await verifyServiceToken(await signServiceToken("purchase", S), S)).toBe("purchase");
    expect(await verifyServiceToken(await signServiceToken("purchase", "x"), S)).toBeNull();
    expect(await verifyServiceToken(await signForwardedIdentity(viewer, S), S)).toBeNull();
  });
});
