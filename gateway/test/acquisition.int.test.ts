import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, eventually, type GqlResult, TestSystem } from "./support/harness.ts";
import { Q, randomVin } from "./support/junggo.ts";
import { LiveClient, metrics, serviceUrl } from "./support/live.ts";

// The acquisition subgraph through the gateway: quotes from stock's market data, the seller's sell
// request, staff's decision, refusals with their codes, and the live status over graphql-ws.
let sys: TestSystem;
let seller: string, seller2: string, buyer: string, staff: string;
const clients: LiveClient[] = [];

const A = {
  requestQuote: `mutation ($input: QuoteInput!) { requestQuote(input: $input) {
    id offerKrw basis comparableCount validUntil vin make model year mileageKm condition createdAt } }`,
  quote: `query ($id: ID!) { quote(id: $id) { id offerKrw } }`,
  submit: `mutation ($quoteId: ID!) { submitSellRequest(quoteId: $quoteId) {
    id status quote { id offerKrw } seller { id } vehicle { id } createdAt updatedAt } }`,
  accept: `mutation ($id: ID!) { acceptSellRequest(id: $id) { id status } }`,
  reject: `mutation ($id: ID!, $reason: String!) { rejectSellRequest(id: $id, reason: $reason) { id status rejectReason } }`,
  cancel: `mutation ($id: ID!, $reason: String) { cancelSellRequest(id: $id, reason: $reason) { id status cancelReason } }`,
  mine: `{ mySellRequests { id status } }`,
  all: `query ($status: SellRequestStatus) { sellRequests(status: $status) { id status } }`,
  one: `query ($id: ID!) { sellRequest(id: $id) { id status } }`,
  live: `subscription ($id: ID) { sellRequestStatusChanged(sellRequestId: $id) {
    id status quote { offerKrw vin } seller { id } updatedAt } }`,
  signUp: `mutation ($input: SignUpInput!) { signUp(input: $input) { token account { id } } }`,
};
const car = (o: Record<string, unknown> = {}) => ({
  vin: randomVin(),
  make: "Hyundai",
  model: "Sonata",
  year: 2021,
  mileageKm: 52_000,
  condition: "GOOD",
  ...o,
});
const field = (r: GqlResult) => r.errors?.[0]?.extensions?.field;

beforeAll(async () => {
  sys = await TestSystem.start();
  seller = await sys.login("seller@junggo.test");
  buyer = await sys.login("buyer@junggo.test");
  staff = await sys.login("staff@junggo.test");
  seller2 = (
    await sys.ok(A.signUp, {
      input: {
        email: `seller-${Date.now()}@junggo.test`,
        password: "another-seller",
        name: "Choi",
        role: "SELLER",
      },
    })
  ).signUp.token;
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  await sys?.stop();
});

async function quoteAndSubmit(token = seller, input = car()) {
  const quote = (await sys.ok(A.requestQuote, { input }, token)).requestQuote;
  return { quote, request: (await sys.ok(A.submit, { quoteId: quote.id }, token)).submitSellRequest };
}

describe("acquisition through the gateway", () => {
  it("quotes from the platform's own listings (stock's events), with a basis in words", async () => {
    // The demo lot's Sonatas reach acquisition's projection through stock's events.
    const q = await eventually(async () => {
      const r = (await sys.ok(A.requestQuote, { input: car() }, seller)).requestQuote;
      return r.comparableCount > 0 ? r : null;
    }, "a quote from comparable Sonatas");
    expect(q.offerKrw).toBeGreaterThan(0);
    expect(q.offerKrw % 10_000).toBe(0);
    expect(q.basis).toMatch(/^median of \d+ comparable .*Hyundai Sonata.*dealer margin 12%$/);
    expect(new Date(q.validUntil).getTime() - new Date(q.createdAt).getTime()).toBe(7 * 86_400_000);
    expect((await sys.ok(A.quote, { id: q.id }, staff)).quote.offerKrw).toBe(q.offerKrw);
    expect((await sys.ok(A.quote, { id: q.id }, seller2)).quote).toBeNull();
    // No comparable at all: the stated fallback, never zero.
    const none = (await sys.ok(A.requestQuote, { input: car({ make: "Lada", model: "Niva" }) }, seller))
      .requestQuote;
    expect(none.comparableCount).toBe(0);
    expect(none.offerKrw).toBeGreaterThan(0);
    expect(none.basis).toContain("no comparable Lada Niva");
  });

  it("refuses other roles and wrong input with codes and the field", async () => {
    expect(errorCode(await sys.gql(A.requestQuote, { input: car() }, buyer))).toBe("FORBIDDEN");
    expect(errorCode(await sys.gql(A.requestQuote, { input: car() }))).toBe("UNAUTHENTICATED");
    for (const [bad, name] of [
      [{ vin: "SHORT" }, "vin"],
      [{ vin: "KMHE341DBMF10000I" }, "vin"],
      [{ year: 1970 }, "year"],
      [{ mileageKm: -1 }, "mileageKm"],
      [{ make: " " }, "make"],
      [{ model: "x".repeat(41) }, "model"],
    ] as const) {
      const r = await sys.gql(A.requestQuote, { input: car(bad) }, seller);
      expect(errorCode(r), JSON.stringify(bad)).toBe("BAD_USER_INPUT");
      expect(field(r), JSON.stringify(bad)).toBe(name);
    }
    const { request } = await quoteAndSubmit();
    expect(errorCode(await sys.gql(A.accept, { id: request.id }, seller))).toBe("FORBIDDEN");
    expect(errorCode(await sys.gql(A.accept, { id: request.id }, buyer))).toBe("FORBIDDEN");
    expect(errorCode(await sys.gql(A.all, {}, seller))).toBe("FORBIDDEN");
    expect(errorCode(await sys.gql(A.mine, {}, buyer))).toBe("FORBIDDEN");
    const blank = await sys.gql(A.reject, { id: request.id, reason: "  " }, staff);
    expect([errorCode(blank), field(blank)]).toEqual(["BAD_USER_INPUT", "reason"]);
    const badId = await sys.gql(A.accept, { id: "1 OR 1=1" }, staff);
    expect([errorCode(badId), field(badId)]).toEqual(["BAD_USER_INPUT", "id"]);
    // Another seller neither sees nor cancels it.
    expect((await sys.ok(A.one, { id: request.id }, seller2)).sellRequest).toBeNull();
    expect(errorCode(await sys.gql(A.cancel, { id: request.id }, seller2))).toBe("SELL_REQUEST_NOT_FOUND");
    expect(errorCode(await sys.gql(A.submit, { quoteId: request.quote.id }, seller2))).toBe(
      "QUOTE_NOT_FOUND",
    );
  });

  it("requestQuote → submitSellRequest → acceptSellRequest, pushed live; refusals of a decided request, a live VIN, a VIN in stock", async () => {
    const mine = new LiveClient(sys, seller);
    const other = new LiveClient(sys, seller2);
    const staffLive = new LiveClient(sys, staff);
    clients.push(mine, other, staffLive);
    const { quote, request } = await quoteAndSubmit();
    expect(request).toMatchObject({
      status: "PENDING",
      quote: { id: quote.id, offerKrw: quote.offerKrw },
      vehicle: null,
    });
    const mySub = mine.subscribe(A.live, { id: request.id });
    const otherSub = other.subscribe(A.live, {});
    const staffSub = staffLive.subscribe(A.live, {});
    await eventually(
      async () => (await metrics(serviceUrl(sys, "acquisition"))).junggo_live_listeners! >= 3,
      "acquisition listeners",
    );

    const accepted = (await sys.ok(A.accept, { id: request.id }, staff)).acceptSellRequest;
    expect(accepted).toEqual({ id: request.id, status: "ACCEPTED" });
    const pushed = await mySub.waitFor(
      (p) => p.data?.sellRequestStatusChanged?.status === "ACCEPTED",
      "ACCEPTED pushed to the seller",
    );
    expect(pushed.data!.sellRequestStatusChanged).toMatchObject({
      id: request.id,
      quote: { offerKrw: quote.offerKrw, vin: quote.vin },
    });
    await staffSub.waitFor(
      (p) =>
        p.data?.sellRequestStatusChanged?.id === request.id &&
        p.data.sellRequestStatusChanged.status === "ACCEPTED",
      "ACCEPTED pushed to staff",
    );

    // Decided once; the VIN is in a live request; the quote was used.
    expect(errorCode(await sys.gql(A.accept, { id: request.id }, staff))).toBe("SELL_REQUEST_NOT_PENDING");
    expect(errorCode(await sys.gql(A.reject, { id: request.id, reason: "late" }, staff))).toBe(
      "SELL_REQUEST_NOT_PENDING",
    );
    expect(errorCode(await sys.gql(A.submit, { quoteId: quote.id }, seller))).toBe("QUOTE_ALREADY_SUBMITTED");
    const again = (await sys.ok(A.requestQuote, { input: car({ vin: quote.vin }) }, seller2)).requestQuote;
    expect(errorCode(await sys.gql(A.submit, { quoteId: again.id }, seller2))).toBe("VIN_ALREADY_OFFERED");
    // A car already on our lot cannot be sold to us.
    const inStock = (await sys.ok(Q.vehicles, { filter: { status: "AVAILABLE" }, first: 1 })).vehicles
      .edges[0].node;
    const stocked = (
      await sys.ok(
        A.requestQuote,
        { input: car({ vin: inStock.vin, make: inStock.make, model: inStock.model, year: inStock.year }) },
        seller,
      )
    ).requestQuote;
    expect(errorCode(await sys.gql(A.submit, { quoteId: stocked.id }, seller))).toBe("VIN_IN_STOCK");

    // The seller cancels before pickup: CANCELLED, pushed; a final request cannot be cancelled again.
    const cancelled = (await sys.ok(A.cancel, { id: request.id, reason: "changed my mind" }, seller))
      .cancelSellRequest;
    expect(cancelled).toEqual({ id: request.id, status: "CANCELLED", cancelReason: "changed my mind" });
    await mySub.waitFor((p) => p.data?.sellRequestStatusChanged?.status === "CANCELLED", "CANCELLED pushed");
    expect(errorCode(await sys.gql(A.cancel, { id: request.id }, seller))).toBe(
      "SELL_REQUEST_NOT_CANCELLABLE",
    );
    // The other seller's subscription never saw this one.
    expect(otherSub.received.some((p) => p.data?.sellRequestStatusChanged?.id === request.id)).toBe(false);
    expect(otherSub.received.some((p) => p.errors)).toBe(false);
  });

  it("lists for staff by status and for the seller their own; rejects with the reason", async () => {
    const { request } = await quoteAndSubmit(seller2);
    const pending = (await sys.ok(A.all, { status: "PENDING" }, staff)).sellRequests as { id: string }[];
    expect(pending.map((s) => s.id)).toContain(request.id);
    const rejected = (await sys.ok(A.reject, { id: request.id, reason: "Flood damage" }, staff))
      .rejectSellRequest;
    expect(rejected).toEqual({ id: request.id, status: "REJECTED", rejectReason: "Flood damage" });
    expect(((await sys.ok(A.mine, {}, seller2)).mySellRequests as { id: string }[])[0]!.id).toBe(request.id);
    expect(
      ((await sys.ok(A.mine, {}, seller)).mySellRequests as { id: string }[]).map((s) => s.id),
    ).not.toContain(request.id);
    expect(errorCode(await sys.gql(A.all, { status: "NOPE" }, staff))).toBe("BAD_USER_INPUT");
  });

  it("answers hostile input to every acquisition operation with a named refusal, never a failure", async () => {
    const hostile = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.constantFrom(
        "' OR 1=1 --",
        "\u0000",
        "중고차",
        "NaN",
        "-1",
        "x".repeat(5_000),
        "7d0e8c2a-3b1f-4c5d-9e6f-0a1b2c3d4e5f",
      ),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
    );
    const send = async (query: string, variables: Record<string, unknown>, token: string) => {
      const res = await fetch(sys.stack.gatewayUrl, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      const text = await res.text();
      expect(res.status, text.slice(0, 300)).toBeLessThan(500);
      expect(text).not.toMatch(/INTERNAL_SERVER_ERROR|invalid input syntax|node_modules|\bat [\w.<>]+ \(/);
    };
    const before = ((await sys.ok(A.all, {}, staff)).sellRequests as unknown[]).length;
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            vin: hostile,
            make: hostile,
            model: hostile,
            year: hostile,
            mileageKm: hostile,
            condition: hostile,
          },
          { requiredKeys: [] },
        ),
        hostile,
        hostile,
        async (input, id, reason) => {
          await send(A.requestQuote, { input }, seller);
          await send(A.submit, { quoteId: id }, seller);
          await send(A.accept, { id }, staff);
          await send(A.reject, { id, reason }, staff);
          await send(A.cancel, { id, reason }, seller);
          await send(A.one, { id }, seller);
          await send(A.all, { status: reason }, staff);
        },
      ),
      { seed: 20261203, numRuns: 40 },
    );
    for (const [name, proc] of sys.stack.services) expect(proc.running, `${name} still running`).toBe(true);
    // No hostile submission created a sell request.
    expect(((await sys.ok(A.all, {}, staff)).sellRequests as unknown[]).length).toBe(before);
  });
});
