import { describe, expect, it } from "vitest";
import { parseUpArgs, resolveUpPorts } from "../src/up-args.ts";

describe("npm run up arguments", () => {
  it("defaults to the local PostgreSQL server on port 4432", () => {
    expect(parseUpArgs([], {}).database).toEqual({ kind: "embedded", port: 4432 });
    expect(parseUpArgs([], { POSTGRES_PORT: "5544" }).database).toEqual({ kind: "embedded", port: 5544 });
  });

  it("takes an external server from --postgres or JUNGGO_POSTGRES_URL, and PGlite from --pglite", () => {
    const url = "postgresql://postgres@db.local:5432/postgres";
    expect(parseUpArgs(["--postgres", url], {}).database).toEqual({ kind: "external", url });
    expect(parseUpArgs([`--postgres=${url}`], {}).database).toEqual({ kind: "external", url });
    expect(parseUpArgs([], { JUNGGO_POSTGRES_URL: url }).database).toEqual({ kind: "external", url });
    expect(parseUpArgs(["--pglite"], {}).database).toEqual({ kind: "pglite" });
  });

  it("keeps the documented ports by default and moves them all with JUNGGO_PORT_BASE", () => {
    expect(resolveUpPorts({}, [])).toEqual({
      gateway: 4000,
      identity: 4001,
      stock: 4002,
      purchase: 4003,
      billing: 4004,
      consignment: 4005,
      dashboard: 4006,
      notification: 4007,
      acquisition: 4008,
      maintenance: 4009,
      nats: 4222,
      natsMonitor: 8222,
      postgres: 4432,
    });
    const moved = resolveUpPorts({ JUNGGO_PORT_BASE: "5000" }, []);
    expect([
      moved.gateway,
      moved.notification,
      moved.maintenance,
      moved.nats,
      moved.natsMonitor,
      moved.postgres,
    ]).toEqual([5000, 5007, 5009, 5222, 9222, 5432]);
  });

  it("honours one service's own port variable over the base", () => {
    const p = resolveUpPorts({ GATEWAY_PORT: "4400", STOCK_PORT: "4502", JUNGGO_PORT_BASE: "6000" }, []);
    expect([p.gateway, p.stock, p.identity]).toEqual([4400, 4502, 6001]);
  });

  it("refuses ports given twice or out of range", () => {
    const problems: string[] = [];
    resolveUpPorts({ GATEWAY_PORT: "4001", NATS_PORT: "99999" }, problems);
    expect(problems.join("\n")).toMatch(
      /NATS_PORT must be a port number[\s\S]*port 4001 is given to more than one service: IDENTITY_PORT, GATEWAY_PORT/,
    );
    expect(() => parseUpArgs([], { JUNGGO_PORT_BASE: "63000" })).toThrowError(
      /JUNGGO_PORT_BASE must be a whole number from 1 to 61313/,
    );
    // 6000 is X11's: browsers and Node's fetch refuse it, so the web client could never load.
    expect(() => parseUpArgs([], { JUNGGO_PORT_BASE: "6000" })).toThrowError(
      /GATEWAY_PORT would be 6000, a port browsers and fetch refuse/,
    );
    expect(() => parseUpArgs([], { NATS_PORT: "6000" })).not.toThrow();
  });

  it("lists every problem at once", () => {
    expect(() =>
      parseUpArgs(["--postgres", "mysql://x", "--pglite", "--fast"], { POSTGRES_PORT: "70000" }),
    ).toThrowError(
      /unknown option --fast[\s\S]*must be a postgresql:\/\/ URL[\s\S]*exclude each other[\s\S]*POSTGRES_PORT must be a port number/,
    );
    expect(() => parseUpArgs(["--postgres"], {})).toThrowError(/--postgres needs a URL/);
    expect(() => parseUpArgs([], { POSTGRES_PORT: "44.5" })).toThrowError(/POSTGRES_PORT/);
  });
});
