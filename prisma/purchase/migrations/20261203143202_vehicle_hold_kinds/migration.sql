-- CreateEnum
CREATE TYPE "HoldKind" AS ENUM ('PURCHASE', 'REPAIR', 'INSPECTION', 'WITHDRAWAL');

-- AlterEnum
ALTER TYPE "VehicleAvailability" ADD VALUE 'WITHDRAWN';

-- AlterTable
-- Edited by hand: the holds that exist are all purchases' (kind PURCHASE, held by their purchase).
ALTER TABLE "VehicleHold" ADD COLUMN     "holderId" UUID,
ADD COLUMN     "kind" "HoldKind" NOT NULL DEFAULT 'PURCHASE',
ALTER COLUMN "purchaseId" DROP NOT NULL,
ALTER COLUMN "buyerId" DROP NOT NULL;
UPDATE "VehicleHold" SET "holderId" = "purchaseId";
ALTER TABLE "VehicleHold" ALTER COLUMN "holderId" SET NOT NULL,
ALTER COLUMN "kind" DROP DEFAULT;

-- CreateIndex
CREATE UNIQUE INDEX "VehicleHold_kind_holderId_key" ON "VehicleHold"("kind", "holderId");

