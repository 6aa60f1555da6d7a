import { randomUUID } from "node:crypto";
import { signServiceToken, sqlReader, type ContextModule, type Infra } from "@junggo/runtime";
import type { Prisma, PrismaClient } from "@junggo/prisma/maintenance";
import { makeCompleteRepairOrder } from "../app/complete-repair-order.use-case.ts";
import { makeOpenRepairOrder } from "../app/open-repair-order.use-case.ts";
import type { MaintenanceDeps } from "../app/ports.ts";
import { makeRepairOrderQueries } from "../app/repair-order.query.ts";
import type { MaintenanceSettings } from "../maintenance.config.ts";
import { maintenanceHandlers } from "./event.handlers.ts";
import { maintenanceResolvers } from "./graphql.resolvers.ts";
import { PurchaseHoldsClient } from "./purchase-holds.client.ts";
import { repairOrderRepository } from "./repair-order.repository.ts";

/** Wires the workshop: repair orders in plain SQL, REPAIR holds at purchase (the one arbiter of who holds a car). */
export function buildMaintenanceModule(
  infra: Infra<PrismaClient, Prisma.TransactionClient>,
  settings: MaintenanceSettings,
): ContextModule<Prisma.TransactionClient> {
  const deps: MaintenanceDeps = {
    repo: repairOrderRepository,
    holds: new PurchaseHoldsClient({
      url: settings.purchaseUrl,
      timeoutMs: settings.holdsTimeoutMs,
      serviceToken: () => signServiceToken("maintenance", infra.config.internalSecret),
      log: infra.log,
    }),
    transact: infra.sqlTransact,
    reader: sqlReader(infra.db),
    clock: () => new Date(),
    newId: randomUUID,
    log: infra.log,
  };
  return {
    resolvers: maintenanceResolvers({
      open: makeOpenRepairOrder(deps),
      complete: makeCompleteRepairOrder(deps),
      queries: makeRepairOrderQueries(deps),
      byId: (id) => deps.repo.byId(deps.reader, id),
    }),
    handlers: maintenanceHandlers(deps),
    // The handlers' reads and writes are plain SQL (the repository): no Prisma client per event.
    rawHandlers: true,
  };
}
