import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IDENTITY_HEADER, signForwardedIdentity } from "@junggo/runtime";
import { eventually, TestSystem, type GqlResult } from "./support/harness.ts";
import { buyWhenKnown, Q, randomVin, VehiclePicker } from "./support/junggo.ts";

// Every contract operation as every kind of caller, through the gateway. The table below is the
// authorization matrix of docs/api-reference.md; a cell that changes fails this test.
type Persona =
  | "anonymous"
  | "buyer (owner)"
  | "buyer (other)"
  | "seller"
  | "staff"
  | "driver (assigned)"
  | "driver (other)";
const PERSONAS: Persona[] = [
  "anonymous",
  "buyer (owner)",
  "buyer (other)",
  "seller",
  "staff",
  "driver (assigned)",
  "driver (other)",
];
type Outcome = "ok" | "own" | "empty" | "null" | "UNAUTHENTICATED" | "FORBIDDEN";

// ok: allowed, answered; own: allowed, only the caller's rows; empty: allowed, nothing to see;
// null: hidden (no error, nothing revealed); UNAUTHENTICATED / FORBIDDEN: refused with that code.
const EXPECTED: Record<string, Record<Persona, Outcome>> = {
  me: {
    anonymous: "UNAUTHENTICATED",
    "buyer (owner)": "ok",
    "buyer (other)": "ok",
    seller: "ok",
    staff: "ok",
    "driver (assigned)": "ok",
    "driver (other)": "ok",
  },
  vehicles: {
    anonymous: "ok",
    "buyer (owner)": "ok",
    "buyer (other)": "ok",
    seller: "ok",
    staff: "ok",
    "driver (assigned)": "ok",
    "driver (other)": "ok",
  },
  vehicle: {
    anonymous: "ok",
    "buyer (owner)": "ok",
    "buyer (other)": "ok",
    seller: "ok",
    staff: "ok",
    "driver (assigned)": "ok",
    "driver (other)": "ok",
  },
  stockSummary: {
    anonymous: "ok",
    "buyer (owner)": "ok",
    "buyer (other)": "ok",
    seller: "ok",
    staff: "ok",
    "driver (assigned)": "ok",
    "driver (other)": "ok",
  },
  purchase: {
    anonymous: "UNAUTHENTICATED",
    "buyer (owner)": "ok",
    "buyer (other)": "FORBIDDEN",
    seller: "FORBIDDEN",
    staff: "ok",
    "driver (assigned)": "ok",
    "driver (other)": "FORBIDDEN",
  },
  myPurchases: {
    anonymous: "UNAUTHENTICATED",
    "buyer (owner)": "own",
    "buyer (other)": "own",
    seller: "empty",
    staff: "ok",
    "driver (assigned)": "empty",
    "driver (other)": "empty",
  },
  consignment: {
    anonymous: "null",
    "buyer (owner)": "ok",
    "buyer (other)": "null",
    seller: "null",
    staff: "ok",
    "driver (assigned)": "ok",
    "driver (other)": "null",
  },
  openConsignments: {
    anonymous: "UNAUTHENTICATED",
    "buyer (owner)": "FORBIDDEN",
    "buyer (other)": "FORBIDDEN",
    seller: "FORBIDDEN",
    staff: "ok",
    "driver (assigned)": "ok",
    "driver (other)": "ok",
  },
  myDashboard: {
    anonymous: "UNAUTHENTICATED",
    "buyer (owner)": "own",
    "buyer (other)": "own",
    seller: "empty",
    staff: "ok",
    "driver (assigned)": "empty",
    "driver (other)": "empty",
  },
  purchaseView: {
    anonymous: "UNAUTHENTICATED",
    "buyer (owner)": "ok",
    "buyer (other)": "FORBIDDEN",
    seller: "FORBIDDEN",
    staff: "ok",
    "driver (assigned)": "FORBIDDEN",
    "driver (other)": "FORBIDDEN",
  },
  myNotifications: {
    anonymous: "UNAUTHENTICATED",
    "buyer (owner)": "own",
    "buyer (other)": "own",
    seller: "empty",
    staff: "empty",
    "driver (assigned)": "own",
    "driver (other)": "empty",
  },
  registerVehicle: {
    anonymous: "UNAUTHENTICATED",
    "buyer (owner)": "FORBIDDEN",
    "buyer (other)": "FORBIDDEN",
    seller: "FORBIDDEN",
    staff: "ok",
    "driver (assigned)": "FORBIDDEN",
    "driver (other)": "FORBIDDEN",
  },
  requestPurchase: {
    anonymous: "UNAUTHENTICATED",
    "buyer (owner)": "ok",
    "buyer (other)": "ok",
    seller: "FORBIDDEN",
    staff: "FORBIDDEN",
    "driver (assigned)": "FORBIDDEN",
    "driver (other)": "FORBIDDEN",
  },
  cancelPurchase: {
    anonymous: "UNAUTHENTICATED",
    "buyer (owner)": "ok",
    "buyer (other)": "FORBIDDEN",
    seller: "FORBIDDEN",
    staff: "ok",
    "driver (assigned)": "FORBIDDEN",
    "driver (other)": "FORBIDDEN",
  },
  acceptConsignment: {
    anonymous: "UNAUTHENTICATED",
    "buyer (owner)": "FORBIDDEN",
    "buyer (other)": "FORBIDDEN",
    seller: "FORBIDDEN",
    staff: "FORBIDDEN",
    "driver (assigned)": "ok",
    "driver (other)": "ok",
  },
  pickUpConsignment: {
    anonymous: "UNAUTHENTICATED",
    "buyer (owner)": "FORBIDDEN",
    "buyer (other)": "FORBIDDEN",
    seller: "FORBIDDEN",
    staff: "FORBIDDEN",
    "driver (assigned)": "ok",
    "driver (other)": "FORBIDDEN",
  },
  completeConsignment: {
    anonymous: "UNAUTHENTICATED",
    "buyer (owner)": "FORBIDDEN",
    "buyer (other)": "FORBIDDEN",
    seller: "FORBIDDEN",
    staff: "FORBIDDEN",
    "driver (assigned)": "ok",
    "driver (other)": "FORBIDDEN",
  },
};

let sys: TestSystem;
let cars: VehiclePicker;
const tokens = {} as Record<Persona, string | undefined>;
const ids = {} as Record<Persona, string>;

beforeAll(async () => {
  sys = await TestSystem.start();
  cars = new VehiclePicker(sys);
  const emails: Partial<Record<Persona, string>> = {
    "buyer (owner)": "buyer@junggo.test",
    "buyer (other)": "buyer2@junggo.test",
    seller: "seller@junggo.test",
    staff: "staff@junggo.test",
    "driver (assigned)": "driver@junggo.test",
    "driver (other)": "driver2@junggo.test",
  };
  for (const p of PERSONAS) {
    tokens[p] = emails[p] ? await sys.login(emails[p]!) : undefined;
    if (tokens[p]) ids[p] = (await sys.ok(Q.me, {}, tokens[p])).me.id;
  }
});
afterAll(async () => {
  await sys?.stop();
});

function classify(r: GqlResult, field: string, persona: Persona): Outcome | string {
  const code = r.errors?.[0]?.extensions?.code as string | undefined;
  if (code) return code;
  const value = r.data?.[field];
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) {
    if (value.length === 0) return "empty";
    const owners = value.map(
      (v: { buyer?: { id: string }; buyerId?: string; recipient?: string }) =>
        v.buyer?.id ?? v.buyerId ?? v.recipient,
    );
    // Rows without an owner field: the caller's own by construction for inbox-like lists.
    if (owners.every((o) => o === undefined))
      return ["myNotifications", "myDashboard"].includes(field) ? "own" : "ok";
    return owners.every((o) => o === ids[persona]) ? "own" : "ok";
  }
  return "ok";
}

/** An open delivery job, and the purchase behind it, owned by "buyer (owner)". */
async function openJob() {
  const car = await cars.next();
  const purchase = (await buyWhenKnown(sys, tokens["buyer (owner)"]!, car.id)).data.requestPurchase;
  const job = await eventually(async () => {
    const d = await sys.ok(Q.openConsignments, {}, tokens.staff);
    return (d.openConsignments as { id: string; purchaseId: string }[]).find(
      (c) => c.purchaseId === purchase.id,
    );
  }, "the delivery job");
  return { purchaseId: purchase.id as string, jobId: job.id, vehicleId: car.id };
}

describe("authorization matrix", () => {
  it("answers every operation for every caller exactly as the matrix says", async () => {
    const actual: Record<string, Record<string, string>> = {};
    const record = (op: string, p: Persona, outcome: string) => ((actual[op] ??= {})[p] = outcome);
    // Staff must see everyone's purchases for "ok" (not "own"): another buyer buys too.
    const othersPurchase = (await buyWhenKnown(sys, tokens["buyer (other)"]!, (await cars.next()).id)).data
      .requestPurchase.id as string;
    const { purchaseId, jobId, vehicleId } = await openJob();
    await sys.ok(Q.accept, { id: jobId }, tokens["driver (assigned)"]);
    await eventually(
      async () =>
        (await sys.ok(Q.purchase, { id: purchaseId }, tokens.staff)).purchase.consignment?.status ===
        "ASSIGNED",
      "assignment known",
    );
    await eventually(
      async () => (await sys.ok(Q.purchaseView, { id: purchaseId }, tokens["buyer (owner)"])).purchaseView,
      "dashboard row",
    );
    await eventually(
      async () =>
        (await sys.ok(Q.purchaseView, { id: othersPurchase }, tokens["buyer (other)"])).purchaseView,
      "the other buyer's dashboard row",
    );
    await eventually(
      async () =>
        (await sys.ok(`{ myNotifications { id } }`, {}, tokens["driver (assigned)"])).myNotifications.length >
        0,
      "driver's notification",
    );
    await eventually(
      async () =>
        (await sys.ok(`{ myNotifications { id } }`, {}, tokens["buyer (other)"])).myNotifications.length > 0,
      "other buyer's notification",
    );

    const reads: Record<string, [string, Record<string, unknown>]> = {
      me: [Q.me, {}],
      vehicles: [`{ vehicles(first: 3) { totalCount edges { node { id } } } }`, {}],
      vehicle: [Q.vehicle, { id: vehicleId }],
      stockSummary: [Q.stockSummary, {}],
      purchase: [`query ($id: ID!) { purchase(id: $id) { id status buyer { id } } }`, { id: purchaseId }],
      myPurchases: [`{ myPurchases { id buyer { id } } }`, {}],
      consignment: [`query ($id: ID!) { consignment(id: $id) { id status } }`, { id: jobId }],
      openConsignments: [Q.openConsignments, {}],
      myDashboard: [`{ myDashboard { purchaseId } }`, {}],
      purchaseView: [Q.purchaseView, { id: purchaseId }],
      myNotifications: [`{ myNotifications { id } }`, {}],
    };
    for (const [op, [query, vars]] of Object.entries(reads)) {
      for (const p of PERSONAS) {
        const r = await sys.gql(query, vars, tokens[p]);
        let outcome = classify(r, op, p);
        // Dashboard rows carry no buyer field: own rows are those of the caller's purchases.
        if (op === "myDashboard" && outcome === "own") {
          const mine = (await sys.ok(`{ myPurchases { id } }`, {}, tokens[p])).myPurchases.map(
            (x: { id: string }) => x.id,
          );
          const rows = r.data.myDashboard.map((x: { purchaseId: string }) => x.purchaseId);
          outcome = p === "staff" ? "ok" : rows.every((id: string) => mine.includes(id)) ? "own" : "ok";
        }
        record(op, p, outcome);
      }
    }

    // Mutations: refused callers first, the allowed ones on their own fresh objects.
    const vin = () => ({
      input: {
        vin: randomVin(),
        make: "Kia",
        model: "Ray",
        year: 2020,
        mileageKm: 30_000,
        priceKrw: 9_000_000,
      },
    });
    for (const p of PERSONAS)
      record(
        "registerVehicle",
        p,
        classify(await sys.gql(Q.registerVehicle, vin(), tokens[p]), "registerVehicle", p),
      );
    for (const p of PERSONAS) {
      const car = await cars.next();
      const r =
        tokens[p] && p.startsWith("buyer")
          ? await buyWhenKnown(sys, tokens[p]!, car.id)
          : await sys.gql(Q.requestPurchase, { vehicleId: car.id }, tokens[p]);
      record("requestPurchase", p, classify(r, "requestPurchase", p));
    }
    const owned = await openJob();
    const forStaff = await openJob();
    for (const p of PERSONAS) {
      const target = p === "staff" ? forStaff.purchaseId : owned.purchaseId;
      record(
        "cancelPurchase",
        p,
        classify(await sys.gql(Q.cancelPurchase, { id: target }, tokens[p]), "cancelPurchase", p),
      );
    }
    const jobs = { "driver (assigned)": (await openJob()).jobId, "driver (other)": (await openJob()).jobId };
    for (const p of PERSONAS) {
      const id = p === "driver (other)" ? jobs["driver (other)"] : jobs["driver (assigned)"];
      const order = p === "driver (assigned)" ? "last" : "first";
      if (order === "first")
        record(
          "acceptConsignment",
          p,
          classify(await sys.gql(Q.accept, { id }, tokens[p]), "acceptConsignment", p),
        );
    }
    record(
      "acceptConsignment",
      "driver (assigned)",
      classify(
        await sys.gql(Q.accept, { id: jobs["driver (assigned)"] }, tokens["driver (assigned)"]),
        "acceptConsignment",
        "driver (assigned)",
      ),
    );
    for (const [op, q] of [
      ["pickUpConsignment", Q.pickUp],
      ["completeConsignment", Q.complete],
    ] as const) {
      for (const p of PERSONAS.filter((x) => x !== "driver (assigned)"))
        record(op, p, classify(await sys.gql(q, { id: jobId }, tokens[p]), op, p));
      record(
        op,
        "driver (assigned)",
        classify(await sys.gql(q, { id: jobId }, tokens["driver (assigned)"]), op, "driver (assigned)"),
      );
    }

    console.log(
      `authorization matrix (operation × caller):\n${Object.entries(actual)
        .map(([op, row]) => `  ${op.padEnd(20)} ${PERSONAS.map((p) => `${p}=${row[p]}`).join("  ")}`)
        .join("\n")}`,
    );
    expect(actual).toEqual(EXPECTED);
  });

  it("never leaks another buyer's purchase, payment or job through entity references (_entities)", async () => {
    const { purchaseId, jobId } = await openJob();
    const other = { id: ids["buyer (other)"], role: "BUYER" as const, name: "x", email: "x@x" };
    const owner = { id: ids["buyer (owner)"], role: "BUYER" as const, name: "x", email: "x@x" };
    // What the gateway would send for someone else's purchase reference, signed as the gateway does.
    const entities = async (
      service: string,
      rep: Record<string, string>,
      selection: string,
      viewer: typeof owner,
    ) => {
      const res = await fetch(`http://127.0.0.1:${sys.stack.ports.get(service as never)}/graphql`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [IDENTITY_HEADER]: await signForwardedIdentity(
            viewer,
            process.env.INTERNAL_SECRET ?? "dev-only-internal-secret-change-me",
          ),
        },
        body: JSON.stringify({
          query: `query ($r: [_Any!]!) { _entities(representations: $r) { ${selection} } }`,
          variables: { r: [rep] },
        }),
      });
      return ((await res.json()) as { data: { _entities: unknown[] } }).data._entities[0];
    };
    await eventually(
      async () =>
        entities(
          "billing",
          { __typename: "Purchase", id: purchaseId },
          "... on Purchase { payment { id } }",
          owner,
        ).then((e) => (e as { payment: unknown }).payment),
      "payment visible to its owner",
    );
    expect(
      await entities(
        "purchase",
        { __typename: "Purchase", id: purchaseId },
        "... on Purchase { id status }",
        other,
      ),
    ).toBeNull();
    expect(
      await entities(
        "purchase",
        { __typename: "Purchase", id: purchaseId },
        "... on Purchase { id status }",
        owner,
      ),
    ).toMatchObject({ id: purchaseId });
    expect(
      await entities(
        "billing",
        { __typename: "Purchase", id: purchaseId },
        "... on Purchase { payment { id status } }",
        other,
      ),
    ).toEqual({ payment: null });
    expect(
      await entities("consignment", { __typename: "Consignment", id: jobId }, "... on Consignment { id }", {
        ...other,
      }),
    ).toBeNull();
    expect(
      await entities(
        "consignment",
        { __typename: "Purchase", id: purchaseId },
        "... on Purchase { consignment { id } }",
        other,
      ),
    ).toEqual({ consignment: null });
  });

  it("refuses requests straight to a subgraph: no identity, a forged one, an expired one", async () => {
    const url = `http://127.0.0.1:${sys.stack.ports.get("purchase")}/graphql`;
    const ask = (headers: Record<string, string>) =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ query: "{ myPurchases { id } }" }),
      });
    const staff = { id: ids.staff, role: "STAFF" as const, name: "x", email: "x@x" };
    const expired = await signForwardedIdentity(
      staff,
      process.env.INTERNAL_SECRET ?? "dev-only-internal-secret-change-me",
      1,
    );
    await new Promise((r) => setTimeout(r, 2100));
    const attempts: Record<string, string>[] = [
      {},
      { [IDENTITY_HEADER]: await signForwardedIdentity(staff, "a-guessed-secret") },
      { [IDENTITY_HEADER]: expired },
      { [IDENTITY_HEADER]: "staff" },
    ];
    for (const headers of attempts) {
      const r = await ask(headers);
      expect(r.status).toBe(401);
      expect(
        ((await r.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code,
      ).toBe("UNAUTHENTICATED");
    }
    const valid = await ask({
      [IDENTITY_HEADER]: await signForwardedIdentity(
        staff,
        process.env.INTERNAL_SECRET ?? "dev-only-internal-secret-change-me",
      ),
    });
    expect(valid.status).toBe(200);
  });
});
