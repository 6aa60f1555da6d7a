import { describe, expect, it } from "vitest";
import {
  generateSigningKey,
  importSigningKey,
  localKeySet,
  verifyAccessToken,
  type SqlTx,
} from "@junggo/runtime";
import { refusalOfAsync } from "@junggo/runtime/testing";
import type { Account } from "../src/domain/account.ts";
import { hashPassword } from "../src/domain/password.ts";
import { makeTokenIssuer } from "../src/app/access-token.ts";
import { makeLogIn } from "../src/app/log-in.use-case.ts";
import { makeRegisterAccount } from "../src/app/register-account.use-case.ts";
import { makeSignUp } from "../src/app/sign-up.use-case.ts";
import { seedDemoAccounts, DEMO_ACCOUNTS } from "../src/app/seed-demo-accounts.use-case.ts";
import type { AccountStore } from "../src/app/ports.ts";
import { memoryThrottle } from "./support/memory-throttle.ts";

const key = await generateSigningKey();
const KEYS = { active: key.kid, keys: [key] };
const signingKey = () => importSigningKey(KEYS);
const JWKS = localKeySet(KEYS);
const silent = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silent;
  },
};

/** In-memory accounts + a fake transaction that records the outbox inserts. */
function fakes() {
  const rows = new Map<string, Account>();
  const outbox: unknown[][] = [];
  const tx: SqlTx = {
    $executeRawUnsafe: async (_sql: string, ...values: unknown[]) => {
      outbox.push(values);
      return 1;
    },
    $queryRawUnsafe: async () => [] as never,
  };
  let beforeInsert: (() => void) | null = null;
  const accounts: AccountStore<SqlTx> = {
    findById: async (id) => [...rows.values()].find((a) => a.id === id) ?? null,
    findByEmail: async (email) => rows.get(email) ?? null,
    insert: async (_tx, account) => {
      beforeInsert?.();
      if (rows.has(account.email)) return false;
      rows.set(account.email, account);
      return true;
    },
  };
  const uow = { transact: <R>(fn: (t: SqlTx) => Promise<R>) => fn(tx) };
  return {
    rows,
    outbox,
    accounts,
    uow,
    raceBeforeInsert: (fn: () => void) => {
      beforeInsert = fn;
    },
  };
}

describe("register account / sign up", () => {
  it("stores a hashed password, never the plain one, and emits AccountRegistered", async () => {
    const f = fakes();
    const register = makeRegisterAccount(f);
    const account = await register({
      email: "New@Junggo.test",
      password: "long enough",
      name: "Han",
      role: "SELLER",
    });
    expect(account.email).toBe("new@junggo.test");
    expect(account.passwordHash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(account.passwordHash).not.toContain("long enough");
    expect(f.outbox).toHaveLength(1);
    const [, subject, type, body] = f.outbox[0] as [string, string, string, string];
    expect([subject, type]).toEqual(["identity.account.registered", "AccountRegistered"]);
    expect(JSON.parse(body)).toMatchObject({
      producer: "identity",
      payload: { accountId: account.id, email: "new@junggo.test", role: "SELLER", locale: "ko" },
    });
  });

  it("refuses a taken email (any case) with EMAIL_TAKEN and emits nothing", async () => {
    const f = fakes();
    const register = makeRegisterAccount(f);
    await register({ email: "a@junggo.test", password: "long enough", name: "A", role: "BUYER" });
    expect(
      await refusalOfAsync(() =>
        register({ email: " A@JUNGGO.test", password: "long enough", name: "B", role: "BUYER" }),
      ),
    ).toMatchObject({ code: "EMAIL_TAKEN", field: "email" });
    expect(f.outbox).toHaveLength(1);
  });

  it("maps losing an insert race to EMAIL_TAKEN", async () => {
    const f = fakes();
    const register = makeRegisterAccount(f);
    f.raceBeforeInsert(() => f.rows.set("race@junggo.test", { email: "race@junggo.test" } as Account));
    expect(
      (
        await refusalOfAsync(() =>
          register({ email: "race@junggo.test", password: "long enough", name: "A", role: "BUYER" }),
        )
      ).code,
    ).toBe("EMAIL_TAKEN");
    expect(f.outbox).toHaveLength(0);
  });

  it("validates fields before anything is stored", async () => {
    const f = fakes();
    const register = makeRegisterAccount(f);
    expect(
      (
        await refusalOfAsync(() =>
          register({ email: "bad", password: "long enough", name: "A", role: "BUYER" }),
        )
      ).field,
    ).toBe("email");
    expect(
      (await refusalOfAsync(() => register({ email: "a@b.co", password: "short", name: "A", role: "BUYER" })))
        .field,
    ).toBe("password");
    expect(
      (
        await refusalOfAsync(() =>
          register({ email: "a@b.co", password: "long enough", name: " ", role: "BUYER" }),
        )
      ).field,
    ).toBe("name");
    expect(
      (
        await refusalOfAsync(() =>
          register({ email: "a@b.co", password: "long enough", name: "A", role: "BUYER", locale: "jp" }),
        )
      ).field,
    ).toBe("locale");
    expect(f.rows.size).toBe(0);
  });

  it("signUp only lets BUYER and SELLER register themselves, and returns a valid token", async () => {
    const f = fakes();
    const signUp = makeSignUp({
      register: makeRegisterAccount(f),
      issueToken: makeTokenIssuer(signingKey, 60),
    });
    for (const role of ["STAFF", "DRIVER"]) {
      expect(
        await refusalOfAsync(() =>
          signUp({ email: "x@junggo.test", password: "long enough", name: "X", role }),
        ),
      ).toMatchObject({ code: "BAD_USER_INPUT", field: "role" });
    }
    const { account, token } = await signUp({
      email: "x@junggo.test",
      password: "long enough",
      name: "X",
      role: "BUYER",
      locale: "en",
    });
    expect(account.locale).toBe("en");
    expect(await verifyAccessToken(token, JWKS)).toEqual({
      id: account.id,
      role: "BUYER",
      name: "X",
      email: "x@junggo.test",
    });
  });
});

describe("log in", () => {
  async function withAccount() {
    const f = fakes();
    const account: Account = {
      id: crypto.randomUUID(),
      email: "buyer@junggo.test",
      name: "Kim Minjun",
      role: "BUYER",
      locale: "ko",
      passwordHash: await hashPassword("junggo-demo"),
      createdAt: new Date(),
    };
    f.rows.set(account.email, account);
    return {
      account,
      logIn: makeLogIn({
        accounts: f.accounts,
        issueToken: makeTokenIssuer(signingKey, 120),
        throttle: memoryThrottle().throttle,
      }),
    };
  }

  it("returns a token for the right password, with the email normalised", async () => {
    const { account, logIn } = await withAccount();
    const before = Date.now();
    const result = await logIn("  BUYER@junggo.test ", "junggo-demo");
    expect(result.account.id).toBe(account.id);
    expect(await verifyAccessToken(result.token, JWKS)).toEqual({
      id: account.id,
      role: "BUYER",
      name: "Kim Minjun",
      email: "buyer@junggo.test",
    });
    expect(result.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 120_000);
  });

  it("gives the same INVALID_CREDENTIALS for a wrong password and an unknown email", async () => {
    const { logIn } = await withAccount();
    const wrongPassword = await refusalOfAsync(() => logIn("buyer@junggo.test", "junggo-dem0"));
    const unknownEmail = await refusalOfAsync(() => logIn("nobody@junggo.test", "junggo-demo"));
    expect(wrongPassword).toEqual({
      code: "INVALID_CREDENTIALS",
      field: undefined,
      message: "Email or password is incorrect.",
    });
    expect(unknownEmail).toEqual(wrongPassword);
  });

  it("spends a full hash comparison on unknown emails too (no timing shortcut)", async () => {
    const { logIn } = await withAccount();
    await refusalOfAsync(() => logIn("warm@junggo.test", "x")); // first call also computes the dummy hash
    const time = async (email: string) => {
      const t = performance.now();
      await refusalOfAsync(() => logIn(email, "wrong-password"));
      return performance.now() - t;
    };
    const known = await time("buyer@junggo.test");
    const unknown = await time("nobody@junggo.test");
    expect(unknown).toBeGreaterThan(known / 3);
  });
});

describe("demo seed", () => {
  it("creates the demo accounts once; a second run creates nothing", async () => {
    const f = fakes();
    const register = makeRegisterAccount(f);
    expect(await seedDemoAccounts(register, silent)).toBe(7);
    expect(await seedDemoAccounts(register, silent)).toBe(0);
    expect([...f.rows.keys()].sort()).toEqual(DEMO_ACCOUNTS.map((a) => a.email).sort());
    expect(f.outbox).toHaveLength(DEMO_ACCOUNTS.length);
  });
});
