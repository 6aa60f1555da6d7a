// The seller side's operations and flow helpers, shared by the integration tests that drive it.
import { eventually, type TestSystem } from "./harness.ts";
import { Q, randomVin } from "./junggo.ts";

export const S = {
  requestQuote: `mutation ($input: QuoteInput!) { requestQuote(input: $input) { id offerKrw basis comparableCount validUntil } }`,
  submit: `mutation ($quoteId: ID!) { submitSellRequest(quoteId: $quoteId) { id status } }`,
  accept: `mutation ($id: ID!) { acceptSellRequest(id: $id) { id status } }`,
  reject: `mutation ($id: ID!, $reason: String!) { rejectSellRequest(id: $id, reason: $reason) { id status rejectReason } }`,
  cancel: `mutation ($id: ID!, $reason: String) { cancelSellRequest(id: $id, reason: $reason) { id status } }`,
  sellRequest: `query ($id: ID!) { sellRequest(id: $id) { id status createdAt quote { id offerKrw } seller { id name }
    payout { id status amountKrw } pickup { id kind status sellRequestId } vehicle { id status priceKrw } } }`,
  mySellRequests: `{ mySellRequests { id status } }`,
  sellRequests: `query ($status: SellRequestStatus) { sellRequests(status: $status) { id status } }`,
  mySales: `{ mySales { sellRequestId vehicleName offerKrw status payoutStatus pickupStatus updatedAt } }`,
  jobs: `{ openConsignments { id kind status purchaseId sellRequestId vehicleId vehicle { id make model status } } }`,
  repairOrders: `query ($open: Boolean) { repairOrders(open: $open) { id kind status description notes vehicle { id status } } }`,
  openRepair: `mutation ($vehicleId: ID!, $description: String!) { openRepairOrder(vehicleId: $vehicleId, description: $description) { id kind status vehicle { id } } }`,
  completeRepair: `mutation ($id: ID!, $notes: String) { completeRepairOrder(id: $id, notes: $notes) { id status notes completedAt } }`,
  requestReturn: `mutation ($purchaseId: ID!, $reason: String!) { requestReturn(purchaseId: $purchaseId, reason: $reason) { id status } }`,
  notifications: `{ myNotifications(first: 100) { kind title message } }`,
  live: `subscription ($id: ID) { sellRequestStatusChanged(sellRequestId: $id) { id status payout { status } } }`,
};

/** A seller's car, valid unless `over` says otherwise. */
export const sellerCar = (over: Partial<Record<string, unknown>> = {}) => ({
  vin: randomVin(),
  make: "Hyundai",
  model: "Avante",
  year: 2020,
  mileageKm: 52_000,
  condition: "GOOD",
  ...over,
});

/** The steps of the seller journey, as the seller, a driver and staff take them through the gateway. */
export class SellerSide {
  constructor(
    private readonly sys: TestSystem,
    private readonly who: { seller: string; driver: string; staff: string },
  ) {}

  async offer(token = this.who.seller, input = sellerCar()) {
    const q = (await this.sys.ok(S.requestQuote, { input }, token)).requestQuote;
    const s = (await this.sys.ok(S.submit, { quoteId: q.id }, token)).submitSellRequest;
    return { quote: q, sellRequest: s, input };
  }

  async sellRequestOf(id: string, token = this.who.seller) {
    return (await this.sys.ok(S.sellRequest, { id }, token)).sellRequest;
  }

  until(id: string, pred: (s: any) => boolean, what: string, token = this.who.seller, timeoutMs?: number) {
    return eventually(
      async () => {
        const s = await this.sellRequestOf(id, token);
        return pred(s) ? s : null;
      },
      `sell request ${id}: ${what}`,
      timeoutMs,
    );
  }

  jobFor(pred: (j: any) => boolean, what: string) {
    return eventually(
      async () => (await this.sys.ok(S.jobs, {}, this.who.driver)).openConsignments.find(pred),
      what,
    );
  }

  /** A driver takes the job from accept to delivery. */
  async drive(jobId: string) {
    await this.sys.ok(Q.accept, { id: jobId }, this.who.driver);
    await this.sys.ok(Q.pickUp, { id: jobId }, this.who.driver);
    await this.sys.ok(Q.complete, { id: jobId }, this.who.driver);
  }

  async onLot(make: string, model: string): Promise<number> {
    return (
      ((await this.sys.ok(Q.stockSummary)).stockSummary.find((l: any) => l.make === make && l.model === model)
        ?.onLot as number | undefined) ?? 0
    );
  }

  /** Accepted, picked up and delivered to the lot: IN_INSPECTION with its inspection order open. */
  async toTheLot(token = this.who.seller, input = sellerCar()) {
    const o = await this.offer(token, input);
    await this.sys.ok(S.accept, { id: o.sellRequest.id }, this.who.staff);
    const job = await this.jobFor(
      (j) => j.sellRequestId === o.sellRequest.id && j.kind === "SELLER_PICKUP",
      "pickup job",
    );
    await this.drive(job.id);
    const s = await this.until(o.sellRequest.id, (s) => s.status === "IN_INSPECTION", "IN_INSPECTION", token);
    return { ...o, vehicleId: s.vehicle.id as string };
  }

  inspectionOf(vehicleId: string) {
    return eventually(
      async () =>
        (await this.sys.ok(S.repairOrders, { open: true }, this.who.staff)).repairOrders.find(
          (r: any) => r.vehicle.id === vehicleId && r.kind === "INSPECTION",
        ),
      `an open inspection of ${vehicleId}`,
    );
  }
}
