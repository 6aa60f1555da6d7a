import { describe, expect, it } from "vitest";
import { createLogger, Lifecycle } from "../src/index.ts";

const quiet = { ...createLogger("test"), error: () => {} };

function recorder() {
  const events: string[] = [];
  const part = (name: string, o: { failStart?: boolean; failStop?: boolean } = {}) => ({
    name,
    start: async () => {
      events.push(`start ${name}`);
      if (o.failStart) throw new Error(`${name} did not start`);
    },
    stop: async () => {
      events.push(`stop ${name}`);
      if (o.failStop) throw new Error(`${name} did not stop`);
    },
  });
  return { events, part };
}

describe("Lifecycle", () => {
  it("starts components in order and stops them in reverse, once", async () => {
    const { events, part } = recorder();
    const life = new Lifecycle(quiet);
    for (const n of ["database", "bus", "relay", "http"]) await life.start(part(n));
    expect(life.names).toEqual(["database", "bus", "relay", "http"]);
    await Promise.all([life.stop(), life.stop()]);
    expect(events).toEqual([
      "start database",
      "start bus",
      "start relay",
      "start http",
      "stop http",
      "stop relay",
      "stop bus",
      "stop database",
    ]);
    await expect(life.start(part("late"))).rejects.toThrow(/shutting down/);
  });

  it("a component that fails to start stops those already started, in reverse, and the error is rethrown", async () => {
    const { events, part } = recorder();
    const life = new Lifecycle(quiet);
    await life.start(part("database"));
    await life.start(part("bus"));
    await expect(life.start(part("relay", { failStart: true }))).rejects.toThrow("relay did not start");
    expect(events).toEqual(["start database", "start bus", "start relay", "stop bus", "stop database"]);
  });

  it("a component that fails to stop does not keep the others from stopping", async () => {
    const { events, part } = recorder();
    const life = new Lifecycle(quiet);
    await life.start(part("database"));
    await life.start(part("consumer", { failStop: true }));
    await life.start({ name: "no-op" });
    await expect(life.stop()).rejects.toThrow(/1 component\(s\) failed to stop/);
    expect(events).toEqual(["start database", "start consumer", "stop consumer", "stop database"]);
  });
});
