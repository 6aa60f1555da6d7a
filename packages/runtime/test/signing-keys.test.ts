import { chmodSync, chownSync, mkdtempSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  activateKey,
  addKey,
  ensureKeyFile,
  KeyRing,
  parseKeyFile,
  readKeyFile,
  retireKey,
  writeKeyFile,
} from "../src/signing-keys.ts";

const tmpFile = () => join(mkdtempSync(join(tmpdir(), "junggo-keys-")), "jwt-keys.json");
// Key files are re-read when their mtime changes; make each write visibly newer.
const touchLater = (path: string) => {
  const t = statSync(path).mtime.getTime() / 1000 + 5;
  utimesSync(path, t, t);
};

describe("key file", () => {
  it("is created once with one active key, owner-readable only", async () => {
    const path = tmpFile();
    const file = await ensureKeyFile(path);
    expect(file.keys).toHaveLength(1);
    expect(file.active).toBe(file.keys[0]!.kid);
    expect(statSync(path).mode & 0o077).toBe(0);
    expect(await ensureKeyFile(path)).toEqual(file);
  });

  it("rotates in three steps and refuses the unsafe ones", async () => {
    const start = await ensureKeyFile(tmpFile());
    const { file: two, kid } = await addKey(start);
    expect(two.active).toBe(start.active);
    expect(two.keys.map((k) => k.kid)).toEqual([start.active, kid]);
    expect(() => retireKey(two, kid === two.active ? start.active : two.active)).toThrow(/active key/);
    const switched = activateKey(two, kid);
    expect(retireKey(switched, start.active).keys.map((k) => k.kid)).toEqual([kid]);
    expect(() => activateKey(two, "nope")).toThrow(/no key/);
  });

  it("keeps the reader a rewritten file was given to: mode (at most 0640), owner and group", async () => {
    const path = tmpFile();
    const { file } = await addKey(await ensureKeyFile(path));
    chmodSync(path, 0o644);
    const asRoot = process.getuid?.() === 0;
    // The image's `node` user (uid/gid 1000), as docs/deployment.md has the operator chown the file.
    if (asRoot) chownSync(path, 1000, 1000);
    writeKeyFile(path, file);
    const st = statSync(path);
    expect(st.mode & 0o777).toBe(0o640);
    if (asRoot) expect([st.uid, st.gid]).toEqual([1000, 1000]);
    expect(readKeyFile(path)).toEqual(file);
  });

  it("rejects files that would break signing", async () => {
    const file = await ensureKeyFile(tmpFile());
    expect(() => parseKeyFile("{")).toThrow(/JSON/);
    expect(() => parseKeyFile(JSON.stringify({ ...file, active: "other" }))).toThrow(/active kid/);
    const { d: _d, ...publicOnly } = file.keys[0]!;
    expect(() => parseKeyFile(JSON.stringify({ active: file.active, keys: [publicOnly] }))).toThrow(
      /private/,
    );
    expect(() =>
      parseKeyFile(JSON.stringify({ active: file.active, keys: [file.keys[0], file.keys[0]] })),
    ).toThrow(/twice/);
  });
});

describe("KeyRing", () => {
  it("picks up a rotated file without a restart and keeps the last good keys when the file is broken", async () => {
    const path = tmpFile();
    const errors: string[] = [];
    const ring = await KeyRing.open(path, {
      create: true,
      checkEveryMs: 0,
      onError: (e) => errors.push(e.message),
    });
    const first = readKeyFile(path).active;
    expect((await ring.signingKey()).kid).toBe(first);

    const { file, kid } = await addKey(readKeyFile(path));
    writeKeyFile(path, activateKey(file, kid));
    touchLater(path);
    expect((await ring.signingKey()).kid).toBe(kid);
    expect((await ring.jwks()).keys.map((k) => k.kid)).toEqual([first, kid]);

    writeFileSync(path, "{ not json");
    touchLater(path);
    expect((await ring.signingKey()).kid).toBe(kid);
    expect(errors.at(-1)).toMatch(/JSON/);
  });

  it("sees a file renamed over the old one even when its mtime is the same (how the keys CLI writes)", async () => {
    const path = tmpFile();
    const ring = await KeyRing.open(path, { create: true, checkEveryMs: 0 });
    const before = statSync(path);
    const { file, kid } = await addKey(readKeyFile(path));
    writeKeyFile(path, activateKey(file, kid));
    utimesSync(path, before.atime, before.mtime);
    expect((await ring.signingKey()).kid).toBe(kid);
  });

  it("refuses to start without a key file when it may not create one (production)", async () => {
    await expect(KeyRing.open(tmpFile(), { create: false })).rejects.toThrow();
  });
});
