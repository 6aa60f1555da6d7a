import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AckPolicy, connect, DeliverPolicy, nanos, type NatsConnection } from "nats";
import { EVENT_STREAM } from "@junggo/events";
import { freePort, ManagedProcess, natsServerBinary } from "@junggo/devstack";
import { ensureStream, NATS_USERS, natsInboxPrefix, natsPasswordVariable } from "../src/index.ts";
import { generate } from "../../../deploy/k8s/generate.ts";

// deploy/k8s's NATS configuration with the authorization it includes (nats-auth.conf, rendered from
// nats-auth.ts), on a real nats-server (one server: the cluster block and the Kubernetes paths are
// swapped for local ones; the users and their permissions are taken as generated). Each context must
// be able to do what its runtime does (bus.ts, consumer.ts) and nothing on another context's behalf;
// the dashboard's rebuild is the administrator's.
let dir = "";
let server: ManagedProcess;
let port = 0;
const conns: NatsConnection[] = [];
const password = (c: string) => `pw-${c}`;

async function as(context: string): Promise<NatsConnection> {
  const nc = await connect({
    servers: `nats://127.0.0.1:${port}`,
    user: context,
    pass: password(context),
    // As EventBus connects: replies under the user's own inbox prefix.
    inboxPrefix: natsInboxPrefix(context),
  });
  conns.push(nc);
  return nc;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "junggo-k8s-nats-auth-"));
  port = await freePort();
  const http = await freePort();
  const files = generate();
  writeFileSync(join(dir, "nats-auth.conf"), files["nats/nats-auth.conf"]!);
  const conf = files["nats/nats.conf"]!.replace(/^server_name: .*$/m, "server_name: auth-test")
    .replace(/^port: 4222$/m, `port: ${port}\nhost: 127.0.0.1`)
    .replace(/^http_port: 8222$/m, `http_port: ${http}`)
    .replace(/^pid_file: .*$/m, `pid_file: ${join(dir, "nats.pid")}`)
    .replace(/store_dir: \/data/, `store_dir: ${join(dir, "js")}`)
    // The Debian server (2.9) predates sync_interval; the unit tests check it is there.
    .replace(/^\s*sync_interval: always\n/m, "")
    .replace(/^cluster \{[\s\S]*?\n\}\n/m, "");
  expect(conf).not.toContain("cluster {");
  const file = join(dir, "nats.conf");
  writeFileSync(file, conf);
  server = new ManagedProcess({
    name: "nats",
    command: natsServerBinary(),
    args: ["-c", file],
    env: Object.fromEntries(NATS_USERS.map((u) => [natsPasswordVariable(u), password(u)])),
    cwd: process.cwd(),
    logFile: join(dir, "nats.log"),
    healthUrl: `http://127.0.0.1:${http}/healthz?js-enabled-only=true`,
  });
  await server.start();
}, 60_000);

afterAll(async () => {
  for (const nc of conns) await nc.close().catch(() => {});
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("NATS authorization of deploy/k8s", () => {
  it("a wrong password is refused", async () => {
    await expect(
      connect({ servers: `nats://127.0.0.1:${port}`, user: "purchase", pass: "nope", reconnect: false }),
    ).rejects.toThrow(/Authorization/i);
  });

  it("each context creates the stream, publishes its own events, runs its durable consumer; not another's", async () => {
    const purchase = await as("purchase");
    // As bus.ts opens it: no $JS.API.INFO (not granted).
    const jsm = await purchase.jetstreamManager({ timeout: 2000, checkAPI: false });
    await ensureStream(jsm);
    const js = purchase.jetstream({ timeout: 2000 });
    await js.publish("purchase.purchase.paid", new TextEncoder().encode("{}"), { msgID: "e1" });
    // Another context's subject: the server refuses it, so no acknowledgement comes.
    await expect(js.publish("stock.vehicle.sold", new TextEncoder().encode("{}"))).rejects.toThrow();

    // Its own durable consumer, as consumer.ts makes and pulls it.
    await jsm.consumers.add(EVENT_STREAM, {
      durable_name: "purchase",
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(30_000),
      max_ack_pending: 1000,
    });
    await jsm.consumers.info(EVENT_STREAM, "purchase");
    const consumer = await js.consumers.get(EVENT_STREAM, "purchase");
    const batch = await consumer.fetch({ max_messages: 10, expires: 1000 });
    const seen: string[] = [];
    for await (const m of batch) {
      seen.push(m.subject);
      // Confirmed by the server: the acknowledgement subject is allowed.
      expect(await m.ackAck()).toBe(true);
    }
    expect(seen).toEqual(["purchase.purchase.paid"]);
    // Another context's durable is not purchase's to make.
    await expect(
      jsm.consumers.add(EVENT_STREAM, { durable_name: "stock", ack_policy: AckPolicy.Explicit }),
    ).rejects.toThrow();

    // A live subscription (LiveEvents) to an event of its GraphQL subscriptions: billing's refund.
    const billing = await as("billing");
    const sub = purchase.subscribe("billing.payment.refunded", { max: 1 });
    await purchase.flush();
    await billing.jetstream().publish("billing.payment.refunded", new TextEncoder().encode("{}"));
    for await (const m of sub) expect(m.subject).toBe("billing.payment.refunded");
  });

  it("the dashboard's rebuild (an ephemeral consumer over the whole stream) is the administrator's, not the dashboard's", async () => {
    const dashboard = await as("dashboard");
    const djsm = await dashboard.jetstreamManager({ timeout: 2000, checkAPI: false });
    await expect(
      djsm.consumers.add(EVENT_STREAM, { ack_policy: AckPolicy.None, inactive_threshold: nanos(60_000) }),
    ).rejects.toThrow();
    const admin = await as("admin");
    const consumer = await admin
      .jetstream()
      .consumers.get(EVENT_STREAM, { opt_start_seq: 1, inactive_threshold: 60_000 });
    const batch = await consumer.fetch({ max_messages: 10, expires: 1000 });
    const subjects: string[] = [];
    for await (const m of batch) subjects.push(m.subject);
    await consumer.delete();
    expect(subjects).toEqual(["purchase.purchase.paid", "billing.payment.refunded"]);
  });
});
