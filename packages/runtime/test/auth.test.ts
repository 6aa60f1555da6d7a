import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { signAccessToken, signForwardedIdentity, signServiceToken, verifyAccessToken, verifyForwardedIdentity, verifyServiceToken, type Viewer } from "../src/auth.ts";

const viewer: Viewer = { id: "8d9c7f0e-6a43-4a7e-9d1b-0f1f5b0d2c11", role: "BUYER", name: "Kim Minjun", email: "buyer@junggo.test" };
const S = "secret-one";

describe("access tokens", () => {
  it("round-trips the viewer", async () => {
    expect(await verifyAccessToken(await signAccessToken(viewer, S), S)).toEqual(viewer);
  });
  it("refuses expired, tampered and wrongly signed tokens", async () => {
    const expired = await signAccessToken(viewer, S, -10);
    await expect(verifyAccessToken(expired, S)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    const good = await signAccessToken(viewer, S);
    const [h, p, sig] = good.split(".");
    const tamperedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, "base64url").toString()), role: "STAFF" })).toString("base64url");
    await expect(verifyAccessToken(`${h}.${tamperedPayload}.${sig}`, S)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    await expect(verifyAccessToken(good, "another-secret")).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });
  it("does not accept a gateway-forwarded identity as an access token", async () => {
    await expect(verifyAccessToken(await signForwardedIdentity(viewer, S), S)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
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
    expect(await verifyForwardedIdentity(await signAccessToken(viewer, S), S)).toBeNull();
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
