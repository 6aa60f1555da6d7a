import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "nats";
import { afterAll, expect, it } from "vitest";
import {
  EVENT_STREAM,
  EVENT_STREAM_SUBJECTS,
  NOTIFICATION_STREAM,
  NOTIFICATION_STREAM_SUBJECTS,
} from "@junggo/events";
import { Stack } from "@junggo/devstack";

// `npm run up` on a data directory from an older checkout: its stream lacks the subjects of contexts
// added since and still holds notification.> (now a stream of its own), which no context's NATS
// user may change. The stack changes it as the administrator.
const dataRoot = mkdtempSync(join(tmpdir(), "junggo-stream-upgrade-"));
let stack: Stack | null = null;
afterAll(async () => {
  await stack?.stop();
  rmSync(dataRoot, { recursive: true, force: true });
});

const start = () => Stack.start({ dataRoot, ports: "free", seedDemo: false, env: { LOG_LEVEL: "warn" } });

async function subjects(s: Stack, stream = EVENT_STREAM): Promise<string[]> {
  const nc = await connect(s.natsOptions());
  try {
    return (await (await nc.jetstreamManager()).streams.info(stream)).config.subjects ?? [];
  } finally {
    await nc.close();
  }
}

it("widens an older event stream to every context's subjects before the contexts start", async () => {
  stack = await start();
  // As an older checkout left it: without the two newest contexts' subjects, with notification.>
  // in the event stream and no notification stream.
  const nc = await connect(stack.natsOptions());
  const jsm = await nc.jetstreamManager();
  const info = await jsm.streams.info(EVENT_STREAM);
  await jsm.streams.delete(NOTIFICATION_STREAM);
  const older = EVENT_STREAM_SUBJECTS.filter((s) => s !== "acquisition.>" && s !== "maintenance.>");
  await jsm.streams.update(EVENT_STREAM, { ...info.config, subjects: [...older, "notification.>"] });
  await nc.close();
  await stack.stop();

  stack = await start();
  expect([...(await subjects(stack))].sort()).toEqual([...EVENT_STREAM_SUBJECTS].sort());
  expect(await subjects(stack, NOTIFICATION_STREAM)).toEqual(NOTIFICATION_STREAM_SUBJECTS);
  // Every context connected and is ready (a context refused the stream change would not be).
  for (const name of ["acquisition", "maintenance", "notification", "purchase"] as const) {
    const ready = await fetch(`http://127.0.0.1:${stack.ports.get(name)}/readyz`);
    expect(ready.status, name).toBe(200);
  }
}, 300_000);
