// Once per integration run: compile the services (under a second, so no test runs a stale dist/),
// and start one throw-away PostgreSQL server that every test stack shares, each with fresh
// databases (JUNGGO_TEST_POSTGRES_URL). JUNGGO_TEST_DB=pglite runs the stacks on PGlite instead;
// a JUNGGO_TEST_POSTGRES_URL already set (an external server) is used as it is.
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPostgres, type PostgresServer } from "./postgres.ts";
import { REPO_ROOT } from "./stack.ts";

let server: PostgresServer | null = null;

export default async function setup(): Promise<() => Promise<void>> {
  execFileSync(process.execPath, [join(REPO_ROOT, "packages/devstack/build.mjs")], { stdio: "inherit" });
  const choice = process.env.JUNGGO_TEST_DB ?? "postgres";
  if (choice !== "postgres" && choice !== "pglite")
    throw new Error(`JUNGGO_TEST_DB must be "postgres" or "pglite", got "${choice}"`);
  if (choice === "postgres" && !process.env.JUNGGO_TEST_POSTGRES_URL) {
    server = await startPostgres({ dataRoot: join(tmpdir(), "junggo-test-pg") });
    if (!server)
      throw new Error(
        "PostgreSQL server binaries not found (apt-get install postgresql, or set PGBIN); JUNGGO_TEST_DB=pglite runs the integration tests on PGlite",
      );
    // Test workers are started after this and inherit the environment.
    process.env.JUNGGO_TEST_POSTGRES_URL = server.url;
  }
  return async () => {
    await server?.stop();
  };
}
