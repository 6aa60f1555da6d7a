import { describe, expect, it } from "vitest";
import { DomainError } from "@junggo/runtime";
import { checkPasswordPolicy, hashPassword, verifyPassword } from "../src/domain/password.ts";

describe("password hashing (scrypt)", () => {
  it("stores algorithm, parameters, a 16-byte salt and a 64-byte key", async () => {
    const stored = await hashPassword("correct horse");
    const [alg, n, r, p, salt, key] = stored.split("$");
    expect([alg, n, r, p]).toEqual(["scrypt", "16384", "8", "1"]);
    expect(Buffer.from(salt!, "base64")).toHaveLength(16);
    expect(Buffer.from(key!, "base64")).toHaveLength(64);
  });

  it("accepts the right password and refuses a wrong one", async () => {
    const stored = await hashPassword("correct horse");
    expect(await verifyPassword("correct horse", stored)).toBe(true);
    expect(await verifyPassword("correct hors", stored)).toBe(false);
    expect(await verifyPassword("Correct horse", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
  });

  it("salts: the same password hashes differently each time, and both verify", async () => {
    const a = await hashPassword("same password");
    const b = await hashPassword("same password");
    expect(a).not.toBe(b);
    expect(a.split("$")[4]).not.toBe(b.split("$")[4]);
    expect(await verifyPassword("same password", a)).toBe(true);
    expect(await verifyPassword("same password", b)).toBe(true);
  });

  it("treats canonically equivalent Unicode input as the same password", async () => {
    const stored = await hashPassword("비밀번호-café");
    expect(await verifyPassword("비밀번호-cafe\u0301", stored)).toBe(true);
  });

  it("never matches a malformed or tampered stored hash", async () => {
    const stored = await hashPassword("correct horse");
    const parts = stored.split("$");
    expect(await verifyPassword("correct horse", "plain-text")).toBe(false);
    expect(await verifyPassword("correct horse", ["bcrypt", ...parts.slice(1)].join("$"))).toBe(false);
    expect(
      await verifyPassword("correct horse", [...parts.slice(0, 1), "1000", ...parts.slice(2)].join("$")),
    ).toBe(false); // N not a power of two
    expect(
      await verifyPassword(
        "correct horse",
        [...parts.slice(0, 1), String(1 << 30), ...parts.slice(2)].join("$"),
      ),
    ).toBe(false); // memory bomb
    const flipped = Buffer.from(parts[5]!, "base64");
    flipped[0] = flipped[0]! ^ 1;
    expect(
      await verifyPassword("correct horse", [...parts.slice(0, 5), flipped.toString("base64")].join("$")),
    ).toBe(false);
  });
});

describe("password policy", () => {
  const refusal = (pw: string) => {
    try {
      checkPasswordPolicy(pw);
      return null;
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      return { code: (err as DomainError).code, field: (err as DomainError).details.field };
    }
  };

  it("accepts 8 to 200 characters", () => {
    expect(refusal("12345678")).toBeNull();
    expect(refusal("x".repeat(200))).toBeNull();
    expect(refusal("한국어비밀번호다")).toBeNull(); // 8 Hangul syllables
  });

  it("refuses shorter than 8 and longer than 200 characters, on the password field", () => {
    expect(refusal("1234567")).toEqual({ code: "BAD_USER_INPUT", field: "password" });
    expect(refusal("")).toEqual({ code: "BAD_USER_INPUT", field: "password" });
    expect(refusal("x".repeat(201))).toEqual({ code: "BAD_USER_INPUT", field: "password" });
  });

  it("counts characters, not UTF-16 units", () => {
    expect(refusal("😀😀😀😀")).toEqual({ code: "BAD_USER_INPUT", field: "password" }); // 4 chars, 8 units
  });
});
