import { describe, expect, it } from "vitest";
import type { Viewer } from "@junggo/runtime";
import { refusalOf } from "@junggo/runtime/testing";
import {
  canSeeEmail,
  maskEmail,
  normaliseEmail,
  parseEmail,
  parseLocale,
  parseName,
  parseSelfServiceRole,
  registerAccount,
} from "../src/domain/account.ts";

describe("email", () => {
  it("is normalised: trimmed and lowercase", () => {
    expect(normaliseEmail("  Buyer@Junggo.TEST ")).toBe("buyer@junggo.test");
    expect(parseEmail("  Buyer@Junggo.TEST ")).toBe("buyer@junggo.test");
  });

  it("accepts usual addresses", () => {
    for (const ok of ["a@b.co", "kim.minjun+cars@mail.example.kr", "x_y@sub.domain.com"])
      expect(parseEmail(ok)).toBe(ok);
  });

  it("refuses malformed addresses on the email field", () => {
    for (const bad of [
      "",
      "plain",
      "@junggo.test",
      "kim@",
      "kim@localhost",
      "kim minjun@junggo.test",
      "a@b..c",
      `${"x".repeat(250)}@b.co`,
    ]) {
      expect(refusalOf(() => parseEmail(bad))).toMatchObject({ code: "BAD_USER_INPUT", field: "email" });
    }
  });
});

describe("name", () => {
  it("is trimmed and may have 1 to 60 characters", () => {
    expect(parseName("  Kim Minjun ")).toBe("Kim Minjun");
    expect(parseName("김")).toBe("김");
    expect(parseName("가".repeat(60))).toBe("가".repeat(60));
  });

  it("refuses empty, blank and over-long names", () => {
    for (const bad of ["", "   ", "x".repeat(61)])
      expect(refusalOf(() => parseName(bad))).toMatchObject({ code: "BAD_USER_INPUT", field: "name" });
  });
});

describe("locale", () => {
  it("defaults to ko and accepts ko or en", () => {
    expect(parseLocale(undefined)).toBe("ko");
    expect(parseLocale(null)).toBe("ko");
    expect(parseLocale("en")).toBe("en");
    expect(parseLocale("ko")).toBe("ko");
  });

  it("refuses anything else", () => {
    for (const bad of ["fr", "KO", ""])
      expect(refusalOf(() => parseLocale(bad))).toMatchObject({ code: "BAD_USER_INPUT", field: "locale" });
  });
});

describe("self-service role", () => {
  it("allows BUYER and SELLER", () => {
    expect(parseSelfServiceRole("BUYER")).toBe("BUYER");
    expect(parseSelfServiceRole("SELLER")).toBe("SELLER");
  });

  it("refuses STAFF, DRIVER and unknown roles", () => {
    for (const bad of ["STAFF", "DRIVER", "ADMIN"])
      expect(refusalOf(() => parseSelfServiceRole(bad))).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "role",
      });
  });
});

describe("registerAccount", () => {
  const now = new Date("2026-01-02T03:04:05Z");
  const base = {
    id: "0b5c7a4e-5b2f-4d59-9f55-6d3d5a1c2b10",
    email: " Driver@Junggo.test",
    name: " Jung Hyunwoo ",
    role: "DRIVER",
    passwordHash: "scrypt$hash",
    now,
  };

  it("creates a normalised account and an AccountRegistered event", () => {
    const { account, events } = registerAccount(base);
    expect(account).toEqual({
      id: base.id,
      email: "driver@junggo.test",
      name: "Jung Hyunwoo",
      role: "DRIVER",
      locale: "ko",
      passwordHash: "scrypt$hash",
      createdAt: now,
    });
    expect(events).toEqual([
      {
        type: "AccountRegistered",
        payload: {
          accountId: base.id,
          email: "driver@junggo.test",
          name: "Jung Hyunwoo",
          role: "DRIVER",
          locale: "ko",
        },
      },
    ]);
  });

  it("keeps the chosen locale", () => {
    expect(registerAccount({ ...base, locale: "en" }).account.locale).toBe("en");
  });

  it("refuses an invalid email, name, locale or role", () => {
    expect(refusalOf(() => registerAccount({ ...base, email: "nope" })).field).toBe("email");
    expect(refusalOf(() => registerAccount({ ...base, name: "" })).field).toBe("name");
    expect(refusalOf(() => registerAccount({ ...base, locale: "de" })).field).toBe("locale");
    expect(refusalOf(() => registerAccount({ ...base, role: "ADMIN" })).field).toBe("role");
  });
});

describe("email privacy", () => {
  const viewer = (id: string, role: Viewer["role"]): Viewer => ({ id, role, name: "x", email: "x@y.z" });

  it("shows the email to the account itself and to staff only", () => {
    expect(canSeeEmail(viewer("a", "DRIVER"), "a")).toBe(true);
    expect(canSeeEmail(viewer("s", "STAFF"), "a")).toBe(true);
    expect(canSeeEmail(viewer("b", "BUYER"), "a")).toBe(false);
    expect(canSeeEmail(viewer("b", "DRIVER"), "a")).toBe(false);
    expect(canSeeEmail(null, "a")).toBe(false);
  });

  it("masks the local part except its first character", () => {
    expect(maskEmail("driver@junggo.test")).toBe("d•••@junggo.test");
    expect(maskEmail("k@junggo.test")).toBe("k•••@junggo.test");
    expect(maskEmail("민준@mail.kr")).toBe("민•••@mail.kr");
  });
});
