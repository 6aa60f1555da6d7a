-- CreateEnum
CREATE TYPE "PaymentStatus" AS ENUM ('APPROVED', 'REFUND_PENDING', 'REFUNDED', 'VOID_PENDING', 'VOIDED');

-- CreateTable
CREATE TABLE "Payment" (
    "id" UUID NOT NULL,
    "purchaseId" UUID NOT NULL,
    "buyerId" UUID NOT NULL,
    "amountKrw" INTEGER NOT NULL,
    "status" "PaymentStatus" NOT NULL,
    "providerRef" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "refundedAt" TIMESTAMP(3),
    "voidedAt" TIMESTAMP(3),

    CONSTRAINT "Payment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Payment_purchaseId_key" ON "Payment"("purchaseId");

-- CreateIndex
CREATE INDEX "Payment_buyerId_idx" ON "Payment"("buyerId");

-- CreateIndex
CREATE INDEX "Payment_status_idx" ON "Payment"("status");
