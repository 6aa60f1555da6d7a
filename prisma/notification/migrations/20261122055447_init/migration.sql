-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Locale" AS ENUM ('ko', 'en');

-- CreateEnum
CREATE TYPE "EmailStatus" AS ENUM ('PENDING', 'SENT', 'FAILED', 'SKIPPED');

-- CreateTable
CREATE TABLE "Recipient" (
    "accountId" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "locale" "Locale" NOT NULL,

    CONSTRAINT "Recipient_pkey" PRIMARY KEY ("accountId")
);

-- CreateTable
CREATE TABLE "PurchaseInfo" (
    "purchaseId" UUID NOT NULL,
    "buyerId" UUID NOT NULL,
    "vehicleName" TEXT NOT NULL,
    "priceKrw" INTEGER NOT NULL,

    CONSTRAINT "PurchaseInfo_pkey" PRIMARY KEY ("purchaseId")
);

-- CreateTable
CREATE TABLE "ConsignmentDriver" (
    "consignmentId" UUID NOT NULL,
    "driverId" UUID NOT NULL,
    "driverName" TEXT NOT NULL,

    CONSTRAINT "ConsignmentDriver_pkey" PRIMARY KEY ("consignmentId")
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" UUID NOT NULL,
    "seq" SERIAL NOT NULL,
    "recipientId" UUID NOT NULL,
    "purchaseId" UUID,
    "kind" TEXT NOT NULL,
    "locale" "Locale" NOT NULL,
    "title" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "readAt" TIMESTAMP(3),
    "sourceEventId" UUID NOT NULL,
    "emailTo" TEXT,
    "emailStatus" "EmailStatus" NOT NULL,
    "emailAttempts" INTEGER NOT NULL DEFAULT 0,
    "emailNextAttemptAt" TIMESTAMP(3),
    "emailSentAt" TIMESTAMP(3),
    "emailError" TEXT,

    CONSTRAINT "Notification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Recipient_role_idx" ON "Recipient"("role");

-- CreateIndex
CREATE UNIQUE INDEX "Notification_seq_key" ON "Notification"("seq");

-- CreateIndex
CREATE INDEX "Notification_recipientId_seq_idx" ON "Notification"("recipientId", "seq");

-- CreateIndex
CREATE INDEX "Notification_emailStatus_emailNextAttemptAt_idx" ON "Notification"("emailStatus", "emailNextAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "Notification_sourceEventId_recipientId_key" ON "Notification"("sourceEventId", "recipientId");

