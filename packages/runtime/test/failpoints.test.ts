import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  configureFailpoints,
  FailpointError,
  Failpoints,
  parseFailpoints,
  type FailpointRule,
} from "../src/failpoints.ts";

const REPO_ROOT = resolve(fileURLToPath(new URL("../../..", import.meta.url)));
const FAILPOINTS_URL = pathToFileURL(join(REPO_ROOT, "packages/runtime/src/failpoints.ts")).href;

describe("parseFailpoints", () => {
  it("reads point, action, count and event filter", () => {
    expect(
      parseFailpoints(
        "relay.after-puback=crash@1,consumer.after-commit=crash@1:PurchasePaid, consumer.mid-transaction=error@3:PurchaseCancelled ,consumer.after-commit=error",
      ),
    ).toEqual<FailpointRule[]>([
      { point: "relay.after-puback", action: "crash", times: 1, eventType: null },
      { point: "consumer.after-commit", action: "crash", times: 1, eventType: "PurchasePaid" },
      { point: "consumer.mid-transaction", action: "error", times: 3, eventType: "PurchaseCancelled" },
      { point: "consumer.after-commit", action: "error", times: null, eventType: null },
    ]);
    expect(parseFailpoints(" , ")).toEqual([]);
  });

  it("refuses what it does not understand, naming the entry", () => {
    expect(() => parseFailpoints("relay.after-pubak=crash@1")).toThrow(/unknown point "relay.after-pubak"/);
    expect(() => parseFailpoints("relay.after-puback=explode")).toThrow(/unknown action "explode"/);
    expect(() => parseFailpoints("relay.after-puback=crash@0")).toThrow(/must be at least 1/);
    expect(() => parseFailpoints("relay.after-puback=crash@-1")).toThrow(/cannot parse/);
    expect(() => parseFailpoints("relay.after-puback=crash@x")).toThrow(/cannot parse/);
    expect(() => parseFailpoints("relay.after-puback")).toThrow(/cannot parse/);
    expect(() => parseFailpoints("relay.after-puback=crash@1:PurchasePayed")).toThrow(
      /unknown event type "PurchasePayed"/,
    );
    expect(() => parseFailpoints("relay.after-puback=crash@1,oops")).toThrow(/cannot parse "oops"/);
  });
});

describe("configureFailpoints", () => {
  it("is inert without FAILPOINTS", () => {
    expect(configureFailpoints({})).toBeNull();
    expect(configureFailpoints({ FAILPOINTS: "  " })).toBeNull();
    expect(configureFailpoints({ NODE_ENV: "production" })).toBeNull();
  });

  it("arms the parsed rules outside production", () => {
    expect(
      configureFailpoints({ NODE_ENV: "development", FAILPOINTS: "relay.after-puback=crash@1" })?.rules,
    ).toEqual([{ point: "relay.after-puback", action: "crash", times: 1, eventType: null }]);
  });

  it("refuses to start in production", () => {
    expect(() =>
      configureFailpoints({ NODE_ENV: "production", FAILPOINTS: "relay.after-puback=crash@1" }),
    ).toThrow(/NODE_ENV=production.*refusing to start/);
  });
});

describe("Failpoints.hit", () => {
  /** Rules with a recording crash in place of SIGKILL: the crash "returns" by throwing a marker. */
  const watched = (spec: string) => {
    const crashes: Record<string, unknown>[] = [];
    const fp = new Failpoints(parseFailpoints(spec), (record) => {
      crashes.push(record);
      throw new Error("crashed");
    });
    return { fp, crashes };
  };

  it("fires only at its point, for its event type, as often as asked", () => {
    const { fp, crashes } = watched("consumer.after-commit=crash@2:PurchasePaid");
    fp.hit("consumer.mid-transaction", { eventType: "PurchasePaid", eventId: "a" });
    fp.hit("relay.after-puback", { eventType: "PurchasePaid", eventId: "a" });
    fp.hit("consumer.after-commit", { eventType: "PurchaseCancelled", eventId: "b" });
    fp.hit("consumer.after-commit", {});
    expect(crashes).toEqual([]);
    expect(() => fp.hit("consumer.after-commit", { eventType: "PurchasePaid", eventId: "c" })).toThrow(
      "crashed",
    );
    expect(() => fp.hit("consumer.after-commit", { eventType: "PurchasePaid", eventId: "d" })).toThrow(
      "crashed",
    );
    fp.hit("consumer.after-commit", { eventType: "PurchasePaid", eventId: "e" });
    expect(crashes.map((c) => [c.failpoint, c.action, c.eventId, c.msg])).toEqual([
      ["consumer.after-commit", "crash", "c", "failpoint fired"],
      ["consumer.after-commit", "crash", "d", "failpoint fired"],
    ]);
    expect(crashes[0]!.pid).toBe(process.pid);
  });

  it("without a count or filter fires on every hit of its point", () => {
    const { fp, crashes } = watched("relay.after-puback=crash");
    for (const eventType of ["PurchasePaid", "VehicleRegistered", undefined])
      expect(() => fp.hit("relay.after-puback", { eventType })).toThrow("crashed");
    expect(crashes).toHaveLength(3);
  });

  it("uses the first matching rule that has hits left", () => {
    const { fp, crashes } = watched(
      "consumer.after-commit=crash@1:PurchasePaid,consumer.after-commit=crash@1",
    );
    expect(() => fp.hit("consumer.after-commit", { eventType: "PurchaseCancelled", eventId: "x" })).toThrow(
      "crashed",
    );
    expect(() => fp.hit("consumer.after-commit", { eventType: "PurchasePaid", eventId: "y" })).toThrow(
      "crashed",
    );
    fp.hit("consumer.after-commit", { eventType: "PurchasePaid", eventId: "z" });
    expect(crashes.map((c) => c.eventId)).toEqual(["x", "y"]);
  });

  it("the error action throws a FailpointError instead of crashing", () => {
    const { fp, crashes } = watched("consumer.mid-transaction=error@1");
    const err = (() => {
      try {
        fp.hit("consumer.mid-transaction", { eventType: "PurchasePaid" });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(FailpointError);
    expect((err as FailpointError).point).toBe("consumer.mid-transaction");
    expect(crashes).toEqual([]);
    fp.hit("consumer.mid-transaction", { eventType: "PurchasePaid" });
  });
});

// A real process: the crash must be a SIGKILL that skips finally blocks, after a log line on stderr.
describe("crash in a real process", () => {
  const dir = mkdtempSync(join(tmpdir(), "junggo-failpoints-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, "crash.ts");
  writeFileSync(
    script,
    `
import { startFailpoints } from ${JSON.stringify(FAILPOINTS_URL)};
// Importing arms nothing: the set exists once start-up creates it from the configuration.
const failpoints = startFailpoints();
process.stdout.write("before\\n");
try {
  failpoints?.hit("consumer.after-commit", { eventType: "PurchasePaid", eventId: "evt-1" });
} finally {
  process.stdout.write("finally ran\\n");
}
process.stdout.write("after\\n");
`,
  );

  const run = (env: Record<string, string>) =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
      (done, fail) => {
        const child = spawn(process.execPath, ["--import", "tsx", script], {
          cwd: REPO_ROOT,
          env: { ...process.env, ...env },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "",
          stderr = "";
        child.stdout.on("data", (b) => {
          stdout += b;
        });
        child.stderr.on("data", (b) => {
          stderr += b;
        });
        child.once("error", fail);
        child.once("close", (code, signal) => done({ code, signal, stdout, stderr }));
      },
    );

  it("dies by SIGKILL at the point, after the failpoint's log line, without running finally", async () => {
    const r = await run({ NODE_ENV: "test", FAILPOINTS: "consumer.after-commit=crash@1:PurchasePaid" });
    expect(r.signal).toBe("SIGKILL");
    expect(r.stdout).toBe("before\n");
    const lines = r.stderr
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l));
    expect(lines.find((l) => l.msg === "failpoint fired")).toMatchObject({
      failpoint: "consumer.after-commit",
      action: "crash",
      eventType: "PurchasePaid",
      eventId: "evt-1",
    });
    expect(lines.find((l) => /FAILPOINTS armed/.test(l.msg))?.failpoints).toBe(
      "consumer.after-commit=crash@1:PurchasePaid",
    );
  }, 60_000);

  it("runs through when the filter does not match or FAILPOINTS is unset", async () => {
    for (const FAILPOINTS of ["consumer.after-commit=crash@1:PurchaseCancelled", ""]) {
      const r = await run({ NODE_ENV: "test", FAILPOINTS });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe("before\nfinally ran\nafter\n");
    }
  }, 60_000);

  it("refuses to start with FAILPOINTS in production", async () => {
    const r = await run({ NODE_ENV: "production", FAILPOINTS: "consumer.after-commit=crash@1" });
    expect(r.signal).toBeNull();
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/FAILPOINTS is set but NODE_ENV=production/);
  }, 60_000);
});
