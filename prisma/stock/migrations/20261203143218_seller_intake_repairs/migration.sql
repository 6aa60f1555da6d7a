-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "VehicleStatus" ADD VALUE 'IN_REPAIR';
ALTER TYPE "VehicleStatus" ADD VALUE 'WITHDRAWN';

-- AlterTable
ALTER TABLE "Vehicle" ADD COLUMN     "repairOrderId" UUID,
ADD COLUMN     "sellRequestId" UUID;

-- CreateTable
CREATE TABLE "ExpectedIntake" (
    "sellRequestId" UUID NOT NULL,
    "vehicleId" UUID NOT NULL,
    "sellerId" UUID NOT NULL,
    "vin" TEXT NOT NULL,
    "make" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "mileageKm" INTEGER NOT NULL,
    "listPriceKrw" INTEGER NOT NULL,
    "acceptedAt" TIMESTAMP(3) NOT NULL,
    "registeredAt" TIMESTAMP(3),
    "cancelledAt" TIMESTAMP(3),

    CONSTRAINT "ExpectedIntake_pkey" PRIMARY KEY ("sellRequestId")
);

-- CreateIndex
CREATE UNIQUE INDEX "ExpectedIntake_vehicleId_key" ON "ExpectedIntake"("vehicleId");

-- CreateIndex
CREATE UNIQUE INDEX "Vehicle_sellRequestId_key" ON "Vehicle"("sellRequestId");

