-- Returns (issue 14): a delivered car may come back within the return window.
ALTER TYPE "PurchaseStatus" ADD VALUE 'RETURN_REQUESTED';
ALTER TYPE "PurchaseStatus" ADD VALUE 'RETURNED';

ALTER TABLE "Purchase" ADD COLUMN "returnRequestedAt" TIMESTAMP(3),
ADD COLUMN "returnReason" TEXT,
ADD COLUMN "returnedAt" TIMESTAMP(3);
