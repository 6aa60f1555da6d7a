// Operator commands of the identity context, for accounts nobody can sign up for (STAFF, DRIVER):
//   node subgraphs/identity/dist/admin.cli.js create-account --role STAFF --email ops@example.com \
//     --name "Choi Yuna" [--locale ko|en] [--password-file PATH] [--operator NAME]
// The password comes from --password-file or standard input (first line), never from the command
// line (visible in `ps` and shell history). Same environment as the identity service (DATABASE_URL
// or DATA_DIR), same use case as a sign-up: validation, AccountRegistered through the outbox (the
// running service's relay publishes it). Prints one audit line naming the operator.
// Exit codes: 0 created, 1 refused (invalid input, email taken), 2 usage or failure.
import { readFileSync } from "node:fs";
import { userInfo } from "node:os";
import {
  configOrExit,
  createLogger,
  DomainError,
  loadServiceConfig,
  migrate,
  openDatabase,
} from "@junggo/runtime";
import { migrationsDir } from "@junggo/prisma";
import { PrismaClient } from "@junggo/prisma/identity";
import { AccountRepository } from "./adapters/account.repository.ts";
import { makeRegisterAccount } from "./app/register-account.use-case.ts";

/** The operating-system user running the command (the audit line's default operator). */
function osUser(): string {
  try {
    return userInfo().username || "unknown";
  } catch {
    // No passwd entry for this uid (some containers).
    return "unknown";
  }
}

const USAGE = `usage: node subgraphs/identity/dist/admin.cli.js create-account --role <STAFF|DRIVER|BUYER|SELLER>
         --email <address> --name <name> [--locale ko|en] [--password-file <path>] [--operator <name>]
  The password is read from --password-file, else from standard input (first line); never from arguments.
  --operator names who creates the account in the audit line (default: the operating-system user).`;

const FLAGS = ["role", "email", "name", "locale", "password-file", "operator"] as const;
type Flag = (typeof FLAGS)[number];

class Usage extends Error {}

function parseArgs(argv: string[]): { command: string; flags: Partial<Record<Flag, string>> } {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h") throw new Usage("");
  if (command !== "create-account") throw new Usage(`unknown command ${command}`);
  const flags: Partial<Record<Flag, string>> = {};
  for (let i = 0; i < rest.length; i += 2) {
    const name = rest[i]!.replace(/^--/, "");
    if (name === "password")
      throw new Usage(
        "--password is not accepted: give the password on standard input or in --password-file",
      );
    if (!rest[i]!.startsWith("--") || !(FLAGS as readonly string[]).includes(name))
      throw new Usage(`unknown option ${rest[i]}`);
    const value = rest[i + 1];
    if (value === undefined || value.startsWith("--")) throw new Usage(`${rest[i]} needs a value`);
    flags[name as Flag] = value;
  }
  for (const required of ["role", "email", "name"] as const)
    if (!flags[required]) throw new Usage(`--${required} is required`);
  return { command, flags };
}

/** The first line of the file or of standard input, without its line ending. */
function readPassword(file: string | undefined): string {
  const text = readFileSync(file ?? 0, "utf8");
  const line = text.split(/\r?\n/, 1)[0] ?? "";
  if (!line)
    throw new Usage(
      `no password given (${file ? `the first line of ${file} is empty` : "standard input is empty"})`,
    );
  return line;
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  let password: string;
  try {
    args = parseArgs(process.argv.slice(2));
    password = readPassword(args.flags["password-file"]);
  } catch (err) {
    if (!(err instanceof Usage)) throw err;
    if (err.message) console.error(`admin: ${err.message}`);
    console.error(USAGE);
    return 2;
  }
  const { flags } = args;
  const operator = flags.operator || osUser();
  const config = configOrExit(() => loadServiceConfig("identity", process.env));
  const log = createLogger("identity-admin");
  const db = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const prisma = new PrismaClient({ adapter: db.adapter });
  try {
    // A first start may not have run yet: the same migrations as the service (idempotent, locked).
    await migrate(db, migrationsDir("identity"));
    const register = makeRegisterAccount({
      accounts: new AccountRepository(prisma, db),
      uow: { transact: (fn) => prisma.$transaction(fn, { timeout: 20_000, maxWait: 20_000 }) },
    });
    const account = await register({
      email: flags.email!,
      name: flags.name!,
      role: flags.role!,
      locale: flags.locale ?? null,
      password,
    });
    log.info("account created by operator", {
      audit: true,
      operator,
      accountId: account.id,
      email: account.email,
      role: account.role,
    });
    console.log(`created ${account.role} account ${account.email} (${account.id})`);
    return 0;
  } catch (err) {
    if (err instanceof DomainError) {
      log.warn("account creation refused", {
        audit: true,
        operator,
        email: flags.email,
        role: flags.role,
        code: err.code,
      });
      console.error(`admin: ${err.message}`);
      return 1;
    }
    console.error(`admin: failed: ${(err as Error).stack ?? err}`);
    return 2;
  } finally {
    await prisma.$disconnect().catch(() => {});
    await db.close().catch(() => {});
  }
}

process.exit(await main());
