-- AlterEnum
ALTER TYPE "ConsignmentKind" ADD VALUE 'SELLER_RETURN';

-- AlterTable
ALTER TABLE "Consignment" ADD COLUMN     "sellRequestId" UUID,
ADD COLUMN     "sellerId" UUID,
ALTER COLUMN "purchaseId" DROP NOT NULL,
ALTER COLUMN "buyerId" DROP NOT NULL;

-- CreateIndex
CREATE INDEX "Consignment_sellerId_idx" ON "Consignment"("sellerId");

-- CreateIndex
CREATE UNIQUE INDEX "Consignment_sellRequestId_kind_key" ON "Consignment"("sellRequestId", "kind");

