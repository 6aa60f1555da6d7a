import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, isPortFree, releasePorts } from "../src/ports.ts";
import { ManagedProcess } from "../src/process.ts";

// Parallel test stacks used to be given each other's ports (a port is free between the moment it is
// picked and the moment the service binds it), and then a gateway routed to another stack's service.
const RANGE = "64010-64015";
const SCRIPT = new URL("./support/reserve-ports.ts", import.meta.url).pathname;
const otherProcessReserves = async (): Promise<number[]> => {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", SCRIPT], {
    env: { ...process.env, JUNGGO_PORT_RANGE: RANGE },
  });
  return JSON.parse(stdout) as number[];
};

describe("freePort", () => {
  it("never gives another process a port reserved here, until it is released", async () => {
    process.env.JUNGGO_PORT_RANGE = RANGE;
    try {
      const mine = [await freePort(), await freePort(), await freePort()];
      expect(new Set(mine).size).toBe(3);
      for (const p of mine) expect(p >= 64010 && p <= 64015 && (await isPortFree(p))).toBe(true);

      const theirs = await otherProcessReserves();
      expect(theirs.sort()).toEqual(
        [64010, 64011, 64012, 64013, 64014, 64015].filter((p) => !mine.includes(p)),
      );

      releasePorts([mine[0]!]);
      const afterRelease = await otherProcessReserves();
      expect(afterRelease.sort()).toEqual(
        [64010, 64011, 64012, 64013, 64014, 64015].filter((p) => !mine.slice(1).includes(p)),
      );
      releasePorts(mine);
    } finally {
      delete process.env.JUNGGO_PORT_RANGE;
    }
  });

  it("takes ports outside the kernel's ephemeral range by default", async () => {
    const port = await freePort();
    releasePorts([port]);
    const [ephemeralLow] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
      .trim()
      .split(/\s+/)
      .map(Number);
    expect(port).toBeGreaterThanOrEqual(10_000);
    expect(port).toBeLessThan(ephemeralLow!);
  });

  it("refuses a malformed JUNGGO_PORT_RANGE", async () => {
    process.env.JUNGGO_PORT_RANGE = "80-90";
    try {
      await expect(freePort()).rejects.toThrow(/JUNGGO_PORT_RANGE must be "lo-hi" within 1024-65535/);
    } finally {
      delete process.env.JUNGGO_PORT_RANGE;
    }
  });
});

describe("ManagedProcess health check", () => {
  const dir = mkdtempSync(join(tmpdir(), "junggo-health-"));
  let impostor: Server | undefined;
  afterAll(() => {
    impostor?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("does not take another process answering on the port for its own child", async () => {
    const port = await freePort();
    impostor = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ status: "ok", pid: 1 }));
    });
    await new Promise<void>((r) => impostor!.listen(port, "127.0.0.1", () => r()));
    const proc = new ManagedProcess({
      name: "sleeper",
      command: process.execPath,
      args: ["-e", "setTimeout(() => {}, 30000)"],
      env: {},
      cwd: dir,
      logFile: join(dir, "sleeper.log"),
      healthUrl: `http://127.0.0.1:${port}/healthz`,
    });
    try {
      await expect(proc.start(1500)).rejects.toThrow(/answered by another process \(pid 1, not \d+\)/);
    } finally {
      await proc.kill();
      releasePorts([port]);
    }
  });
});
