-- CreateEnum
CREATE TYPE "ConsignmentKind" AS ENUM ('DELIVERY', 'RETURN_PICKUP', 'SELLER_PICKUP');

-- CreateEnum
CREATE TYPE "ConsignmentStatus" AS ENUM ('REQUESTED', 'ASSIGNED', 'PICKED_UP', 'DELIVERED', 'CANCELLED');

-- CreateTable
CREATE TABLE "Consignment" (
    "id" UUID NOT NULL,
    "kind" "ConsignmentKind" NOT NULL,
    "purchaseId" UUID NOT NULL,
    "vehicleId" UUID NOT NULL,
    "buyerId" UUID NOT NULL,
    "status" "ConsignmentStatus" NOT NULL,
    "driverId" UUID,
    "driverName" TEXT,
    "eta" TIMESTAMP(3),
    "returnToLot" BOOLEAN NOT NULL DEFAULT false,
    "requestedAt" TIMESTAMP(3),
    "assignedAt" TIMESTAMP(3),
    "pickedUpAt" TIMESTAMP(3),
    "deliveredAt" TIMESTAMP(3),
    "cancelledAt" TIMESTAMP(3),
    "version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Consignment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Consignment_status_requestedAt_idx" ON "Consignment"("status", "requestedAt");

-- CreateIndex
CREATE INDEX "Consignment_driverId_requestedAt_idx" ON "Consignment"("driverId", "requestedAt");

-- CreateIndex
CREATE INDEX "Consignment_buyerId_idx" ON "Consignment"("buyerId");

-- CreateIndex
CREATE UNIQUE INDEX "Consignment_purchaseId_kind_key" ON "Consignment"("purchaseId", "kind");
