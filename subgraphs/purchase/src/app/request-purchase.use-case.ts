import { appendEvents, DomainError, type AdmissionGate, type Viewer } from "@junggo/runtime";
import { newEvent } from "@junggo/events";
import { pay, type Purchase } from "../domain/purchase.ts";
import { isAbandoned, newHold, type VehicleHold } from "../domain/vehicle-hold.ts";
import { abandonedEvent } from "./abandon-expired-holds.use-case.ts";
import type { BillingPort } from "./billing.port.ts";
import type { PurchaseDeps } from "./purchase.infra.ts";
import { VehicleHeld } from "./ports.ts";

const notAvailable = () => new DomainError("VEHICLE_NOT_AVAILABLE", "This vehicle is no longer available.");
const paymentUnavailable = (retryAfterSeconds: number) =>
  new DomainError("PAYMENT_UNAVAILABLE", "Payment service is unavailable, please try again shortly.", {
    retryAfterSeconds,
  });

/**
 * A buyer buys an AVAILABLE vehicle at its listed price, paying synchronously:
 *  -. at the door, the admission gate (if any): a bounded number of purchase requests run at once,
 *     a bounded number wait a bounded time for a place, any other is answered OVERLOADED with
 *     retryAfterSeconds before anything is read, held or charged;
 *  0. refuse at once while billing is known to be unavailable (breaker open, bulkhead full);
 *  1. hold the vehicle (primary key: of two racing requests exactly one gets it; the loser is
 *     never charged);
 *  2. charge billing, outside any transaction;
 *  3. approved → the purchase, its PurchasePaid event and the confirmed hold in one transaction;
 *     declined or refused before calling billing → release the hold; unknown outcome → release
 *     the hold and announce PurchaseAbandoned so billing voids anything it took. No purchase
 *     exists after a failure.
 */
export function makeRequestPurchase(
  infra: PurchaseDeps,
  billing: BillingPort,
  opts: { holdTtlMs?: number; admission?: AdmissionGate } = {},
) {
  const { purchases, holds, vehicles } = infra;
  const admission = opts.admission;
  return function requestPurchase(buyer: Viewer, vehicleId: string): Promise<Purchase> {
    return admission ? admission.run(() => admitted(buyer, vehicleId)) : admitted(buyer, vehicleId);
  };

  async function admitted(buyer: Viewer, vehicleId: string): Promise<Purchase> {
    const vehicle = await vehicles.byId(infra.db, vehicleId);
    if (!vehicle) throw new DomainError("VEHICLE_NOT_FOUND", "There is no vehicle with this id.");
    if (vehicle.status !== "AVAILABLE") throw notAvailable();
    // While billing is known to be unavailable, answer before writing anything.
    const refused = billing.fastRefusal();
    if (refused) throw paymentUnavailable(refused.retryAfterSeconds);

    const hold = newHold({
      vehicleId,
      purchaseId: crypto.randomUUID(),
      buyerId: buyer.id,
      now: new Date(),
      ttlMs: opts.holdTtlMs,
    });
    await takeHold(hold);

    const charged = await billing.charge({
      purchaseId: hold.purchaseId,
      buyerId: buyer.id,
      amountKrw: vehicle.priceKrw,
    });
    if (charged.kind === "declined") {
      await releaseAfterFailure(hold, null);
      throw new DomainError("PAYMENT_DECLINED", "Your payment was declined. No money was taken.");
    }
    if (charged.kind === "unavailable") {
      // Refused before billing was called (breaker open, bulkhead full): nothing can have been
      // charged, so no PurchaseAbandoned (which would cost billing a write while it struggles).
      await releaseAfterFailure(hold, charged.sent ? `payment outcome unknown: ${charged.reason}` : null);
      throw paymentUnavailable(charged.retryAfterSeconds);
    }

    const created = await infra.transact(async (tx) => {
      if (!(await holds.confirm(tx, hold))) {
        // The hold expired and was swept or taken over meanwhile (this request took longer than
        // its TTL). Announcing the abandonment again is harmless and keeps billing's void certain.
        await appendEvents(tx, [abandonedEvent(hold, "hold lost before the purchase was recorded")]);
        return null;
      }
      const t = pay({ id: hold.purchaseId, vehicle, buyer, paymentId: charged.paymentId, now: new Date() });
      await purchases.insert(tx, t.purchase);
      await appendEvents(tx, [newEvent(t.event.type, t.event.payload, { producer: "purchase" })]);
      return t.purchase;
    });
    if (!created) throw notAvailable();
    infra.log.info("purchase paid", {
      purchaseId: created.id,
      vehicleId,
      buyerId: buyer.id,
      priceKrw: created.priceKrw,
    });
    return created;
  }

  /** Takes the vehicle's hold, or fails with VEHICLE_NOT_AVAILABLE. */
  async function takeHold(hold: VehicleHold): Promise<void> {
    // Usually the vehicle is free: one statement takes it. Otherwise, see whose hold is in the way.
    if (await holds.tryInsert(infra.db, hold)) return;
    try {
      await infra.transact(async (tx) => {
        const existing = await holds.byVehicle(tx, hold.vehicleId);
        if (existing) {
          // Only a request that died midway leaves an expired, unconfirmed hold behind.
          if (!isAbandoned(existing, new Date()) || !(await holds.releaseUnconfirmed(tx, existing)))
            throw new VehicleHeld(hold.vehicleId);
          await appendEvents(tx, [abandonedEvent(existing, "purchase request expired")]);
          infra.log.warn("took over an expired hold", {
            vehicleId: hold.vehicleId,
            abandonedPurchaseId: existing.purchaseId,
          });
        }
        await holds.insert(tx, hold);
      });
    } catch (err) {
      if (err instanceof VehicleHeld) throw notAvailable();
      throw err;
    }
  }

  /**
   * Gives the vehicle back after a failed payment. When the outcome is unknown (abandonReason
   * set), the same transaction announces PurchaseAbandoned. If this fails too, the hold expires and the sweeper
   * abandons it later; the buyer still gets the payment error.
   */
  async function releaseAfterFailure(hold: VehicleHold, abandonReason: string | null): Promise<void> {
    try {
      await infra.transact(async (tx) => {
        await holds.release(tx, hold);
        if (abandonReason) await appendEvents(tx, [abandonedEvent(hold, abandonReason)]);
      });
    } catch (err) {
      infra.log.error("could not release the hold after a failed payment", {
        purchaseId: hold.purchaseId,
        err: err as Error,
      });
    }
  }
}
