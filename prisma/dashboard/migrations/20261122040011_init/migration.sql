-- CreateEnum
CREATE TYPE "PurchaseStatus" AS ENUM ('PAID', 'DELIVERING', 'DELIVERED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "PaymentStatus" AS ENUM ('APPROVED', 'REFUNDED', 'VOIDED');

-- CreateEnum
CREATE TYPE "ConsignmentStatus" AS ENUM ('REQUESTED', 'ASSIGNED', 'PICKED_UP', 'DELIVERED', 'CANCELLED');

-- CreateTable
CREATE TABLE "PurchaseView" (
    "purchaseId" UUID NOT NULL,
    "buyerId" UUID,
    "vehicleId" UUID,
    "vehicleName" TEXT,
    "priceKrw" INTEGER,
    "purchaseStatus" "PurchaseStatus",
    "paymentStatus" "PaymentStatus",
    "consignmentId" UUID,
    "consignmentStatus" "ConsignmentStatus",
    "driverName" TEXT,
    "eta" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "PurchaseView_pkey" PRIMARY KEY ("purchaseId")
);

-- CreateIndex
CREATE INDEX "PurchaseView_buyerId_createdAt_idx" ON "PurchaseView"("buyerId", "createdAt");

-- CreateIndex
CREATE INDEX "PurchaseView_createdAt_idx" ON "PurchaseView"("createdAt");
