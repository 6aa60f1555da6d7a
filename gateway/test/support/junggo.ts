// Operations of the public contract used by the integration tests, plus small flow helpers.
import { EVENT_STREAM } from "@junggo/events";
import { eventually, type TestSystem } from "./harness.ts";

export const Q = {
  vehicles: `query ($filter: VehicleFilter, $first: Int, $after: String) {
    vehicles(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id vin make model year mileageKm priceKrw status } } } }`,
  vehicle: `query ($id: ID!) { vehicle(id: $id) { id make model year priceKrw status } }`,
  stockSummary: `{ stockSummary { make model available onLot } }`,
  requestPurchase: `mutation ($vehicleId: ID!) { requestPurchase(input: { vehicleId: $vehicleId }) {
    id status priceKrw createdAt buyer { id name } vehicle { id make model year status } payment { id status amountKrw } } }`,
  cancelPurchase: `mutation ($id: ID!, $reason: String) { cancelPurchase(id: $id, reason: $reason) { id status } }`,
  purchase: `query ($id: ID!) { purchase(id: $id) { id status priceKrw buyer { id name } vehicle { id make model year status }
    payment { id status amountKrw } consignment { id purchaseId status eta driver { id name } } } }`,
  myPurchases: `{ myPurchases { id status vehicle { id } } }`,
  openConsignments: `{ openConsignments { id purchaseId status } }`,
  consignment: `query ($id: ID!) { consignment(id: $id) { id purchaseId status eta driver { name } purchase { id status } } }`,
  accept: `mutation ($id: ID!) { acceptConsignment(id: $id) { id status eta driver { id name } } }`,
  pickUp: `mutation ($id: ID!) { pickUpConsignment(id: $id) { id status } }`,
  complete: `mutation ($id: ID!) { completeConsignment(id: $id) { id status } }`,
  myDashboard: `{ myDashboard { purchaseId vehicleId vehicleName priceKrw purchaseStatus paymentStatus consignmentStatus driverName eta updatedAt } }`,
  purchaseView: `query ($id: ID!) { purchaseView(purchaseId: $id) { purchaseId vehicleName priceKrw purchaseStatus paymentStatus consignmentStatus driverName eta } }`,
  registerVehicle: `mutation ($input: RegisterVehicleInput!) { registerVehicle(input: $input) { id vin make model year mileageKm priceKrw status } }`,
  me: `{ me { id email name role } }`,
};

export interface VehicleNode {
  id: string;
  vin: string;
  make: string;
  model: string;
  year: number;
  mileageKm: number;
  priceKrw: number;
  status: string;
}

/** Hands out AVAILABLE seeded vehicles, one per call, so tests in a file never compete for a car by accident. */
export class VehiclePicker {
  private used = new Set<string>();
  constructor(private readonly sys: TestSystem) {}

  async next(): Promise<VehicleNode> {
    const d = await this.sys.ok(Q.vehicles, { filter: { status: "AVAILABLE" }, first: 100 });
    const v = (d.vehicles.edges as { node: VehicleNode }[])
      .map((e) => e.node)
      .find((n) => !this.used.has(n.id));
    if (!v) throw new Error("no AVAILABLE vehicle left");
    this.used.add(v.id);
    return v;
  }
}

const VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
export const randomVin = () =>
  `KNA${Array.from({ length: 14 }, () => VIN_CHARS[Math.floor(Math.random() * VIN_CHARS.length)]).join("")}`;

/** Waits until purchase's own projection knows the vehicle (stock → purchase is eventually consistent). */
export async function buyWhenKnown(sys: TestSystem, token: string, vehicleId: string) {
  return eventually(async () => {
    const r = await sys.gql(Q.requestPurchase, { vehicleId }, token);
    if (r.errors?.[0]?.extensions?.code === "VEHICLE_NOT_FOUND") return null;
    return r;
  }, `vehicle ${vehicleId} to be purchasable`);
}

export async function purchaseOf(sys: TestSystem, token: string, id: string) {
  return (await sys.ok(Q.purchase, { id }, token)).purchase;
}

/** Waits until every durable consumer has handled everything in the stream and every outbox is empty. */
export async function settled(sys: TestSystem): Promise<void> {
  const jsm = await sys.nc.jetstreamManager();
  await eventually(async () => {
    for (const [name, proc] of sys.stack.services) {
      if (name === "gateway" || !proc.running) continue;
      const ready = (await (await fetch(`http://127.0.0.1:${sys.stack.ports.get(name)}/readyz`)).json()) as {
        outboxPending?: number;
      };
      if (ready.outboxPending !== 0) return false;
    }
    const consumers = await jsm.consumers.list(EVENT_STREAM).next();
    return consumers
      .filter((c) => sys.stack.services.get(c.name as never)?.running)
      .every((c) => c.num_pending === 0 && c.num_ack_pending === 0);
  }, "the system to settle");
}
