import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LIVE_EVENT_TYPES, NATS_USERS } from "@junggo/runtime";
import { CHANGES as ACQUISITION_LIVE } from "../../../subgraphs/acquisition/src/adapters/live.resolvers.ts";
import { CHANGES as CONSIGNMENT_LIVE } from "../../../subgraphs/consignment/src/adapters/live.resolvers.ts";
import { CHANGES as NOTIFICATION_LIVE } from "../../../subgraphs/notification/src/adapters/live.resolvers.ts";
import { CHANGES as PURCHASE_LIVE } from "../../../subgraphs/purchase/src/adapters/live.resolvers.ts";
import { NATS_PASSWORD_PATTERN, natsPasswordsFor } from "../src/nats.ts";

describe("NATS users", () => {
  it("let each context subscribe live to exactly the event types its live resolvers follow", () => {
    expect([...LIVE_EVENT_TYPES.purchase].sort()).toEqual([...PURCHASE_LIVE].sort());
    expect([...LIVE_EVENT_TYPES.consignment].sort()).toEqual([...CONSIGNMENT_LIVE].sort());
    expect([...LIVE_EVENT_TYPES.notification].sort()).toEqual([...NOTIFICATION_LIVE].sort());
    expect([...LIVE_EVENT_TYPES.acquisition].sort()).toEqual([...ACQUISITION_LIVE].sort());
    for (const c of ["identity", "stock", "billing", "dashboard"] as const)
      expect(LIVE_EVENT_TYPES[c]).toEqual([]);
  });

  it("get random passwords per data directory, kept (mode 600) and reused, a bad one replaced", () => {
    const dir = mkdtempSync(join(tmpdir(), "junggo-nats-pw-"));
    try {
      const file = join(dir, "nats-passwords.json");
      const first = natsPasswordsFor(file);
      expect(Object.keys(first).sort()).toEqual([...NATS_USERS].sort());
      for (const p of Object.values(first)) expect(p).toMatch(NATS_PASSWORD_PATTERN);
      expect(new Set(Object.values(first)).size).toBe(NATS_USERS.length);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(natsPasswordsFor(file)).toEqual(first);
      // A password nats-server would parse as a number is not kept.
      writeFileSync(file, JSON.stringify({ ...first, stock: "12345" }));
      const again = natsPasswordsFor(file);
      expect(again.stock).toMatch(NATS_PASSWORD_PATTERN);
      expect({ ...again, stock: first.stock }).toEqual(first);
      expect(JSON.parse(readFileSync(file, "utf8")).stock).toBe(again.stock);
      expect(natsPasswordsFor(join(dir, "other.json")).admin).not.toBe(first.admin);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
