/** An `Authorization` value: absent, not of the `Bearer <token>` form, or a bearer token. */
export type Bearer = { kind: "none" } | { kind: "malformed" } | { kind: "token"; token: string };

/** Reads `Authorization: Bearer <token>` (scheme in any case), for HTTP requests and websockets alike. */
export function parseBearer(header: string | null | undefined): Bearer {
  const value = header?.trim();
  if (!value) return { kind: "none" };
  const m = /^Bearer\s+(.+)$/i.exec(value);
  return m ? { kind: "token", token: m[1]! } : { kind: "malformed" };
}
