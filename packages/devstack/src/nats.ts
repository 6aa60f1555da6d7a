import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ManagedProcess } from "./process.ts";

export function natsServerBinary(): string {
  for (const p of [
    process.env.NATS_SERVER_BIN,
    "/usr/sbin/nats-server",
    "/usr/bin/nats-server",
    "/usr/local/bin/nats-server",
  ]) {
    if (p && existsSync(p)) return p;
  }
  try {
    return execFileSync("sh", ["-c", "command -v nats-server"]).toString().trim();
  } catch {
    throw new Error(
      "nats-server not found: install it with `apt-get install -y nats-server` (the run and test commands do this when run as root)",
    );
  }
}

/** A real NATS server with JetStream, file storage in `dataDir`, monitoring on `httpPort`. */
export function natsProcess(opts: {
  port: number;
  httpPort: number;
  dataDir: string;
  logDir: string;
  echo?: boolean;
}): ManagedProcess {
  mkdirSync(opts.dataDir, { recursive: true });
  return new ManagedProcess({
    name: "nats",
    command: natsServerBinary(),
    args: [
      "-js",
      "-a",
      "127.0.0.1",
      "-p",
      String(opts.port),
      "-m",
      String(opts.httpPort),
      "-sd",
      opts.dataDir,
    ],
    env: {},
    cwd: process.cwd(),
    logFile: join(opts.logDir, "nats.log"),
    healthUrl: `http://127.0.0.1:${opts.httpPort}/healthz?js-enabled-only=true`,
    echo: opts.echo,
  });
}
