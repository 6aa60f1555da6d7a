// Live-status latency: a status change is committed (the mutation's response is back) → the
// subscriber has the complete federated payload. Starts its own stack on free ports (PGlite, real
// NATS, every service as its own process) and prints the figures.
//   pnpm exec tsx bench/subscription-latency.ts            # 20 purchases, 1 extra watcher
//   PURCHASES=25 WATCHERS=200 pnpm exec tsx bench/subscription-latency.ts
import { performance } from "node:perf_hooks";
import { TestSystem } from "../gateway/test/support/harness.ts";
import { buyWhenKnown, Q, VehiclePicker } from "../gateway/test/support/junggo.ts";
import { LiveClient, type Subscription } from "../gateway/test/support/live.ts";

const PURCHASES = Number(process.env.PURCHASES ?? 20);
const WATCHERS = Number(process.env.WATCHERS ?? 1);

const PURCHASE_LIVE = `subscription { purchaseStatusChanged { id status vehicle { make model } payment { status } consignment { status eta driver { name } } } }`;
const DELIVERY_LIVE = `subscription { deliveryStatusChanged { id purchaseId status eta driver { name } purchase { status } } }`;

const sys = await TestSystem.start();
const samples: Record<string, number[]> = {};
try {
  const buyer = await sys.login("buyer@junggo.test");
  const driver = await sys.login("driver@junggo.test");
  const staff = await sys.login("staff@junggo.test");
  const cars = new VehiclePicker(sys);
  const buyerLive = new LiveClient(sys, buyer);
  const purchases = buyerLive.subscribe(PURCHASE_LIVE);
  const deliveries = buyerLive.subscribe(DELIVERY_LIVE);
  // Extra staff watchers of every purchase: fan-out load on the same events.
  const watchers = Array.from({ length: Math.ceil(WATCHERS / 50) }, () => new LiveClient(sys, staff));
  const watching = Array.from({ length: WATCHERS }, (_, i) =>
    watchers[i % watchers.length]!.subscribe(PURCHASE_LIVE),
  );
  await new Promise((r) => setTimeout(r, 1500));

  const measure = async (
    label: string,
    sub: Subscription<any>,
    pred: (d: any) => boolean,
    act: () => Promise<unknown>,
  ) => {
    const sent = performance.now();
    await act();
    const committed = performance.now();
    const hit = await sub.waitFor((p) => !!p.data && pred(p.data), label, 20_000);
    const at = hit.at!;
    (samples[`${label} (commit → push)`] ??= []).push(Math.max(0, at - committed));
    (samples[`${label} (request → push)`] ??= []).push(at - sent);
  };

  for (let i = 0; i < PURCHASES; i++) {
    const car = await cars.next();
    let purchaseId = "";
    await measure(
      "purchase PAID",
      purchases,
      (d) => d.purchaseStatusChanged?.id === purchaseId && d.purchaseStatusChanged.status === "PAID",
      async () => {
        purchaseId = (await buyWhenKnown(sys, buyer, car.id)).data.requestPurchase.id;
      },
    );
    const job = await deliveries.waitFor(
      (p) => p.data?.deliveryStatusChanged?.purchaseId === purchaseId,
      "job",
    );
    const jobId = job.data.deliveryStatusChanged.id;
    await measure(
      "delivery ASSIGNED",
      deliveries,
      (d) => d.deliveryStatusChanged?.id === jobId && d.deliveryStatusChanged.status === "ASSIGNED",
      () => sys.ok(Q.accept, { id: jobId }, driver),
    );
    await measure(
      "purchase DELIVERING",
      purchases,
      (d) => d.purchaseStatusChanged?.id === purchaseId && d.purchaseStatusChanged.status === "DELIVERING",
      () => sys.ok(Q.pickUp, { id: jobId }, driver),
    );
    await measure(
      "purchase DELIVERED",
      purchases,
      (d) => d.purchaseStatusChanged?.id === purchaseId && d.purchaseStatusChanged.status === "DELIVERED",
      () => sys.ok(Q.complete, { id: jobId }, driver),
    );
  }
  const watcherEvents = watching.reduce((n, s) => n + s.received.filter((p) => p.data).length, 0);

  const pct = (xs: number[], p: number) =>
    [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
  console.log(
    `\nsubscription latency — ${PURCHASES} purchases delivered, ${WATCHERS} extra staff watcher(s) (${watcherEvents} payloads to them), node ${process.version}`,
  );
  console.log(
    "step".padEnd(40) +
      "n".padStart(5) +
      "p50 ms".padStart(10) +
      "p95 ms".padStart(10) +
      "max ms".padStart(10),
  );
  for (const [label, xs] of Object.entries(samples)) {
    console.log(
      label.padEnd(40) +
        String(xs.length).padStart(5) +
        pct(xs, 50).toFixed(1).padStart(10) +
        pct(xs, 95).toFixed(1).padStart(10) +
        Math.max(...xs)
          .toFixed(1)
          .padStart(10),
    );
  }
  await Promise.all([buyerLive, ...watchers].map((c) => c.close()));
} finally {
  await sys.stop();
}
