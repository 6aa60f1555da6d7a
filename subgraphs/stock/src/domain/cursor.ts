import { badInput } from "@junggo/runtime";

// Cursors are opaque to clients (base64url of the vehicle's registration sequence number), so the
// pagination key can change later without breaking them.
const MAX_SEQ = 2_147_483_647; // Postgres INT

export function encodeCursor(seq: number): string {
  return Buffer.from(String(seq), "utf8").toString("base64url");
}

/** Throws BAD_USER_INPUT on the `after` argument for anything encodeCursor did not produce. */
export function decodeCursor(cursor: string): number {
  const decoded = /^[A-Za-z0-9_-]{1,16}$/.test(cursor)
    ? Buffer.from(cursor, "base64url").toString("utf8")
    : "";
  const seq = /^(0|[1-9][0-9]*)$/.test(decoded) ? Number(decoded) : NaN;
  // Node's base64url decoder is lenient; re-encoding rejects non-canonical spellings.
  if (!Number.isSafeInteger(seq) || seq > MAX_SEQ || encodeCursor(seq) !== cursor) {
    throw badInput("after", "The cursor is not valid. Use an endCursor or edge cursor from a previous page.");
  }
  return seq;
}
