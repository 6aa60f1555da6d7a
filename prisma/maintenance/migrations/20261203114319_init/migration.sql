-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "RepairKind" AS ENUM ('REPAIR', 'INSPECTION');

-- CreateEnum
CREATE TYPE "RepairOrderStatus" AS ENUM ('OPEN', 'COMPLETED');

-- CreateTable
CREATE TABLE "RepairOrder" (
    "id" UUID NOT NULL,
    "kind" "RepairKind" NOT NULL,
    "status" "RepairOrderStatus" NOT NULL,
    "vehicleId" UUID NOT NULL,
    "sellRequestId" UUID,
    "description" TEXT NOT NULL,
    "notes" TEXT,
    "openedBy" UUID,
    "openedAt" TIMESTAMP(3) NOT NULL,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "RepairOrder_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OpenRepair" (
    "vehicleId" UUID NOT NULL,
    "repairOrderId" UUID NOT NULL,

    CONSTRAINT "OpenRepair_pkey" PRIMARY KEY ("vehicleId")
);

-- CreateIndex
CREATE UNIQUE INDEX "RepairOrder_sellRequestId_key" ON "RepairOrder"("sellRequestId");

-- CreateIndex
CREATE INDEX "RepairOrder_status_openedAt_idx" ON "RepairOrder"("status", "openedAt");

-- CreateIndex
CREATE INDEX "RepairOrder_vehicleId_idx" ON "RepairOrder"("vehicleId");

-- CreateIndex
CREATE UNIQUE INDEX "OpenRepair_repairOrderId_key" ON "OpenRepair"("repairOrderId");

