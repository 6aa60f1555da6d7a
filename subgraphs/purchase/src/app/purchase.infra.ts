import type { Infra } from "@junggo/runtime";
import type { Prisma, PrismaClient } from "@junggo/prisma/purchase";
import type { PurchaseRepository, VehicleHoldRepository, VehicleProjectionRepository } from "./ports.ts";

export type PurchaseTx = Prisma.TransactionClient;
/** The plain client or a transaction. */
export type PurchaseDb = PrismaClient | PurchaseTx;
export type PurchaseInfra = Infra<PrismaClient, PurchaseTx>;

export interface PurchaseRepositories {
  purchases: PurchaseRepository<PurchaseTx, PurchaseDb>;
  holds: VehicleHoldRepository<PurchaseTx, PurchaseDb>;
  vehicles: VehicleProjectionRepository<PurchaseTx, PurchaseDb>;
}

/** What purchase's use cases use of the infrastructure, and their repositories (tests provide just this). */
export type PurchaseDeps = Pick<PurchaseInfra, "prisma" | "transact" | "log"> & PurchaseRepositories;
