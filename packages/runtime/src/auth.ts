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
export async function verifyLogin(
  token: string,
  keys: AccessTokenKeys,
): Promise<{ viewer: Viewer; expiresAt: number }> {
  try {
    // Only ES256: an HS256 token "signed" with the public key, or alg=none, never verifies.
    const { payload } = await jwtVerify(token, keys, {
      issuer: ISSUER_USER,
      audience: AUD_USER,
      algorithms: [ACCESS_TOKEN_ALG],
    });
    const v = asViewer(payload);
    if (!v || typeof payload.exp !== "number") throw new Error("bad claims");
    return { viewer: v, expiresAt: payload.exp * 1000 };
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw new DomainError("UNAUTHENTICATED", "Your session is invalid or has expired. Please log in again.");
  }
}

/**
 * Results of verified tokens by their exact text, each kept until the token expires (or, with a
 * generation, until the verifying keys change): a token is checked cryptographically once, not on
 * every request and subscription event. Bounded; the oldest entry goes first.
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number; generation: number }>();
  hits = 0;
  misses = 0;

  constructor(private readonly maxEntries = 10_000) {}

  get(token: string, generation = 0): T | undefined {
    const e = this.entries.get(token);
    if (e && e.expiresAt > Date.now() && e.generation === generation) {
      this.hits++;
      return e.value;
    }
    if (e) this.entries.delete(token);
    this.misses++;
    return undefined;
  }

  set(token: string, value: T, expiresAt: number, generation = 0): void {
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { value, expiresAt, generation });
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * `verifyLogin` with a cache of verified tokens (the gateway checks the same token on every request
 * of a session). `generation()` must change whenever the keys do, so a retired key's tokens are
 * refused at once.
 */
export function cachedLoginVerifier(keys: AccessTokenKeys, generation: () => number = () => 0) {
  const cache = new VerifiedTokenCache<{ viewer: Viewer; expiresAt: number }>();
  const verify = async (token: string): Promise<{ viewer: Viewer; expiresAt: number }> => {
    const gen = generation();
    const known = cache.get(token, gen);
    if (known) return known;
    const verified = await verifyLogin(token, keys);
    cache.set(token, verified, verified.expiresAt, gen);
    return verified;
  };
  return { verify, cache };
}

const signedIdentities = new Map<string, { token: string; renewAt: number }>();
const verifiedIdentities = new Map<string, VerifiedTokenCache<{ viewer: Viewer | null }>>();

/**
 * The gateway signs what it verified; subgraphs accept identity only in this form. A viewer's
 * token is reused for half its lifetime, so subgraphs see few distinct tokens (and verify each once).
 */
export async function signForwardedIdentity(
  viewer: Viewer | null,
  secret: string,
  ttlSeconds = 60,
): Promise<string> {
  const key = `${ttlSeconds}\u0000${secret}\u0000${viewer ? `${viewer.id}\u0000${viewer.role}\u0000${viewer.name}\u0000${viewer.email}` : ""}`;
  const cached = signedIdentities.get(key);
  if (cached && cached.renewAt > Date.now()) return cached.token;
  const token = await signIdentityToken(viewer, secret, ttlSeconds);
  if (signedIdentities.size >= 10_000) signedIdentities.delete(signedIdentities.keys().next().value!);
  signedIdentities.set(key, { token, renewAt: Date.now() + (ttlSeconds * 1000) / 2 });
  return token;
}

async function signIdentityToken(viewer: Viewer | null, secret: string, ttlSeconds: number): Promise<string> {
  const claims = viewer
    ? { role: viewer.role, name: viewer.name, email: viewer.email, anon: false }
    : { anon: true };
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
export async function verifyForwardedIdentity(
  token: string | undefined,
  secret: string,
): Promise<{ viewer: Viewer | null } | null> {
  if (!token) return null;
  let cache = verifiedIdentities.get(secret);
  if (!cache) verifiedIdentities.set(secret, (cache = new VerifiedTokenCache()));
  const known = cache.get(token);
  if (known) return known;
  try {
    const { payload } = await jwtVerify(token, enc(secret), {
      issuer: ISSUER_GATEWAY,
      audience: AUD_SUBGRAPH,
      algorithms: ["HS256"],
    });
    const result =
      payload.anon === true
        ? { viewer: null }
        : (() => {
            const v = asViewer(payload);
            return v ? { viewer: v } : null;
          })();
    if (result && typeof payload.exp === "number") cache.set(token, result, payload.exp * 1000);
    return result;
  } catch {
    return null;
  }
}

const signedServiceTokens = new Map<string, { token: string; renewAt: number }>();
const verifiedServiceTokens = new Map<string, VerifiedTokenCache<{ service: string | null }>>();
const SERVICE_TOKEN_TTL_SECONDS = 60;

/**
 * Token for service-to-service calls (e.g. purchase → billing). Like a forwarded identity, a signed
 * token is reused for half its lifetime: a caller signs about once per 30 s, not once per call.
 */
export async function signServiceToken(service: string, secret: string): Promise<string> {
  const key = `${service}\u0000${secret}`;
  const cached = signedServiceTokens.get(key);
  if (cached && cached.renewAt > Date.now()) return cached.token;
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(`service:${service}`)
    .setIssuer(ISSUER_GATEWAY)
    .setAudience(AUD_SERVICE)
    .setIssuedAt()
    .setExpirationTime(`${SERVICE_TOKEN_TTL_SECONDS}s`)
    .sign(enc(secret));
  if (signedServiceTokens.size >= 1000) signedServiceTokens.delete(signedServiceTokens.keys().next().value!);
  signedServiceTokens.set(key, { token, renewAt: Date.now() + (SERVICE_TOKEN_TTL_SECONDS * 1000) / 2 });
  return token;
}

/**
 * The calling service's name, or null for a missing, forged or expired token. A verified token is
 * remembered until it expires (the caller reuses one for 30 s), so it is checked cryptographically once.
 */
export async function verifyServiceToken(token: string | undefined, secret: string): Promise<string | null> {
  if (!token) return null;
  let cache = verifiedServiceTokens.get(secret);
  if (!cache) verifiedServiceTokens.set(secret, (cache = new VerifiedTokenCache()));
  const known = cache.get(token);
  if (known) return known.service;
  try {
    const { payload } = await jwtVerify(token, enc(secret), {
      issuer: ISSUER_GATEWAY,
      audience: AUD_SERVICE,
      algorithms: ["HS256"],
    });
    const service = typeof payload.sub === "string" ? payload.sub.replace(/^service:/, "") : null;
    if (service !== null && typeof payload.exp === "number")
      cache.set(token, { service }, payload.exp * 1000);
    return service;
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
