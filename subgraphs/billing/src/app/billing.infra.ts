import type { Infra } from "@junggo/runtime";
import type { Prisma, PrismaClient } from "@junggo/prisma/billing";

export type BillingTx = Prisma.TransactionClient;
export type BillingInfra = Infra<PrismaClient, BillingTx>;

/** What billing's use cases use of the infrastructure (tests provide just this). */
export type BillingDeps = Pick<BillingInfra, "prisma" | "transact" | "log">;
