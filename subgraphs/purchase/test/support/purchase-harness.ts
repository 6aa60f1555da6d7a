import { PrismaClient } from "@junggo/prisma/purchase";
import { type Logger, sqlReader } from "@junggo/runtime";
import { type ConsumerHarness, consumerHarness } from "@junggo/runtime/testing";
import { purchaseHandlers } from "../../src/adapters/event.handlers.ts";
import { purchaseRepository } from "../../src/adapters/purchase.repository.ts";
import { vehicleHoldRepository } from "../../src/adapters/vehicle-hold.repository.ts";
import { vehicleProjectionRepository } from "../../src/adapters/vehicle-projection.repository.ts";
import type { PurchaseDeps, PurchaseTx } from "../../src/app/purchase.infra.ts";

export interface PurchaseHarness extends ConsumerHarness<PurchaseTx, PrismaClient> {
  /** The use cases' deps as purchase.module.ts wires them: plain SQL on the driver. */
  deps: PurchaseDeps;
}

/**
 * Purchase on a fresh test database as its module wires it: its handler map behind the consumer
 * harness and the same deps for its use cases; the Prisma client only checks outcomes (and plays
 * a dead-letter replay's transaction).
 */
export async function purchaseHarness(log: Logger): Promise<PurchaseHarness> {
  let deps: PurchaseDeps | undefined;
  const h = await consumerHarness({
    context: "purchase",
    client: (db) => new PrismaClient({ adapter: db.adapter }),
    handlers: ({ db }) => {
      deps = {
        db: sqlReader(db),
        log,
        transact: (fn) => db.transaction(fn),
        purchases: purchaseRepository,
        holds: vehicleHoldRepository,
        vehicles: vehicleProjectionRepository,
      };
      return purchaseHandlers(deps);
    },
  });
  return { ...h, deps: deps as PurchaseDeps };
}
