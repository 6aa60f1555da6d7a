import type { PrismaClient, Prisma } from "@junggo/prisma/identity";
import type { Account } from "../domain/account.ts";
import { type Database, rowsByIdPerTick } from "@junggo/runtime";
import type { AccountStore } from "../app/ports.ts";

const BY_IDS = `SELECT "id", "email", "name", "role", "locale", "passwordHash", "createdAt" FROM "Account" WHERE "id" = ANY($1::uuid[])`;

export class AccountRepository implements AccountStore<Prisma.TransactionClient> {
  /**
   * Plain SQL, and the ids asked for in the same tick go as one query: every `_entities` lookup
   * (a job's driver, a purchase's buyer) comes here, and the Prisma client's query compiler was
   * ~30% of identity's CPU serving them in the benchmark.
   */
  readonly findById: (id: string) => Promise<Account | null>;

  constructor(
    private readonly prisma: PrismaClient,
    db: Pick<Database, "query">,
  ) {
    this.findById = rowsByIdPerTick<Account, Account>(
      (sql, params) => db.query<Account>(sql, params),
      BY_IDS,
      (a) => a,
    );
  }

  findByEmail(email: string): Promise<Account | null> {
    return this.prisma.account.findUnique({ where: { email } });
  }

  async insert(tx: Prisma.TransactionClient, account: Account): Promise<boolean> {
    // ON CONFLICT DO NOTHING: a taken email yields 0 rows instead of an error that would abort
    // the transaction (and whose shape differs between the PGlite and pg adapters).
    const { count } = await tx.account.createMany({ data: [account], skipDuplicates: true });
    return count === 1;
  }
}
