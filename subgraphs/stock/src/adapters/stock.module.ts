import type { ContextModule, Infra } from "@junggo/runtime";
import type { PrismaClient, Prisma } from "@junggo/prisma/stock";
import { makeIncomingVehicle } from "../app/incoming-vehicle.query.ts";
import { makeRegisterVehicle } from "../app/register-vehicle.use-case.ts";
import { makeSearchVehicles } from "../app/search-vehicles.query.ts";
import { seedDemoVehicles } from "../app/seed-demo-vehicles.use-case.ts";
import { makeStockSummary } from "../app/stock-summary.query.ts";
import { makeVehicleIntake } from "../app/vehicle-intake.use-case.ts";
import { makeVehicleLifecycle } from "../app/vehicle-lifecycle.use-case.ts";
import { stockEventHandlers } from "./event.handlers.ts";
import { stockResolvers } from "./graphql.resolvers.ts";
import { intakeRepository } from "./intake.repository.ts";
import { VehicleRepository } from "./vehicle.repository.ts";

export function buildStockModule(
  infra: Infra<PrismaClient, Prisma.TransactionClient>,
): ContextModule<Prisma.TransactionClient> {
  const vehicles = new VehicleRepository(infra.prisma, infra.db);
  const register = makeRegisterVehicle({ vehicles, uow: infra });
  return {
    resolvers: stockResolvers({
      vehicles,
      incoming: makeIncomingVehicle({ intakes: intakeRepository, db: infra.prisma }),
      register,
      search: makeSearchVehicles({ vehicles }),
      summary: makeStockSummary({ vehicles }),
    }),
    handlers: stockEventHandlers(
      makeVehicleLifecycle({ vehicles }),
      makeVehicleIntake({ vehicles, intakes: intakeRepository, log: infra.log }),
      infra.log,
    ),
    // The lifecycle's reads and writes are plain SQL (vehicle.repository.ts): no Prisma client per event.
    rawHandlers: true,
    seed: async () => {
      await seedDemoVehicles({ vehicles, register, log: infra.log });
    },
  };
}
