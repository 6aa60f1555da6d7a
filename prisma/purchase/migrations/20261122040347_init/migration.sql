-- CreateEnum
CREATE TYPE "PurchaseStatus" AS ENUM ('PAID', 'DELIVERING', 'DELIVERED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "VehicleAvailability" AS ENUM ('AVAILABLE', 'RESERVED', 'SOLD');

-- CreateTable
CREATE TABLE "Purchase" (
    "id" UUID NOT NULL,
    "vehicleId" UUID NOT NULL,
    "buyerId" UUID NOT NULL,
    "buyerName" TEXT NOT NULL,
    "status" "PurchaseStatus" NOT NULL,
    "priceKrw" INTEGER NOT NULL,
    "paymentId" UUID NOT NULL,
    "vehicleMake" TEXT NOT NULL,
    "vehicleModel" TEXT NOT NULL,
    "vehicleYear" INTEGER NOT NULL,
    "driverId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deliveryStartedAt" TIMESTAMP(3),
    "deliveredAt" TIMESTAMP(3),
    "cancelledAt" TIMESTAMP(3),
    "cancelReason" TEXT,

    CONSTRAINT "Purchase_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VehicleHold" (
    "vehicleId" UUID NOT NULL,
    "purchaseId" UUID NOT NULL,
    "buyerId" UUID NOT NULL,
    "expiresAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "VehicleHold_pkey" PRIMARY KEY ("vehicleId")
);

-- CreateTable
CREATE TABLE "VehicleProjection" (
    "id" UUID NOT NULL,
    "make" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "priceKrw" INTEGER NOT NULL,
    "status" "VehicleAvailability" NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "VehicleProjection_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Purchase_buyerId_createdAt_idx" ON "Purchase"("buyerId", "createdAt");

-- CreateIndex
CREATE INDEX "Purchase_vehicleId_idx" ON "Purchase"("vehicleId");

-- CreateIndex
CREATE UNIQUE INDEX "VehicleHold_purchaseId_key" ON "VehicleHold"("purchaseId");

-- CreateIndex
CREATE INDEX "VehicleHold_expiresAt_idx" ON "VehicleHold"("expiresAt");
