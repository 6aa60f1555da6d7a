import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "@junggo/runtime";
import { openTestDatabase, type TestDatabase } from "@junggo/runtime/testing";
import { migrationsDir } from "@junggo/prisma";
import { PrismaClient, type Prisma } from "@junggo/prisma/identity";
import { LoginThrottleRepository } from "../src/adapters/login-throttle.repository.ts";
import { AccountRepository } from "../src/adapters/account.repository.ts";
import { makeLogIn } from "../src/app/log-in.use-case.ts";
import { isSpent, type LoginThrottleState } from "../src/domain/login-throttle.ts";
import { hashPassword } from "../src/domain/password.ts";

// The throttle's records on a real (embedded PGlite, or PostgreSQL in CI) database with identity's
// migrations: the counts must survive concurrency, since replicas share them.
let testDb: TestDatabase;
let prisma: PrismaClient;
let repo: LoginThrottleRepository;
const T0 = new Date("2026-01-01T00:00:00.123Z");
const plusOne = (c: LoginThrottleState | null): LoginThrottleState => ({
  failures: (c?.failures ?? 0) + 1,
  windowStartedAt: c?.windowStartedAt ?? T0,
  lockedUntil: null,
});

beforeAll(async () => {
  testDb = await openTestDatabase(migrationsDir("identity"));
  prisma = new PrismaClient({ adapter: testDb.db.adapter });
  const uow = {
    transact: <R>(fn: (tx: Prisma.TransactionClient) => Promise<R>) =>
      prisma.$transaction(fn, { timeout: 20_000, maxWait: 20_000 }),
  };
  repo = new LoginThrottleRepository(prisma, uow);
}, 60_000);

afterAll(async () => {
  await prisma?.$disconnect();
  await testDb?.close();
});

describe("LoginThrottleRepository (database)", () => {
  it("creates, reads back (dates to the millisecond), changes and clears a record", async () => {
    const email = "roundtrip@junggo.test";
    expect(await repo.find(email)).toBeNull();
    const locked = { failures: 5, windowStartedAt: T0, lockedUntil: new Date(T0.getTime() + 900_000) };
    expect(await repo.change(email, (c) => (c === null ? locked : plusOne(c)))).toEqual(locked);
    expect(await repo.find(email)).toEqual(locked);
    let seen: LoginThrottleState | null = null;
    await repo.change(email, (c) => {
      seen = c;
      return { ...c!, failures: 6 };
    });
    expect(seen).toEqual(locked); // `next` is given the stored record
    expect(await repo.find(email)).toEqual({ ...locked, failures: 6 });
    await repo.clear(email);
    expect(await repo.find(email)).toBeNull();
    await repo.clear(email); // clearing nothing is fine
  });

  it("keeps records per email", async () => {
    await repo.change("a@junggo.test", plusOne);
    await repo.change("a@junggo.test", plusOne);
    await repo.change("b@junggo.test", plusOne);
    expect((await repo.find("a@junggo.test"))?.failures).toBe(2);
    expect((await repo.find("b@junggo.test"))?.failures).toBe(1);
  });

  it("returning the current record writes nothing", async () => {
    const email = "same@junggo.test";
    await repo.change(email, plusOne);
    await prisma.$executeRaw`UPDATE "LoginThrottle" SET failures = 42 WHERE email = ${email}`;
    // `next` sees 42 and returns it as it is; a write of a stale copy would be visible as a change.
    expect((await repo.change(email, (c) => c!)).failures).toBe(42);
    expect((await repo.find(email))?.failures).toBe(42);
  });

  it("loses no failure under concurrency, including the race to create the record", async () => {
    // Several rounds on fresh emails: the creation race only shows some of the time.
    const emails = Array.from({ length: 8 }, (_, i) => `race-${i}@junggo.test`);
    for (const email of emails)
      await Promise.all(Array.from({ length: 12 }, () => repo.change(email, plusOne)));
    expect(await Promise.all(emails.map(async (e) => (await repo.find(e))?.failures))).toEqual(
      emails.map(() => 12),
    );
  });

  it("with the login use case: a parallel burst gets at most maxFailures password checks, then the lock holds", async () => {
    const accounts = new AccountRepository(prisma, testDb.db);
    const account = {
      id: crypto.randomUUID(),
      email: "burst@junggo.test",
      name: "Burst",
      role: "BUYER" as const,
      locale: "ko" as const,
      passwordHash: await hashPassword("junggo-demo"),
      createdAt: new Date(),
    };
    await prisma.$transaction((tx) => accounts.insert(tx, account));
    const logIn = makeLogIn({
      accounts,
      issueToken: async () => ({ token: "t", expiresAt: new Date() }),
      throttle: repo,
      policy: { maxFailures: 3, failureWindowSeconds: 900, lockoutSeconds: 60 },
    });
    const code = (p: Promise<unknown>) =>
      p.then(
        () => "OK",
        (e: unknown) => (e instanceof DomainError ? e.code : `unexpected ${String(e)}`),
      );
    const codes = await Promise.all(
      Array.from({ length: 6 }, (_, i) => code(logIn("burst@junggo.test", `guess-${i}`))),
    );
    expect(codes.sort()).toEqual([
      "INVALID_CREDENTIALS",
      "INVALID_CREDENTIALS",
      "INVALID_CREDENTIALS",
      "LOGIN_THROTTLED",
      "LOGIN_THROTTLED",
      "LOGIN_THROTTLED",
    ]);
    expect(await code(logIn("burst@junggo.test", "junggo-demo"))).toBe("LOGIN_THROTTLED");
    const record = await repo.find("burst@junggo.test");
    expect(record?.failures).toBe(3);
    expect(record?.lockedUntil?.getTime()).toBeGreaterThan(Date.now() + 50_000);
  }, 30_000);

  it("purges exactly the spent records (isSpent), keeping counting windows and locks in force", async () => {
    await prisma.loginThrottle.deleteMany({});
    const policy = { maxFailures: 3, failureWindowSeconds: 60, lockoutSeconds: 120 };
    const now = new Date(T0.getTime() + 3_600_000);
    const ago = (s: number) => new Date(now.getTime() - s * 1000);
    const records: Record<string, LoginThrottleState> = {
      "counting@x.test": { failures: 1, windowStartedAt: ago(59), lockedUntil: null },
      "window-over@x.test": { failures: 2, windowStartedAt: ago(60), lockedUntil: null },
      "locked@x.test": { failures: 3, windowStartedAt: ago(100), lockedUntil: new Date(now.getTime() + 1) },
      "lock-ended@x.test": { failures: 3, windowStartedAt: ago(30), lockedUntil: now },
    };
    for (const [email, state] of Object.entries(records)) await repo.change(email, () => state);
    expect(await repo.count()).toBe(4);

    expect(await repo.purgeSpent(now, policy)).toBe(2);
    const kept = (await prisma.loginThrottle.findMany({ select: { email: true } }))
      .map((r) => r.email)
      .sort();
    expect(kept).toEqual(["counting@x.test", "locked@x.test"]);
    expect(kept).toEqual(
      Object.keys(records)
        .filter((e) => !isSpent(records[e]!, now, policy))
        .sort(),
    );
    expect(await repo.count()).toBe(2);
    expect(await repo.purgeSpent(now, policy)).toBe(0);
  });
});
