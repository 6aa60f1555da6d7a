import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { TestSystem } from "./support/harness.ts";
import { Q } from "./support/junggo.ts";

// Random and hostile input thrown at the gateway: no 5xx, no crashed process, no internal error
// leaking, and nothing changed by a rejected request.
const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

let sys: TestSystem;
let staff: string, buyer: string, driver: string, seller: string;
let tried = 0;
const statuses = new Map<number, number>();

beforeAll(async () => {
  sys = await TestSystem.start();
  staff = await sys.login("staff@junggo.test");
  buyer = await sys.login("buyer@junggo.test");
  driver = await sys.login("driver@junggo.test");
  seller = await sys.login("seller@junggo.test");
});
afterAll(async () => {
  console.log(
    `fuzz: ${tried} hostile requests (seed ${SEED}); HTTP statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
  );
  await sys?.stop();
});

const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "' OR 1=1 --",
    '"; DROP TABLE "Vehicle"; --',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, on purpose
    "${7*7}",
    "<script>alert(1)</script>",
    "__proto__",
    "constructor",
    "\u0000",
    "😀🚗",
    "중고차",
    "../../etc/passwd",
    "%00",
    "NaN",
    "-1",
    "1e309",
  ),
  fc.integer({ min: 1_000, max: 300_000 }).map((n) => "x".repeat(n)),
);
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  // biome-ignore lint/correctness/noPrecisionLoss: 1e309 overflows to Infinity, on purpose
  fc.constantFrom(-1, 0, 2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER, 1e309, Number.NaN),
);
const anyValue = fc.oneof(
  hostileString,
  hostileNumber,
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

/** Sends one request (raw body allowed) and checks the process-level promises. */
async function send(body: unknown, token?: string, raw = false) {
  tried++;
  const res = await fetch(sys.stack.gatewayUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: raw ? String(body) : JSON.stringify(body),
  });
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  const text = await res.text();
  expect(res.status, text.slice(0, 300)).toBeLessThan(500);
  expect(text).not.toMatch(
    /\bat [\w.<>]+ \(|node_modules|stacktrace|ECONNREFUSED|PrismaClient|invalid input syntax/i,
  );
  // Every refusal is a named, expected one: an unexpected failure would surface as INTERNAL_SERVER_ERROR.
  expect(text).not.toContain("INTERNAL_SERVER_ERROR");
  return text;
}

async function counts() {
  const stock = (await sys.ok(Q.stockSummary)).stockSummary as { onLot: number }[];
  const purchases = (await sys.ok(`{ myPurchases { id } }`, {}, staff)).myPurchases.length as number;
  const vehicles = (await sys.ok(`{ vehicles(first: 1) { totalCount } }`)).vehicles.totalCount as number;
  return { onLot: stock.reduce((n, l) => n + l.onLot, 0), purchases, vehicles };
}

describe("hostile input", () => {
  it("never breaks the gateway or a subgraph, and rejected requests change nothing", async () => {
    const before = await counts();
    let acceptedVehicles = 0;

    // Mutations with hostile field values and types.
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            vin: anyValue,
            make: anyValue,
            model: anyValue,
            year: anyValue,
            mileageKm: anyValue,
            priceKrw: anyValue,
            color: anyValue,
            fuel: anyValue,
          },
          { requiredKeys: [] },
        ),
        async (input) => {
          const text = await send({ query: Q.registerVehicle, variables: { input } }, staff);
          if (JSON.parse(text).data?.registerVehicle) acceptedVehicles++;
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(anyValue, anyValue, async (id, reason) => {
        await send({ query: Q.requestPurchase, variables: { vehicleId: id } }, buyer);
        await send({ query: Q.cancelPurchase, variables: { id, reason } }, buyer);
        await send({
          query: `mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`,
          variables: { e: id, p: reason },
        });
      }),
      { seed: SEED + 1, numRuns: RUNS },
    );
    // The seller side, the workshop and returns.
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            vin: anyValue,
            make: anyValue,
            model: anyValue,
            year: anyValue,
            mileageKm: anyValue,
            condition: anyValue,
          },
          { requiredKeys: [] },
        ),
        anyValue,
        anyValue,
        async (input, id, text) => {
          await send(
            {
              query: `mutation ($input: QuoteInput!) { requestQuote(input: $input) { id } }`,
              variables: { input },
            },
            seller,
          );
          await send(
            { query: `mutation ($id: ID!) { submitSellRequest(quoteId: $id) { id } }`, variables: { id } },
            seller,
          );
          await send(
            {
              query: `mutation ($id: ID!, $r: String) { cancelSellRequest(id: $id, reason: $r) { id } }`,
              variables: { id, r: text },
            },
            seller,
          );
          await send(
            {
              query: `mutation ($id: ID!, $r: String!) { rejectSellRequest(id: $id, reason: $r) { id } }`,
              variables: { id, r: text },
            },
            staff,
          );
          await send(
            {
              query: `mutation ($v: ID!, $d: String!) { openRepairOrder(vehicleId: $v, description: $d) { id } }`,
              variables: { v: id, d: text },
            },
            staff,
          );
          await send(
            {
              query: `mutation ($id: ID!, $n: String) { completeRepairOrder(id: $id, notes: $n) { id } }`,
              variables: { id, n: text },
            },
            staff,
          );
          await send(
            {
              query: `mutation ($id: ID!, $r: String!) { requestReturn(purchaseId: $id, reason: $r) { id } }`,
              variables: { id, r: text },
            },
            buyer,
          );
        },
      ),
      { seed: SEED + 4, numRuns: RUNS },
    );
    // Queries: hostile filters and paging, ids, and operation texts that are not GraphQL at all.
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            make: anyValue,
            model: anyValue,
            minYear: anyValue,
            maxYear: anyValue,
            minPriceKrw: anyValue,
            maxPriceKrw: anyValue,
            maxMileageKm: anyValue,
            status: anyValue,
          },
          { requiredKeys: [] },
        ),
        anyValue,
        anyValue,
        async (filter, first, after) => {
          await send({ query: Q.vehicles, variables: { filter, first, after } });
          await send({ query: Q.purchase, variables: { id: after } }, buyer);
        },
      ),
      { seed: SEED + 2, numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(hostileString, fc.integer({ min: 1, max: 200 }), async (junk, depth) => {
        await send(junk, undefined, true);
        await send({ query: junk });
        await send({ query: `${'{ purchase(id: "x") { '.repeat(depth)}id${" }".repeat(depth)} }` }, buyer);
        await send({
          query: `{ ${Array.from({ length: depth }, (_, i) => `a${i}: vehicles(first: 100) { totalCount }`).join(" ")} }`,
        });
      }),
      { seed: SEED + 3, numRuns: RUNS },
    );

    for (const [name, proc] of sys.stack.services) expect(proc.running, `${name} still running`).toBe(true);
    const after = await counts();
    // Only registrations that were answered with a vehicle changed the data.
    expect(after).toEqual({
      onLot: before.onLot + acceptedVehicles,
      purchases: before.purchases,
      vehicles: before.vehicles + acceptedVehicles,
    });
    expect(tried).toBeGreaterThan(RUNS * 8);
  });

  it("answers invalid input to every mutation (and paged query) with BAD_USER_INPUT naming the field", async () => {
    const before = await counts();
    const uuid = "7d0e8c2a-3b1f-4c5d-9e6f-0a1b2c3d4e5f";
    const car = {
      vin: "KNAFX4A61E5123456",
      make: "Kia",
      model: "K5",
      year: 2019,
      mileageKm: 42_000,
      priceKrw: 18_000_000,
    };
    const register = `mutation ($input: RegisterVehicleInput!) { registerVehicle(input: $input) { id } }`;
    const signUp = `mutation ($input: SignUpInput!) { signUp(input: $input) { token } }`;
    const person = {
      email: "new.person@junggo.test",
      password: "long enough pw",
      name: "New Person",
      role: "BUYER",
    };
    const cases: [string, string, Record<string, unknown>, string | undefined, string][] = [
      ["signUp email", signUp, { input: { ...person, email: "not-an-email" } }, undefined, "email"],
      ["signUp short password", signUp, { input: { ...person, password: "short" } }, undefined, "password"],
      [
        "signUp huge password",
        signUp,
        { input: { ...person, password: "p".repeat(201) } },
        undefined,
        "password",
      ],
      ["signUp empty name", signUp, { input: { ...person, name: "  " } }, undefined, "name"],
      ["signUp long name", signUp, { input: { ...person, name: "n".repeat(61) } }, undefined, "name"],
      ["signUp as STAFF", signUp, { input: { ...person, role: "STAFF" } }, undefined, "role"],
      [
        "login empty email",
        `mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`,
        { e: " ", p: "whatever" },
        undefined,
        "email",
      ],
      [
        "login huge password",
        `mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`,
        { e: "buyer@junggo.test", p: "p".repeat(201) },
        undefined,
        "password",
      ],
      [
        "requestPurchase id",
        `mutation { requestPurchase(input: { vehicleId: "car-1" }) { id } }`,
        {},
        buyer,
        "vehicleId",
      ],
      ["cancelPurchase id", `mutation { cancelPurchase(id: "1 OR 1=1") { id } }`, {}, buyer, "id"],
      [
        "cancelPurchase reason",
        `mutation ($r: String) { cancelPurchase(id: "${uuid}", reason: $r) { id } }`,
        { r: "r".repeat(501) },
        buyer,
        "reason",
      ],
      ["registerVehicle vin", register, { input: { ...car, vin: "KNA'; DROP--" } }, staff, "vin"],
      ["registerVehicle make", register, { input: { ...car, make: "" } }, staff, "make"],
      ["registerVehicle model", register, { input: { ...car, model: "m".repeat(500) } }, staff, "model"],
      ["registerVehicle year", register, { input: { ...car, year: 1800 } }, staff, "year"],
      ["registerVehicle mileage", register, { input: { ...car, mileageKm: -5 } }, staff, "mileageKm"],
      ["registerVehicle price", register, { input: { ...car, priceKrw: 0 } }, staff, "priceKrw"],
      ["acceptConsignment id", `mutation { acceptConsignment(id: "x") { id } }`, {}, driver, "id"],
      ["pickUpConsignment id", `mutation { pickUpConsignment(id: "x") { id } }`, {}, driver, "id"],
      ["completeConsignment id", `mutation { completeConsignment(id: "x") { id } }`, {}, driver, "id"],
      ["markNotificationRead id", `mutation { markNotificationRead(id: "💥") { id } }`, {}, buyer, "id"],
      ["vehicles first", `{ vehicles(first: 101) { totalCount } }`, {}, undefined, "first"],
      [
        "vehicles price range",
        `{ vehicles(filter: { minPriceKrw: 9, maxPriceKrw: 1 }) { totalCount } }`,
        {},
        undefined,
        "filter.maxPriceKrw",
      ],
      ["vehicles cursor", `{ vehicles(after: "garbage") { totalCount } }`, {}, undefined, "after"],
      ["purchaseView id", `{ purchaseView(purchaseId: "x") { purchaseId } }`, {}, buyer, "purchaseId"],
      [
        "requestQuote vin",
        `mutation ($input: QuoteInput!) { requestQuote(input: $input) { id } }`,
        {
          input: {
            vin: "KNA'; DROP--",
            make: "Kia",
            model: "K5",
            year: 2019,
            mileageKm: 1,
            condition: "GOOD",
          },
        },
        seller,
        "vin",
      ],
      [
        "requestQuote mileage",
        `mutation ($input: QuoteInput!) { requestQuote(input: $input) { id } }`,
        {
          input: {
            vin: car.vin,
            make: "Kia",
            model: "K5",
            year: 2019,
            mileageKm: 3_000_000,
            condition: "GOOD",
          },
        },
        seller,
        "mileageKm",
      ],
      ["submitSellRequest id", `mutation { submitSellRequest(quoteId: "x") { id } }`, {}, seller, "quoteId"],
      ["cancelSellRequest id", `mutation { cancelSellRequest(id: "x") { id } }`, {}, seller, "id"],
      [
        "rejectSellRequest reason",
        `mutation { rejectSellRequest(id: "${uuid}", reason: " ") { id } }`,
        {},
        staff,
        "reason",
      ],
      [
        "openRepairOrder description",
        `mutation ($d: String!) { openRepairOrder(vehicleId: "${uuid}", description: $d) { id } }`,
        { d: "d".repeat(1001) },
        staff,
        "description",
      ],
      ["completeRepairOrder id", `mutation { completeRepairOrder(id: "x") { id } }`, {}, staff, "id"],
      [
        "requestReturn reason",
        `mutation { requestReturn(purchaseId: "${uuid}", reason: "") { id } }`,
        {},
        buyer,
        "reason",
      ],
      ["myNotifications first", `{ myNotifications(first: -1) { id } }`, {}, buyer, "first"],
      ["openConsignments first", `{ openConsignments(first: 0) { id } }`, {}, driver, "first"],
      ["payments first", `{ payments(first: 201) { id } }`, {}, staff, "first"],
      ["payments cursor", `{ payments(after: "not-an-id") { id } }`, {}, staff, "after"],
      [
        "payments unknown cursor",
        `{ payments(after: "00000000-0000-4000-8000-000000000000") { id } }`,
        {},
        staff,
        "after",
      ],
    ];
    const wrong: string[] = [];
    for (const [name, query, variables, token, field] of cases) {
      const body = JSON.parse(await send({ query, variables }, token));
      const ext = body.errors?.[0]?.extensions;
      const message = body.errors?.[0]?.message as string | undefined;
      if (ext?.code !== "BAD_USER_INPUT" || ext.field !== field || !message || message.length < 10)
        wrong.push(`${name}: ${JSON.stringify(body.errors ?? body.data)}`);
    }
    expect(wrong).toEqual([]);
    expect(await counts()).toEqual(before);
  });
});
