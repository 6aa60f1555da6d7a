-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "VehicleCondition" AS ENUM ('EXCELLENT', 'GOOD', 'FAIR', 'POOR');

-- CreateEnum
CREATE TYPE "SellRequestStatus" AS ENUM ('PENDING', 'ACCEPTED', 'PICKED_UP', 'IN_INSPECTION', 'LISTED', 'REJECTED', 'CANCELLED');

-- CreateTable
CREATE TABLE "Quote" (
    "id" UUID NOT NULL,
    "sellerId" UUID NOT NULL,
    "vin" TEXT NOT NULL,
    "make" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "mileageKm" INTEGER NOT NULL,
    "condition" "VehicleCondition" NOT NULL,
    "offerKrw" INTEGER NOT NULL,
    "basis" TEXT NOT NULL,
    "comparableCount" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "validUntil" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Quote_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SellRequest" (
    "id" UUID NOT NULL,
    "quoteId" UUID NOT NULL,
    "sellerId" UUID NOT NULL,
    "vin" TEXT NOT NULL,
    "vehicleName" TEXT NOT NULL,
    "offerKrw" INTEGER NOT NULL,
    "status" "SellRequestStatus" NOT NULL,
    "vehicleId" UUID,
    "rejectReason" TEXT,
    "cancelReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SellRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LiveVin" (
    "vin" TEXT NOT NULL,
    "sellRequestId" UUID NOT NULL,

    CONSTRAINT "LiveVin_pkey" PRIMARY KEY ("vin")
);

-- CreateTable
CREATE TABLE "MarketCar" (
    "vehicleId" UUID NOT NULL,
    "vin" TEXT NOT NULL,
    "make" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "mileageKm" INTEGER NOT NULL,
    "priceKrw" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "listedAt" TIMESTAMP(3) NOT NULL,
    "soldAt" TIMESTAMP(3),

    CONSTRAINT "MarketCar_pkey" PRIMARY KEY ("vehicleId")
);

-- CreateIndex
CREATE INDEX "Quote_sellerId_createdAt_idx" ON "Quote"("sellerId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "SellRequest_quoteId_key" ON "SellRequest"("quoteId");

-- CreateIndex
CREATE INDEX "SellRequest_sellerId_createdAt_idx" ON "SellRequest"("sellerId", "createdAt");

-- CreateIndex
CREATE INDEX "SellRequest_status_createdAt_idx" ON "SellRequest"("status", "createdAt");

-- CreateIndex
CREATE INDEX "SellRequest_vehicleId_idx" ON "SellRequest"("vehicleId");

-- CreateIndex
CREATE UNIQUE INDEX "LiveVin_sellRequestId_key" ON "LiveVin"("sellRequestId");

-- CreateIndex
CREATE UNIQUE INDEX "MarketCar_vin_key" ON "MarketCar"("vin");

-- CreateIndex
CREATE INDEX "MarketCar_make_model_year_idx" ON "MarketCar"("make", "model", "year");

