-- CreateEnum
CREATE TYPE "SellRequestStatus" AS ENUM ('PENDING', 'ACCEPTED', 'PICKED_UP', 'IN_INSPECTION', 'LISTED', 'REJECTED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "PayoutStatus" AS ENUM ('PAID', 'REVERSED');

-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "PurchaseStatus" ADD VALUE 'RETURN_REQUESTED';
ALTER TYPE "PurchaseStatus" ADD VALUE 'RETURNED';

-- AlterTable
ALTER TABLE "PurchaseView" ADD COLUMN     "returnConsignmentId" UUID,
ADD COLUMN     "returnPickupStatus" "ConsignmentStatus";

-- CreateTable
CREATE TABLE "SaleView" (
    "sellRequestId" UUID NOT NULL,
    "sellerId" UUID,
    "vehicleName" TEXT,
    "offerKrw" INTEGER,
    "status" "SellRequestStatus",
    "payoutStatus" "PayoutStatus",
    "pickupConsignmentId" UUID,
    "pickupStatus" "ConsignmentStatus",
    "createdAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "SaleView_pkey" PRIMARY KEY ("sellRequestId")
);

-- CreateIndex
CREATE INDEX "SaleView_sellerId_updatedAt_idx" ON "SaleView"("sellerId", "updatedAt");

