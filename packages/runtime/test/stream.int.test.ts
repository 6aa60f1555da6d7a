import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, RetentionPolicy, StorageType, type NatsConnection } from "nats";
import {
  EVENT_STREAM,
  EVENT_STREAM_SUBJECTS,
  NOTIFICATION_STREAM,
  NOTIFICATION_STREAM_SUBJECTS,
} from "@junggo/events";
import { freePort, ManagedProcess, natsProcess, natsServerBinary } from "@junggo/devstack";
import { ensureStream } from "../src/index.ts";

// A developer's NATS data from before a context was added holds the stream with the old subjects.
let dir: string;
let nats: ManagedProcess;
let nc: NatsConnection;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "junggo-stream-"));
  const port = await freePort();
  nats = natsProcess({ port, httpPort: await freePort(), dataDir: join(dir, "nats"), logDir: dir });
  await nats.start();
  nc = await connect({ servers: `nats://127.0.0.1:${port}` });
});

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("ensureStream", () => {
  const encode = (x: unknown) => new TextEncoder().encode(JSON.stringify(x));

  it("adds the subjects of new contexts to an existing stream and keeps its messages", async () => {
    const jsm = await nc.jetstreamManager();
    const old = ["identity.>", "stock.>", "purchase.>", "billing.>", "consignment.>"];
    await jsm.streams.add({
      name: EVENT_STREAM,
      subjects: old,
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
    });
    await nc.jetstream().publish("identity.account.registered", encode({}));
    await expect(nc.jetstream().publish("maintenance.repair-order.opened", encode({}))).rejects.toThrow();

    await ensureStream(jsm);
    await ensureStream(jsm); // nothing left to add: no second update

    const info = await jsm.streams.info(EVENT_STREAM);
    expect([...info.config.subjects].sort()).toEqual([...EVENT_STREAM_SUBJECTS].sort());
    expect(info.state.messages).toBe(1);
    await nc.jetstream().publish("maintenance.repair-order.opened", encode({}));
    expect((await jsm.streams.info(EVENT_STREAM)).state.messages).toBe(2);
    await jsm.streams.delete(EVENT_STREAM);
    await jsm.streams.delete(NOTIFICATION_STREAM);
  });

  it("moves notification.> out of an older event stream into the notification stream, keeping the stored events", async () => {
    const jsm = await nc.jetstreamManager();
    // The event stream as releases before the notification stream created it.
    await jsm.streams.add({
      name: EVENT_STREAM,
      subjects: [...EVENT_STREAM_SUBJECTS, "notification.>"],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
    });
    await nc.jetstream().publish("notification.notification.created", encode({ n: 1 }));
    await nc.jetstream().publish("purchase.purchase.paid", encode({ p: 1 }));

    await ensureStream(jsm);
    await ensureStream(jsm); // nothing left to change

    const events = await jsm.streams.info(EVENT_STREAM);
    expect([...events.config.subjects].sort()).toEqual([...EVENT_STREAM_SUBJECTS].sort());
    expect(events.state.messages).toBe(2); // history stays where it was
    const notifications = await jsm.streams.info(NOTIFICATION_STREAM);
    expect(notifications.config.subjects).toEqual(NOTIFICATION_STREAM_SUBJECTS);

    const ack = await nc.jetstream().publish("notification.notification.created", encode({ n: 2 }));
    expect(ack.stream).toBe(NOTIFICATION_STREAM);
    expect((await jsm.streams.info(EVENT_STREAM)).state.messages).toBe(2);
    expect((await jsm.streams.info(NOTIFICATION_STREAM)).state.messages).toBe(1);
    // Core NATS subscribers (the live feed) still get a notification published into its stream.
    const sub = nc.subscribe("notification.notification.created", { max: 1 });
    const got = (async () => {
      for await (const m of sub) return JSON.parse(new TextDecoder().decode(m.data));
    })();
    await nc.jetstream().publish("notification.notification.created", encode({ n: 3 }));
    expect(await got).toEqual({ n: 3 });
    await jsm.streams.delete(EVENT_STREAM);
    await jsm.streams.delete(NOTIFICATION_STREAM);
  });
});

// Kubernetes runs NATS as a three-node JetStream cluster and sets NATS_STREAM_REPLICAS=3 (deploy/k8s).
describe("ensureStream on a three-node JetStream cluster", () => {
  const servers: ManagedProcess[] = [];
  let clusterDir = "";
  let cnc: NatsConnection;

  beforeAll(async () => {
    clusterDir = mkdtempSync(join(tmpdir(), "junggo-stream-cluster-"));
    const ports = await Promise.all(
      [0, 1, 2].map(async () => ({
        client: await freePort(),
        route: await freePort(),
        http: await freePort(),
      })),
    );
    const routes = ports.map((p) => `nats://127.0.0.1:${p.route}`).join(",");
    ports.forEach((p, i) => {
      servers.push(
        new ManagedProcess({
          name: `nats-${i}`,
          command: natsServerBinary(),
          args: [
            ...["-js", "-a", "127.0.0.1", "-n", `nats-${i}`, "-p", String(p.client), "-m", String(p.http)],
            ...["-sd", join(clusterDir, `n${i}`), "--cluster_name", "junggo"],
            ...["--cluster", `nats://127.0.0.1:${p.route}`, "--routes", routes],
          ],
          env: {},
          cwd: process.cwd(),
          logFile: join(clusterDir, `nats-${i}.log`),
          // Healthy with JetStream only once the cluster has a meta leader.
          healthUrl: `http://127.0.0.1:${p.http}/healthz?js-enabled-only=true`,
        }),
      );
    });
    // All three at once: none is healthy before a quorum exists.
    await Promise.all(servers.map((s) => s.start(90_000)));
    // Healthy is not yet placed: wait until the meta leader (the server whose /jsz lists the other
    // two as replicas) sees both current.
    const until = Date.now() + 60_000;
    for (;;) {
      const metas = await Promise.all(
        ports.map((p) =>
          fetch(`http://127.0.0.1:${p.http}/jsz`)
            .then((r) => r.json() as Promise<{ meta_cluster?: { replicas?: { current?: boolean }[] } }>)
            .then((j) => j.meta_cluster),
        ),
      );
      if (metas.some((m) => m?.replicas?.length === 2 && m.replicas.every((r) => r.current))) break;
      if (Date.now() > until) throw new Error(`the NATS cluster did not form: ${JSON.stringify(metas)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    cnc = await connect({ servers: ports.map((p) => `nats://127.0.0.1:${p.client}`) });
  }, 120_000);

  afterAll(async () => {
    await cnc?.close();
    await Promise.all(servers.map((s) => s.stop()));
    if (clusterDir) rmSync(clusterDir, { recursive: true, force: true });
  });

  it("creates the stream with NATS_STREAM_REPLICAS copies, scales an existing one up in place, refuses a bad value", async () => {
    // The meta leader may still be settling right after the servers report healthy.
    const jsm = await cnc.jetstreamManager({ timeout: 10_000 });
    await ensureStream(jsm, { replicas: 1 });
    expect((await jsm.streams.info(EVENT_STREAM)).config.num_replicas).toBe(1);
    await cnc.jetstream().publish("identity.account.registered", new TextEncoder().encode("{}"));

    await ensureStream(jsm, { replicas: 3 });
    const info = await jsm.streams.info(EVENT_STREAM);
    expect(info.config.num_replicas).toBe(3);
    expect(info.state.messages).toBe(1);
    expect((await jsm.streams.info(NOTIFICATION_STREAM)).config.num_replicas).toBe(3);
    // The two other servers hold copies (peers of the stream's leader).
    await expect
      .poll(async () => (await jsm.streams.info(EVENT_STREAM)).cluster?.replicas?.length ?? 0, {
        timeout: 20_000,
      })
      .toBe(2);

    await expect(ensureStream(jsm, { replicas: 0 })).rejects.toThrow(
      /NATS_STREAM_REPLICAS must be a whole number from 1 to 5, got 0/,
    );
  }, 60_000);
});
