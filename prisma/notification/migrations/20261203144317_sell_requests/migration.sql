-- AlterTable
ALTER TABLE "Notification" ADD COLUMN     "sellRequestId" UUID;

-- CreateTable
CREATE TABLE "SellRequestInfo" (
    "sellRequestId" UUID NOT NULL,
    "sellerId" UUID NOT NULL,
    "vehicleName" TEXT NOT NULL,
    "offerKrw" INTEGER NOT NULL,

    CONSTRAINT "SellRequestInfo_pkey" PRIMARY KEY ("sellRequestId")
);

