import { describe, expect, it } from "vitest";
import { DomainError } from "@junggo/runtime";
import { refusalOfAsync } from "@junggo/runtime/testing";
import type { Account } from "../src/domain/account.ts";
import { hashPassword } from "../src/domain/password.ts";
import { makeLogIn } from "../src/app/log-in.use-case.ts";
import type { AccountReader } from "../src/app/ports.ts";
import { memoryThrottle } from "./support/memory-throttle.ts";

const DEMO_HASH = hashPassword("junggo-demo");

describe("log in: input bounds and per-email throttle", () => {
  const policy = { maxFailures: 3, failureWindowSeconds: 900, lockoutSeconds: 120 };

  async function withAccounts() {
    const rows = new Map<string, Account>();
    for (const [email, name] of [
      ["buyer@junggo.test", "Kim Minjun"],
      ["buyer2@junggo.test", "Lee Seoyeon"],
    ] as const) {
      rows.set(email, {
        id: crypto.randomUUID(),
        email,
        name,
        role: "BUYER",
        locale: "ko",
        passwordHash: await DEMO_HASH,
        createdAt: new Date(),
      });
    }
    let lookups = 0;
    const accounts: AccountReader = {
      findById: async (id) => [...rows.values()].find((a) => a.id === id) ?? null,
      findByEmail: async (email) => {
        lookups++;
        return rows.get(email) ?? null;
      },
    };
    const t = memoryThrottle();
    const clock = { now: new Date("2026-01-01T00:00:00Z") };
    // Token issuing is not what these tests are about: a stand-in that names the account.
    const issueToken = async (a: Account) => ({
      token: `token-for-${a.id}`,
      expiresAt: new Date(clock.now.getTime() + 60_000),
    });
    const logIn = makeLogIn({ accounts, issueToken, throttle: t.throttle, policy, now: () => clock.now });
    const advance = (ms: number) => {
      clock.now = new Date(clock.now.getTime() + ms);
    };
    return { logIn, ...t, advance, lookups: () => lookups };
  }
  const code = async (p: Promise<unknown>) =>
    p.then(
      () => "OK",
      (e: unknown) => (e instanceof DomainError ? e.code : `unexpected ${String(e)}`),
    );

  it("refuses out-of-bounds input with BAD_USER_INPUT before the throttle or the accounts are consulted", async () => {
    const { logIn, calls, lookups } = await withAccounts();
    const cases: [string, string, string][] = [
      ["", "junggo-demo", "email"],
      ["   ", "junggo-demo", "email"],
      [`${"a".repeat(243)}@junggo.test`, "junggo-demo", "email"], // 255 characters
      ["buyer@junggo.test", "", "password"],
      ["buyer@junggo.test", "x".repeat(201), "password"],
      ["buyer@junggo.test", "😀".repeat(201), "password"],
      ["", "", "email"], // the email is checked first
    ];
    for (const [email, password, field] of cases) {
      expect(await refusalOfAsync(() => logIn(email, password))).toMatchObject({
        code: "BAD_USER_INPUT",
        field,
      });
    }
    expect(calls).toEqual({ find: 0, change: 0, clear: 0 });
    expect(lookups()).toBe(0);
  });

  it("accepts the largest inputs (254-character email, 200 characters of password counted in code points)", async () => {
    const { logIn } = await withAccounts();
    expect(await code(logIn(`${"a".repeat(242)}@junggo.test`, "junggo-demo"))).toBe("INVALID_CREDENTIALS");
    expect(await code(logIn("buyer@junggo.test", "x".repeat(200)))).toBe("INVALID_CREDENTIALS");
    expect(await code(logIn("buyer@junggo.test", "😀".repeat(200)))).toBe("INVALID_CREDENTIALS"); // 400 UTF-16 units
    expect(await code(logIn("buyer@junggo.test", "j"))).toBe("INVALID_CREDENTIALS"); // shorter than the sign-up minimum
  });

  it("locks an email after maxFailures: the locking attempt answers INVALID_CREDENTIALS, then even the right password is LOGIN_THROTTLED", async () => {
    const { logIn, lookups, records } = await withAccounts();
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push(await code(logIn("buyer@junggo.test", `wrong-${i}`)));
    expect(codes).toEqual(["INVALID_CREDENTIALS", "INVALID_CREDENTIALS", "INVALID_CREDENTIALS"]);
    const seen = lookups();
    const refused = await logIn("buyer@junggo.test", "junggo-demo").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({
      code: "LOGIN_THROTTLED",
      details: { retryAfterSeconds: 120 },
      message: "Too many failed attempts. Try again in 2 minutes.",
    });
    expect(lookups()).toBe(seen); // refused before the account lookup and scrypt
    expect(records.get("buyer@junggo.test")?.failures).toBe(3); // and not counted
  });

  it("reports the remaining time, rounded up to whole seconds and minutes", async () => {
    const { logIn, advance } = await withAccounts();
    for (let i = 0; i < 3; i++) await code(logIn("buyer@junggo.test", "wrong"));
    advance(60_500);
    expect(
      await logIn("buyer@junggo.test", "junggo-demo").catch((e: DomainError) => [
        e.details.retryAfterSeconds,
        e.message,
      ]),
    ).toEqual([60, "Too many failed attempts. Try again in 1 minute."]);
  });

  it("throttles unknown emails exactly like known ones", async () => {
    const { logIn } = await withAccounts();
    const sequence = async (email: string, password: string) => {
      const codes = [];
      for (let i = 0; i < 5; i++) codes.push(await code(logIn(email, password)));
      return codes;
    };
    const known = await sequence("buyer@junggo.test", "wrong");
    expect(known).toEqual([
      "INVALID_CREDENTIALS",
      "INVALID_CREDENTIALS",
      "INVALID_CREDENTIALS",
      "LOGIN_THROTTLED",
      "LOGIN_THROTTLED",
    ]);
    expect(await sequence("nobody@junggo.test", "wrong")).toEqual(known);
  });

  it("keys the throttle by the normalised email, and locks only that email", async () => {
    const { logIn, records } = await withAccounts();
    for (const email of ["buyer@junggo.test", " BUYER@junggo.test", "Buyer@Junggo.Test "])
      await code(logIn(email, "wrong"));
    expect([...records.keys()]).toEqual(["buyer@junggo.test"]);
    expect(await code(logIn("buyer@junggo.test", "junggo-demo"))).toBe("LOGIN_THROTTLED");
    expect((await logIn("buyer2@junggo.test", "junggo-demo")).account.email).toBe("buyer2@junggo.test");
  });

  it("lets the right password in again once the lock has run out, and forgets the failures", async () => {
    const { logIn, advance, records } = await withAccounts();
    for (let i = 0; i < 3; i++) await code(logIn("buyer@junggo.test", "wrong"));
    advance(120_000 - 1);
    expect(await code(logIn("buyer@junggo.test", "junggo-demo"))).toBe("LOGIN_THROTTLED");
    advance(1);
    expect(await code(logIn("buyer@junggo.test", "junggo-demo"))).toBe("OK");
    expect(records.has("buyer@junggo.test")).toBe(false);
  });

  it("a successful login clears earlier failures", async () => {
    const { logIn, records } = await withAccounts();
    for (let i = 0; i < 2; i++) await code(logIn("buyer@junggo.test", "wrong"));
    expect(records.get("buyer@junggo.test")?.failures).toBe(2);
    expect(await code(logIn("buyer@junggo.test", "junggo-demo"))).toBe("OK");
    expect(records.has("buyer@junggo.test")).toBe(false);
    for (let i = 0; i < 2; i++)
      expect(await code(logIn("buyer@junggo.test", "wrong"))).toBe("INVALID_CREDENTIALS");
  });

  it("failures older than the window no longer count", async () => {
    const { logIn, advance } = await withAccounts();
    for (let i = 0; i < 2; i++) await code(logIn("buyer@junggo.test", "wrong"));
    advance(900_000);
    expect(await code(logIn("buyer@junggo.test", "wrong"))).toBe("INVALID_CREDENTIALS"); // the first of a new window
    expect(await code(logIn("buyer@junggo.test", "junggo-demo"))).toBe("OK");
  });

  it("a burst of parallel guesses gets no more than maxFailures password checks", async () => {
    const { logIn, lookups, records } = await withAccounts();
    const codes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => code(logIn("buyer@junggo.test", `guess-${i}`))),
    );
    expect(codes.filter((c) => c === "INVALID_CREDENTIALS")).toHaveLength(3);
    expect(codes.filter((c) => c === "LOGIN_THROTTLED")).toHaveLength(5);
    expect(lookups()).toBe(3);
    expect(records.get("buyer@junggo.test")?.failures).toBe(3); // refused attempts are not counted
  });
});
