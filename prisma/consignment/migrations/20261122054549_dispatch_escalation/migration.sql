-- AlterTable
ALTER TABLE "Consignment" ADD COLUMN     "escalatedAt" TIMESTAMP(3),
ADD COLUMN     "escalationCount" INTEGER NOT NULL DEFAULT 0;

