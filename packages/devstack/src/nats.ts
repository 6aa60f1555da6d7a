import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { NATS_USERS, natsPasswordVariable, type NatsUser } from "@junggo/runtime";
import { ManagedProcess } from "./process.ts";

/** The production authorization block (one user per context), used as it is by every dev and test server. */
export const NATS_AUTH_CONF = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "../../../deploy/nats-auth.conf",
);

export type NatsPasswords = Record<NatsUser, string>;

/**
 * A password the NATS server reads from its environment as a plain string: nats-server parses an
 * environment variable's value like a configuration value, so digits or true/false would not be one.
 */
export function newNatsPassword(): string {
  return `n${randomBytes(24).toString("base64url")}`;
}

export const NATS_PASSWORD_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{15,}$/;

/**
 * One random password per NATS user, kept in `file` (mode 600) so a data directory keeps its
 * passwords across restarts (`npm run up`, the supervisor's NATS restarts); created when missing.
 */
export function natsPasswordsFor(file: string): NatsPasswords {
  let known: Partial<NatsPasswords> = {};
  if (existsSync(file)) known = JSON.parse(readFileSync(file, "utf8")) as Partial<NatsPasswords>;
  const passwords = Object.fromEntries(
    NATS_USERS.map((u) => [
      u,
      known[u] && NATS_PASSWORD_PATTERN.test(known[u]) ? known[u] : newNatsPassword(),
    ]),
  ) as NatsPasswords;
  if (NATS_USERS.some((u) => passwords[u] !== known[u])) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(passwords, null, 2)}\n`, { mode: 0o600 });
  }
  return passwords;
}

/** The NATS server's environment for deploy/nats-auth.conf: NATS_PASSWORD_<USER> for each user. */
export function natsServerEnv(passwords: NatsPasswords): Record<string, string> {
  return Object.fromEntries(NATS_USERS.map((u) => [natsPasswordVariable(u), passwords[u]]));
}

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
  /** Authentication and authorization of deploy/nats-auth.conf with these passwords; none without. */
  passwords?: NatsPasswords;
  echo?: boolean;
}): ManagedProcess {
  mkdirSync(opts.dataDir, { recursive: true });
  return new ManagedProcess({
    name: "nats",
    command: natsServerBinary(),
    args: [
      ...(opts.passwords ? ["-c", NATS_AUTH_CONF] : []),
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
    env: opts.passwords ? natsServerEnv(opts.passwords) : {},
    cwd: process.cwd(),
    logFile: join(opts.logDir, "nats.log"),
    healthUrl: `http://127.0.0.1:${opts.httpPort}/healthz?js-enabled-only=true`,
    echo: opts.echo,
  });
}
