import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AckPolicy, connect, DeliverPolicy, nanos, type NatsConnection } from "nats";
import { EVENT_STREAM } from "@junggo/events";
import { freePort, ManagedProcess, natsServerBinary } from "@junggo/devstack";
import { ensureStream, SUBGRAPH_NAMES } from "../src/index.ts";
import { generate, natsPasswordVar } from "../../../deploy/k8s/generate.ts";

// The authorization block of deploy/k8s's NATS configuration, on a real nats-server (one server:
// the cluster block and the Kubernetes paths are swapped for local ones; the users and their
// permissions are taken as generated). Each context must be able to do what its runtime does
// (bus.ts, consumer.ts, the dashboard's rebuild) and nothing on another context's behalf.
let dir = "";
let server: ManagedProcess;
let port = 0;
const conns: NatsConnection[] = [];
const password = (c: string) => `pw-${c}`;

async function as(context: string): Promise<NatsConnection> {
  const nc = await connect({ servers: `nats://127.0.0.1:${port}`, user: context, pass: password(context) });
  conns.push(nc);
  return nc;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "junggo-k8s-nats-auth-"));
  port = await freePort();
  const http = await freePort();
  const conf = generate()
    ["nats/nats.conf"]!.replace(/^server_name: .*$/m, "server_name: auth-test")
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
    env: Object.fromEntries(SUBGRAPH_NAMES.map((c) => [natsPasswordVar(c), password(c)])),
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
    const jsm = await purchase.jetstreamManager();
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

    // Every context's events reach it as live events.
    const stock = await as("stock");
    const sub = purchase.subscribe("stock.>", { max: 1 });
    await purchase.flush();
    await stock.jetstream().publish("stock.vehicle.sold", new TextEncoder().encode("{}"));
    for await (const m of sub) expect(m.subject).toBe("stock.vehicle.sold");
  });

  it("the dashboard reads the whole stream through an ephemeral ordered consumer (its rebuild)", async () => {
    const dashboard = await as("dashboard");
    const consumer = await dashboard
      .jetstream()
      .consumers.get(EVENT_STREAM, { opt_start_seq: 1, inactive_threshold: 60_000 });
    const batch = await consumer.fetch({ max_messages: 10, expires: 1000 });
    const subjects: string[] = [];
    for await (const m of batch) subjects.push(m.subject);
    await consumer.delete();
    expect(subjects).toEqual(["purchase.purchase.paid", "stock.vehicle.sold"]);
  });
});
