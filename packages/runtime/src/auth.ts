import { SignJWT, jwtVerify, type JWTVerifyGetKey } from "jose";
import { DomainError } from "./errors.ts";
import { ACCESS_TOKEN_ALG, type SigningKey } from "./signing-keys.ts";

/** How a verifier finds the public key of an access token (a JWKS, local or fetched from identity). */
export type AccessTokenKeys = JWTVerifyGetKey;

export type Role = "BUYER" | "SELLER" | "STAFF" | "DRIVER";
export const ROLES: readonly Role[] = ["BUYER", "SELLER", "STAFF", "DRIVER"];

/** The person behind a request, as verified by the gateway. */
export interface Viewer {
  id: string;
  role: Role;
  name: string;
  email: string;
}

/** Header the gateway uses to forward the verified identity to subgraphs (a short-lived signed token). */
export const IDENTITY_HEADER = "x-junggo-identity";

const enc = (s: string) => new TextEncoder().encode(s);
const ISSUER_USER = "junggo-identity";
const AUD_USER = "junggo";
const ISSUER_GATEWAY = "junggo-gateway";
const AUD_SUBGRAPH = "junggo-subgraph";
const AUD_SERVICE = "junggo-service";

function asViewer(p: Record<string, unknown>): Viewer | null {
  const role = p.role as Role;
  if (typeof p.sub !== "string" || !ROLES.includes(role)) return null;
  return { id: p.sub, role, name: String(p.name ?? ""), email: String(p.email ?? "") };
}

/** Access token handed to a person at login: ES256, with the signing key's kid for the JWKS lookup. */
export async function signAccessToken(viewer: Viewer, key: SigningKey, ttlSeconds = 3600): Promise<string> {
  return new SignJWT({ role: viewer.role, name: viewer.name, email: viewer.email })
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid: key.kid, typ: "JWT" })
    .setSubject(viewer.id)
    .setIssuer(ISSUER_USER)
    .setAudience(AUD_USER)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(key.privateKey);
}

/** Returns the viewer, or throws UNAUTHENTICATED for a bad, expired or foreign token. */
export async function verifyAccessToken(token: string, keys: AccessTokenKeys): Promise<Viewer> {
  return (await verifyLogin(token, keys)).viewer;
}

/**
 * Like verifyAccessToken, with the token's expiry (ms since epoch) for long-lived connections.
 * A DomainError from the key lookup (the JWKS cannot be fetched) passes through: that is not the
 * token's fault, and must not log the person out.
 */
export async function verifyLogin(token: string, keys: AccessTokenKeys): Promise<{ viewer: Viewer; expiresAt: number }> {
  try {
    // Only ES256: an HS256 token "signed" with the public key, or alg=none, never verifies.
    const { payload } = await jwtVerify(token, keys, { issuer: ISSUER_USER, audience: AUD_USER, algorithms: [ACCESS_TOKEN_ALG] });
    const v = asViewer(payload);
    if (!v || typeof payload.exp !== "number") throw new Error("bad claims");
    return { viewer: v, expiresAt: payload.exp * 1000 };
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw new DomainError("UNAUTHENTICATED", "Your session is invalid or has expired. Please log in again.");
  }
}

/** The gateway signs what it verified; subgraphs accept identity only in this form. */
export async function signForwardedIdentity(viewer: Viewer | null, secret: string, ttlSeconds = 60): Promise<string> {
  const claims = viewer ? { role: viewer.role, name: viewer.name, email: viewer.email, anon: false } : { anon: true };
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer(ISSUER_GATEWAY)
    .setAudience(AUD_SUBGRAPH)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`);
  if (viewer) jwt.setSubject(viewer.id);
  return jwt.sign(enc(secret));
}

/**
 * Verifies a forwarded identity. Returns `{ viewer }` (null for an anonymous request that came
 * through the gateway) or null when the header is missing, forged or expired.
 */
export async function verifyForwardedIdentity(token: string | undefined, secret: string): Promise<{ viewer: Viewer | null } | null> {
  if (!token) return null;
  try {
    const { payload } = await jwtVerify(token, enc(secret), { issuer: ISSUER_GATEWAY, audience: AUD_SUBGRAPH, algorithms: ["HS256"] });
    if (payload.anon === true) return { viewer: null };
    const v = asViewer(payload);
    return v ? { viewer: v } : null;
  } catch {
    return null;
  }
}

/** Token for service-to-service calls (e.g. purchase → billing). */
export async function signServiceToken(service: string, secret: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(`service:${service}`)
    .setIssuer(ISSUER_GATEWAY)
    .setAudience(AUD_SERVICE)
    .setIssuedAt()
    .setExpirationTime("60s")
    .sign(enc(secret));
}

export async function verifyServiceToken(token: string | undefined, secret: string): Promise<string | null> {
  if (!token) return null;
  try {
    const { payload } = await jwtVerify(token, enc(secret), { issuer: ISSUER_GATEWAY, audience: AUD_SERVICE, algorithms: ["HS256"] });
    return typeof payload.sub === "string" ? payload.sub.replace(/^service:/, "") : null;
  } catch {
    return null;
  }
}

export function requireViewer(viewer: Viewer | null): Viewer {
  if (!viewer) throw new DomainError("UNAUTHENTICATED", "You must be logged in.");
  return viewer;
}

export function requireRole(viewer: Viewer | null, ...roles: Role[]): Viewer {
  const v = requireViewer(viewer);
  if (!roles.includes(v.role)) {
    throw new DomainError("FORBIDDEN", `This operation is for ${roles.join(" or ")} accounts.`);
  }
  return v;
}
