import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, RetentionPolicy, StorageType, type NatsConnection } from "nats";
import { EVENT_STREAM, EVENT_STREAM_SUBJECTS } from "@junggo/events";
import { freePort, natsProcess, type ManagedProcess } from "@junggo/devstack";
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
  it("adds the subjects of new contexts to an existing stream and keeps its messages", async () => {
    const jsm = await nc.jetstreamManager();
    const old = ["identity.>", "stock.>", "purchase.>", "billing.>", "consignment.>"];
    await jsm.streams.add({
      name: EVENT_STREAM,
      subjects: old,
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
    });
    await nc.jetstream().publish("identity.account.registered", new TextEncoder().encode("{}"));
    await expect(
      nc.jetstream().publish("notification.notification.created", new TextEncoder().encode("{}")),
    ).rejects.toThrow();

    await ensureStream(jsm);
    await ensureStream(jsm); // nothing left to add: no second update

    const info = await jsm.streams.info(EVENT_STREAM);
    expect([...info.config.subjects].sort()).toEqual([...EVENT_STREAM_SUBJECTS].sort());
    expect(info.state.messages).toBe(1);
    await nc.jetstream().publish("notification.notification.created", new TextEncoder().encode("{}"));
    expect((await jsm.streams.info(EVENT_STREAM)).state.messages).toBe(2);
  });
});
