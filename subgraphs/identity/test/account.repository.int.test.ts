import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase } from "@junggo/runtime/testing";
import { migrationsDir } from "@junggo/prisma";
import { PrismaClient } from "@junggo/prisma/identity";
import { AccountRepository } from "../src/adapters/account.repository.ts";
import type { Account } from "../src/domain/account.ts";

// Accounts on a real database with identity's migrations: the lookups every `_entities` request makes.
let testDb: TestDatabase;
let prisma: PrismaClient;
let repo: AccountRepository;
let queries = 0;
const accounts: Account[] = Array.from({ length: 5 }, (_, i) => ({
  id: crypto.randomUUID(),
  email: `driver-${i}@junggo.test`,
  name: `Driver ${i}`,
  role: "DRIVER",
  locale: i % 2 ? "en" : "ko",
  passwordHash: "scrypt$16384$8$1$c2FsdA==$aGFzaA==",
  createdAt: new Date(`2026-01-0${i + 1}T10:20:30.456Z`),
}));

beforeAll(async () => {
  testDb = await openTestDatabase(migrationsDir("identity"));
  prisma = new PrismaClient({ adapter: testDb.db.adapter });
  const counting = {
    query: <T>(sql: string, params?: unknown[]) => {
      queries++;
      return testDb.db.query<T>(sql, params);
    },
  };
  repo = new AccountRepository(prisma, counting);
  await prisma.$transaction(async (tx) => {
    for (const a of accounts) expect(await repo.insert(tx, a)).toBe(true);
  });
}, 60_000);

afterAll(async () => {
  await prisma?.$disconnect();
  await testDb?.close();
});

describe("AccountRepository.findById", () => {
  it("reads every field back as written (the time to the millisecond)", async () => {
    expect(await repo.findById(accounts[0]!.id)).toEqual(accounts[0]);
    expect(await repo.findById(accounts[0]!.id.toUpperCase())).toEqual(accounts[0]);
  });

  it("answers the ids asked in one tick with one query, each its own account or null", async () => {
    const before = queries;
    const unknown = crypto.randomUUID();
    const found = await Promise.all([
      ...accounts.map((a) => repo.findById(a.id)),
      repo.findById(unknown),
      repo.findById(accounts[2]!.id),
      repo.findById("not-a-uuid"),
    ]);
    expect(queries - before).toBe(1);
    expect(found).toEqual([...accounts, null, accounts[2], null]);
    // The next tick is a query of its own.
    expect(await repo.findById(accounts[1]!.id)).toEqual(accounts[1]);
    expect(queries - before).toBe(2);
  });
});
