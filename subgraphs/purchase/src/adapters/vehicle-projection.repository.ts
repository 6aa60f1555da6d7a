import type { Prisma, PrismaClient } from "@junggo/prisma/purchase";
import type { ProjectedVehicle, VehicleAvailability } from "../app/ports.ts";

type Db = PrismaClient | Prisma.TransactionClient;

/** Purchase's own copy of what it needs to know about stock's vehicles (fed by stock's events). */
export const vehicleProjectionRepository = {
  byId(db: Db, id: string): Promise<ProjectedVehicle | null> {
    return db.vehicleProjection.findUnique({ where: { id }, select: { id: true, make: true, model: true, year: true, priceKrw: true, status: true } });
  },

  /** A registration creates the vehicle AVAILABLE; a repeated one refreshes its details but never its status. */
  async register(tx: Prisma.TransactionClient, v: Omit<ProjectedVehicle, "status">): Promise<void> {
    const { id, ...details } = v;
    await tx.vehicleProjection.upsert({ where: { id }, create: { ...v, status: "AVAILABLE" }, update: details });
  },

  /** False when the vehicle is unknown here. */
  async setStatus(tx: Prisma.TransactionClient, id: string, status: VehicleAvailability): Promise<boolean> {
    return (await tx.vehicleProjection.updateMany({ where: { id }, data: { status } })).count === 1;
  },
};
