import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
  type Stats,
} from "node:fs";
import { dirname } from "node:path";
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JWK,
  type JWTVerifyGetKey,
} from "jose";

/**
 * Access tokens are signed with ES256 keys kept in a key file (a mounted Secret in production).
 * Identity signs with the `active` key and publishes the public half of every key in the file as
 * a JWKS; the gateway verifies through that JWKS. Rotation = add a key (published, not used yet),
 * activate it once verifiers have it, retire the old one after the longest token lifetime.
 */
export const ACCESS_TOKEN_ALG = "ES256";

export interface SigningKeyEntry extends JWK {
  kid: string;
  createdAt: string;
}

export interface KeyFile {
  active: string;
  keys: SigningKeyEntry[];
}

export interface PublicJwks {
  keys: JWK[];
}

export async function generateSigningKey(now = new Date()): Promise<SigningKeyEntry> {
  const { privateKey } = await generateKeyPair(ACCESS_TOKEN_ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  // The RFC 7638 thumbprint: a stable id that says nothing about the key's age or purpose.
  const kid = (await calculateJwkThumbprint(jwk)).slice(0, 16);
  return { ...jwk, kid, alg: ACCESS_TOKEN_ALG, use: "sig", createdAt: now.toISOString() };
}

/** Parses and checks a key file; throws with a message naming what is wrong. */
export function parseKeyFile(text: string, source = "key file"): KeyFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${source} is not valid JSON`);
  }
  const file = raw as Partial<KeyFile>;
  if (!file || !Array.isArray(file.keys) || file.keys.length === 0) throw new Error(`${source} has no keys`);
  const kids = new Set<string>();
  for (const k of file.keys) {
    if (!k || typeof k.kid !== "string" || !k.kid) throw new Error(`${source}: every key needs a kid`);
    if (kids.has(k.kid)) throw new Error(`${source}: kid ${k.kid} appears twice`);
    if (k.kty !== "EC" || k.crv !== "P-256" || typeof k.d !== "string")
      throw new Error(`${source}: key ${k.kid} is not a private P-256 (ES256) key`);
    kids.add(k.kid);
  }
  if (typeof file.active !== "string" || !kids.has(file.active))
    throw new Error(`${source}: the active kid is not one of its keys`);
  return { active: file.active, keys: file.keys };
}

export function readKeyFile(path: string): KeyFile {
  return parseKeyFile(readFileSync(path, "utf8"), path);
}

/**
 * Written to a temporary file in the same directory and renamed, so a reader never sees half a file
 * (which is why the key file is mounted as a directory: a rename never reaches a single-file bind
 * mount). A new file is owner-only (0600); a rewritten one keeps who could read it before — its
 * owner and group (when this process may set them, e.g. as root) and its mode, at most 0640 — so a
 * rotation never locks out the service user the file was given to.
 */
export function writeKeyFile(path: string, file: KeyFile): void {
  parseKeyFile(JSON.stringify(file), path);
  mkdirSync(dirname(path), { recursive: true });
  const before = existsSync(path) ? statSync(path) : null;
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  if (before) {
    chmodSync(tmp, before.mode & 0o640);
    try {
      chownSync(tmp, before.uid, before.gid);
    } catch {
      /* not allowed (not root): the file stays ours, as the old one was */
    }
  }
  renameSync(tmp, path);
}

/** Creates a key file with one active key unless one exists; returns what is in the file. */
export async function ensureKeyFile(path: string): Promise<KeyFile> {
  if (existsSync(path)) return readKeyFile(path);
  const key = await generateSigningKey();
  writeKeyFile(path, { active: key.kid, keys: [key] });
  return readKeyFile(path);
}

/** Rotation step 1: a new key, published at once but not signing until activated. */
export async function addKey(file: KeyFile): Promise<{ file: KeyFile; kid: string }> {
  const key = await generateSigningKey();
  return { file: { active: file.active, keys: [...file.keys, key] }, kid: key.kid };
}

/** Rotation step 2: sign new tokens with `kid` (which must already be in the file). */
export function activateKey(file: KeyFile, kid: string): KeyFile {
  if (!file.keys.some((k) => k.kid === kid)) throw new Error(`no key ${kid} in the key file`);
  return { ...file, active: kid };
}

/** Rotation step 3: drop a key; tokens it signed stop verifying. The active key cannot be retired. */
export function retireKey(file: KeyFile, kid: string): KeyFile {
  if (!file.keys.some((k) => k.kid === kid)) throw new Error(`no key ${kid} in the key file`);
  if (file.active === kid) throw new Error(`${kid} is the active key; activate another key first`);
  return { ...file, keys: file.keys.filter((k) => k.kid !== kid) };
}

/** The JWKS identity publishes: public halves only, every key in the file (active or not). */
export function publicJwks(file: KeyFile): PublicJwks {
  return {
    keys: file.keys.map(({ kty, crv, x, y, kid }) => ({
      kty,
      crv,
      x,
      y,
      kid,
      alg: ACCESS_TOKEN_ALG,
      use: "sig",
    })),
  };
}

/** Verification keys straight from a key file (tests, tools); services verify through identity's JWKS. */
export function localKeySet(file: KeyFile): JWTVerifyGetKey {
  return createLocalJWKSet(publicJwks(file));
}

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

export async function importSigningKey(file: KeyFile, kid = file.active): Promise<SigningKey> {
  const entry = file.keys.find((k) => k.kid === kid);
  if (!entry) throw new Error(`no key ${kid}`);
  const { createdAt: _c, ...jwk } = entry;
  return { kid, privateKey: (await importJWK(jwk, ACCESS_TOKEN_ALG)) as CryptoKey };
}

const fileVersion = (st: Stats) => `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;

/**
 * The key file as a running service sees it: re-read when the file changes — another inode (a
 * rename over it, a Kubernetes Secret update), size or mtime; checked at most once per
 * `checkEveryMs` — so a rotation needs no restart. A broken file keeps the last good keys.
 */
export class KeyRing {
  private file: KeyFile;
  private signing: Promise<SigningKey>;
  /** Which file version is loaded: a rename (how the keys CLI writes) always brings a new inode. */
  private version: string;
  private checkedAt = 0;

  private constructor(
    private readonly path: string,
    file: KeyFile,
    private readonly checkEveryMs: number,
    private readonly onError: (err: Error) => void,
  ) {
    this.file = file;
    this.signing = importSigningKey(file);
    this.version = fileVersion(statSync(path));
  }

  static async open(
    path: string,
    o: { create: boolean; checkEveryMs?: number; onError?: (err: Error) => void },
  ): Promise<KeyRing> {
    const file = o.create ? await ensureKeyFile(path) : readKeyFile(path);
    const ring = new KeyRing(path, file, o.checkEveryMs ?? 1000, o.onError ?? (() => {}));
    await ring.signing;
    return ring;
  }

  private async refresh(): Promise<void> {
    const now = Date.now();
    if (now - this.checkedAt < this.checkEveryMs) return;
    this.checkedAt = now;
    try {
      const version = fileVersion(statSync(this.path));
      if (version === this.version) return;
      const file = readKeyFile(this.path);
      const signing = importSigningKey(file);
      // Only switch once the new active key imports, so a bad file never breaks logins.
      await signing;
      this.file = file;
      this.signing = signing;
      this.version = version;
    } catch (err) {
      this.onError(err as Error);
    }
  }

  async signingKey(): Promise<SigningKey> {
    await this.refresh();
    return this.signing;
  }

  async jwks(): Promise<PublicJwks> {
    await this.refresh();
    return publicJwks(this.file);
  }
}
