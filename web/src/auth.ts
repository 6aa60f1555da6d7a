// The session: a JWT from `login`, kept in localStorage, plus the account it belongs to.
import type { Role } from "./generated/operations.ts";

export type { Role };

export interface Account {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export interface Session {
  token: string;
  account: Account;
  /** When the token stops being accepted (ms since epoch), from its `exp` claim; null when it has none. */
  expiresAt: number | null;
}

export const TOKEN_KEY = "junggo.token";

export const SESSION_EXPIRED = "Your session has expired. Please log in again.";

/** The `exp` claim of a JWT in ms, or null when the token has none or is not a JWT. */
export function tokenExpiry(token: string): number | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const json = atob(
      payload
        .replace(/-/g, "+")
        .replace(/_/g, "/")
        .padEnd(Math.ceil(payload.length / 4) * 4, "="),
    );
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === "number" ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/** True when the token is expired (with a few seconds of margin for clock skew and latency). */
export function isExpired(token: string, now = Date.now()): boolean {
  const exp = tokenExpiry(token);
  return exp !== null && exp - 5_000 <= now;
}

export const storedToken = (): string | null => localStorage.getItem(TOKEN_KEY);
export const storeToken = (token: string) => localStorage.setItem(TOKEN_KEY, token);
export const forgetToken = () => localStorage.removeItem(TOKEN_KEY);
