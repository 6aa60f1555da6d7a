-- AlterTable
ALTER TABLE "Payment" ADD COLUMN     "settlementCausationId" UUID;

