-- CreateEnum
CREATE TYPE "PayoutStatus" AS ENUM ('PAID', 'REVERSED');

-- CreateTable
CREATE TABLE "Payout" (
    "id" UUID NOT NULL,
    "sellRequestId" UUID NOT NULL,
    "sellerId" UUID NOT NULL,
    "amountKrw" INTEGER NOT NULL,
    "status" "PayoutStatus" NOT NULL,
    "providerRef" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "paidAt" TIMESTAMP(3),
    "reversedAt" TIMESTAMP(3),

    CONSTRAINT "Payout_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Payout_sellRequestId_key" ON "Payout"("sellRequestId");

-- CreateIndex
CREATE INDEX "Payout_sellerId_idx" ON "Payout"("sellerId");

