// The purchase phase: N buyers, each logged in as its own account, each buying distinct cars
// through the gateway, back to back, for a fixed duration. A refused purchase leaves the car
// available: it goes back to the pool. When the answer says when to retry (PAYMENT_UNAVAILABLE's
// extensions.retryAfterSeconds, a Retry-After header) the buyer waits that long, as the contract
// asks a client to.
import { performance } from "node:perf_hooks";
import { errorCode, retryAfterSeconds, type GqlClient } from "./http.ts";
import type { Paid } from "./observers.ts";
import { sleep } from "./stats.ts";

export const REQUEST_PURCHASE = `mutation ($vehicleId: ID!) { requestPurchase(input: { vehicleId: $vehicleId }) { id status priceKrw } }`;

/** Refusals after which the car stays with the buyer's pool: no purchase exists, the car is still AVAILABLE. */
const CAR_GONE = new Set(["VEHICLE_NOT_AVAILABLE", "VEHICLE_NOT_FOUND"]);

export class CarPool {
  private readonly free: string[];
  constructor(ids: readonly string[]) {
    this.free = [...ids].reverse();
  }
  take(): string | undefined {
    return this.free.pop();
  }
  giveBack(id: string): void {
    this.free.push(id);
  }
  get left(): number {
    return this.free.length;
  }
}

export interface Buyer {
  token: string;
  email: string;
}

export interface PaidPurchase extends Paid {
  buyer: number;
  vehicleId: string;
}

export interface PhaseResult {
  paid: PaidPurchase[];
  attempts: number;
  refusals: Map<string, number>;
  /** requestPurchase answer times (ms) of paid and of refused attempts. */
  paidLatencies: number[];
  refusedLatencies: number[];
  /** Seconds from the first request to the last answer. */
  elapsedSeconds: number;
  /** The cars ran out before the duration was over. */
  outOfCars: boolean;
  /** Seconds buyers spent waiting as asked by retry hints (summed over buyers). */
  retryWaitSeconds: number;
}

export async function purchasePhase(o: {
  client: GqlClient;
  buyers: Buyer[];
  cars: CarPool;
  durationSeconds: number;
  onPaid: (p: PaidPurchase) => void;
}): Promise<PhaseResult> {
  const r: PhaseResult = {
    paid: [],
    attempts: 0,
    refusals: new Map(),
    paidLatencies: [],
    refusedLatencies: [],
    elapsedSeconds: 0,
    outOfCars: false,
    retryWaitSeconds: 0,
  };
  const start = performance.now();
  const end = start + o.durationSeconds * 1000;
  const buyer = async (index: number) => {
    const { token } = o.buyers[index]!;
    while (performance.now() < end) {
      const vehicleId = o.cars.take();
      if (!vehicleId) {
        r.outOfCars = true;
        return;
      }
      r.attempts++;
      const a = await o.client.request<{ requestPurchase: { id: string; status: string } }>(
        REQUEST_PURCHASE,
        { vehicleId },
        token,
      );
      const ms = a.doneAt - a.sentAt;
      const code = errorCode(a);
      if (code === null && a.data?.requestPurchase) {
        const p = { id: a.data.requestPurchase.id, paidAt: a.doneAt, buyer: index, vehicleId };
        r.paid.push(p);
        r.paidLatencies.push(ms);
        o.onPaid(p);
        continue;
      }
      const refusal = code ?? "NO_DATA";
      r.refusals.set(refusal, (r.refusals.get(refusal) ?? 0) + 1);
      r.refusedLatencies.push(ms);
      if (!CAR_GONE.has(refusal)) o.cars.giveBack(vehicleId);
      const wait = retryAfterSeconds(a);
      if (wait !== undefined && wait > 0) {
        const ms = Math.min(wait * 1000, end - performance.now());
        r.retryWaitSeconds += Math.max(0, ms) / 1000;
        await sleep(ms);
      } else if (refusal === "NETWORK_ERROR" || refusal.startsWith("HTTP_")) {
        await sleep(100); // no hint: do not spin on a failing connection
      }
    }
  };
  await Promise.all(o.buyers.map((_, i) => buyer(i)));
  r.elapsedSeconds = (performance.now() - start) / 1000;
  return r;
}
