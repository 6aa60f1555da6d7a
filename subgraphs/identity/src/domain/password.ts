import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { badInput } from "@junggo/runtime";

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 200;

/** Password policy: length only (NIST 800-63B); counted in characters, not UTF-16 units. */
export function checkPasswordPolicy(password: string): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH)
    throw badInput("password", `The password must have at least ${PASSWORD_MIN_LENGTH} characters.`);
  if (length > PASSWORD_MAX_LENGTH)
    throw badInput("password", `The password must have at most ${PASSWORD_MAX_LENGTH} characters.`);
}

/**
 * Login checks bounds only: the minimum may have been lower when an older password was set, and
 * anything longer than the policy allows cannot match.
 */
export function checkLoginPassword(password: string): void {
  const length = [...password].length;
  if (length < 1) throw badInput("password", "Enter your password.");
  if (length > PASSWORD_MAX_LENGTH)
    throw badInput("password", `The password must have at most ${PASSWORD_MAX_LENGTH} characters.`);
}

// scrypt is memory-hard (128·N·r bytes = 16 MiB per hash with these parameters), which makes
// GPU/ASIC guessing expensive. The parameters are stored with each hash so they can be raised later
// without invalidating existing passwords.
const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 64;

function derive(
  password: string,
  salt: Buffer,
  params: { N: number; r: number; p: number },
  keyLength: number,
): Promise<Buffer> {
  // maxmem must cover 128·N·r with headroom, or Node refuses larger parameters.
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    // NFKC: the same password typed on different keyboards/IMEs (e.g. Korean jamo) hashes the same.
    scrypt(password.normalize("NFKC"), salt, keyLength, options, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** Returns `scrypt$N$r$p$saltB64$hashB64` with a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, PARAMS, KEY_BYTES);
  return ["scrypt", PARAMS.N, PARAMS.r, PARAMS.p, salt.toString("base64"), key.toString("base64")].join("$");
}

/** Constant-time comparison against a stored hash; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  // Bounds keep a corrupted row from turning a login into a memory bomb.
  const sane =
    Number.isInteger(N) &&
    N >= 2 &&
    N <= 1 << 20 &&
    (N & (N - 1)) === 0 &&
    Number.isInteger(r) &&
    r >= 1 &&
    r <= 32 &&
    Number.isInteger(p) &&
    p >= 1 &&
    p <= 16;
  if (!sane) return false;
  const salt = Buffer.from(parts[4]!, "base64");
  const expected = Buffer.from(parts[5]!, "base64");
  if (salt.length === 0 || expected.length === 0) return false;
  const actual = await derive(password, salt, { N, r, p }, expected.length);
  return timingSafeEqual(actual, expected);
}
