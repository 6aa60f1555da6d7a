import type { PrismaClient, Prisma } from "@junggo/prisma/identity";
import type { Account } from "../domain/account.ts";
import type { AccountStore } from "../app/ports.ts";

export class AccountRepository implements AccountStore<Prisma.TransactionClient> {
  constructor(private readonly prisma: PrismaClient) {}

  // findUnique calls made in the same tick are batched by Prisma into one query, which keeps
  // `_entities` lookups for many accounts at one round trip.
  findById(id: string): Promise<Account | null> {
    return this.prisma.account.findUnique({ where: { id } });
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
