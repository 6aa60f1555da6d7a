import type { Infra } from "@junggo/runtime";
import type { Prisma, PrismaClient } from "@junggo/prisma/purchase";

export type PurchaseTx = Prisma.TransactionClient;
export type PurchaseInfra = Infra<PrismaClient, PurchaseTx>;
/** What purchase's use cases use of the infrastructure (tests provide just this). */
export type PurchaseDeps = Pick<PurchaseInfra, "prisma" | "transact" | "log">;
