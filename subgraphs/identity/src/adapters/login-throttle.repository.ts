import type { PrismaClient, Prisma } from "@junggo/prisma/identity";
import type { LoginThrottlePolicy, LoginThrottleState } from "../domain/login-throttle.ts";
import type { LoginThrottleStore, SpentLoginThrottleRecords, UnitOfWork } from "../app/ports.ts";

const fields = { failures: true, windowStartedAt: true, lockedUntil: true } as const;

/**
 * The throttle's records live in identity's database, not in memory, so every identity replica
 * counts the same failures.
 */
export class LoginThrottleRepository implements LoginThrottleStore, SpentLoginThrottleRecords {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly uow: UnitOfWork<Prisma.TransactionClient>,
  ) {}

  find(email: string): Promise<LoginThrottleState | null> {
    return this.prisma.loginThrottle.findUnique({ where: { email }, select: fields });
  }

  change(
    email: string,
    next: (current: LoginThrottleState | null) => LoginThrottleState,
  ): Promise<LoginThrottleState> {
    return this.uow.transact(async (tx) => {
      for (;;) {
        // The row lock makes concurrent changes of one email wait for each other (read-modify-write
        // without lost updates, on every replica). Whether a row exists must come from this same
        // locking statement: a row another transaction commits just after it would be visible to a
        // later read but not locked, and its update could be overwritten.
        const locked = await tx.$queryRaw<
          unknown[]
        >`SELECT 1 FROM "LoginThrottle" WHERE email = ${email} FOR UPDATE`;
        const current = locked.length
          ? await tx.loginThrottle.findUnique({ where: { email }, select: fields })
          : null;
        const state = next(current);
        if (state === current) return state; // unchanged: nothing to write
        if (current) {
          await tx.loginThrottle.update({ where: { email }, data: state });
          return state;
        }
        // No row to lock yet. ON CONFLICT DO NOTHING: if a concurrent first failure created it
        // meanwhile, this inserts nothing (and waits for that transaction), and the loop locks
        // the now existing row and applies `next` on top of it.
        const { count } = await tx.loginThrottle.createMany({
          data: [{ email, ...state }],
          skipDuplicates: true,
        });
        if (count === 1) return state;
      }
    });
  }

  async clear(email: string): Promise<void> {
    await this.prisma.loginThrottle.deleteMany({ where: { email } });
  }

  /** `isSpent` as one statement: a lock that has ended, or no lock and a window that is over. */
  async purgeSpent(now: Date, policy: LoginThrottlePolicy): Promise<number> {
    const windowStartedBefore = new Date(now.getTime() - policy.failureWindowSeconds * 1000);
    const { count } = await this.prisma.loginThrottle.deleteMany({
      where: {
        OR: [
          { lockedUntil: { lte: now } },
          { lockedUntil: null, windowStartedAt: { lte: windowStartedBefore } },
        ],
      },
    });
    return count;
  }

  count(): Promise<number> {
    return this.prisma.loginThrottle.count();
  }
}
