import type { Infra } from "@junggo/runtime";
import type { Prisma, PrismaClient } from "@junggo/prisma/billing";
import type { PaymentRepository } from "./ports.ts";

export type BillingTx = Prisma.TransactionClient;
/** The plain client or a transaction. */
export type BillingDb = PrismaClient | BillingTx;
export type BillingInfra = Infra<PrismaClient, BillingTx>;

/** What billing's use cases use of the infrastructure, and their repositories (tests provide just this). */
export type BillingDeps = Pick<BillingInfra, "prisma" | "transact" | "log"> & {
  payments: PaymentRepository<BillingDb>;
};
