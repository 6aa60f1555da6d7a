// `npm run nats -- <command>`: NATS authentication chores (docs/nats-security.md).
//   conf [--check]            write deploy/nats-auth.conf from packages/runtime/src/nats-auth.ts (--check: compare only)
//   secrets [--dir D] [--rotate USER]
//                             create D/<user>/password (default D = secrets/nats) for every NATS user that
//                             has none; --rotate replaces USER's password
//   stream                    create or widen the event stream as NATS_USER (the administrator) at NATS_URL
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createLogger, EventBus, NATS_USERS, natsCredentials, renderNatsAuthConf } from "@junggo/runtime";
import { NATS_AUTH_CONF, NATS_PASSWORD_PATTERN, newNatsPassword } from "./nats.ts";
import { REPO_ROOT } from "./stack.ts";

const USAGE = `usage: npm run nats -- conf [--check] | secrets [--dir secrets/nats] [--rotate <user>] | stream`;

function conf(args: string[]): number {
  const text = renderNatsAuthConf();
  const current = existsSync(NATS_AUTH_CONF) ? readFileSync(NATS_AUTH_CONF, "utf8") : "";
  if (args.includes("--check")) {
    if (current === text) return 0;
    console.error("deploy/nats-auth.conf is out of date: run `npm run nats -- conf`");
    return 1;
  }
  writeFileSync(NATS_AUTH_CONF, text);
  console.log(current === text ? "deploy/nats-auth.conf is up to date" : "deploy/nats-auth.conf written");
  return 0;
}

function secrets(args: string[]): number {
  const dirArg = args.indexOf("--dir");
  const dir = resolve(REPO_ROOT, dirArg >= 0 ? (args[dirArg + 1] ?? "") : "secrets/nats");
  const rotateArg = args.indexOf("--rotate");
  const rotate = rotateArg >= 0 ? args[rotateArg + 1] : undefined;
  if (rotate !== undefined && !(NATS_USERS as readonly string[]).includes(rotate)) {
    console.error(`--rotate: unknown NATS user "${rotate}" (one of ${NATS_USERS.join(", ")})`);
    return 2;
  }
  // Closed to other host users; the containers see only the directories mounted into them.
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const user of NATS_USERS) {
    const file = join(dir, user, "password");
    const existing = existsSync(file) ? readFileSync(file, "utf8").trim() : "";
    if (existing && user !== rotate) {
      if (!NATS_PASSWORD_PATTERN.test(existing))
        console.warn(
          `${file}: nats-server reads only [A-Za-z][A-Za-z0-9_-]{15,} reliably from its environment`,
        );
      continue;
    }
    // One directory per user: each service mounts only its own (docker-compose.yml).
    mkdirSync(join(dir, user), { recursive: true, mode: 0o755 });
    writeFileSync(file, `${newNatsPassword()}\n`, { mode: 0o644 });
    chmodSync(file, 0o644);
    console.log(`${existing ? "rotated" : "created"} ${file}`);
  }
  return 0;
}

/** The event bus creates or widens the stream on connecting; with the administrator's user it may. */
async function stream(): Promise<number> {
  const url = process.env.NATS_URL || "nats://127.0.0.1:4222";
  const bus = new EventBus(url, "nats-cli", createLogger("nats"), natsCredentials("admin"));
  const timeout = setTimeout(() => {
    console.error(`Failed: no connection to ${url} within 15 s (see the warnings above)`);
    process.exit(2);
  }, 15_000);
  await bus.ready;
  clearTimeout(timeout);
  await bus.close();
  console.log("event stream ready");
  return 0;
}

const [command, ...rest] = process.argv.slice(2);
const commands: Record<string, (args: string[]) => number | Promise<number>> = { conf, secrets, stream };
const run = command ? commands[command] : undefined;
if (!run) {
  console.error(USAGE);
  process.exit(2);
}
try {
  process.exit(await run(rest));
} catch (err) {
  console.error(`Failed: ${(err as Error).message}`);
  process.exit(2);
}
