import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensurePostgresDatabase, openDatabase, type Database } from "@junggo/runtime";
import { localUrl, startPostgres, type PostgresServer } from "../src/postgres.ts";

// The stacks of `npm run up`, the tests and the benchmark reach their local cluster through its
// Unix socket (a statement costs about a fifth less CPU than over loopback TCP); the TCP URL stays
// for people and tools. A real cluster: inet_server_addr() is NULL exactly on a socket connection.
let server: PostgresServer | null = null;

beforeAll(async () => {
  server = await startPostgres({ dataRoot: join(tmpdir(), "junggo-test-pg") });
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

async function serverAddress(url: string): Promise<string | null> {
  const db: Database = await openDatabase({ dataDir: "", databaseUrl: url });
  try {
    const [row] = await db.query<{ addr: string | null }>("SELECT host(inet_server_addr()) AS addr");
    return row!.addr;
  } finally {
    await db.close();
  }
}

describe("local PostgreSQL connections", () => {
  it("url goes through the cluster's socket, tcpUrl through 127.0.0.1", async () => {
    if (!server)
      throw new Error("PostgreSQL server binaries not found (apt-get install postgresql, or set PGBIN)");
    expect(server.url).not.toBe(server.tcpUrl);
    expect(await serverAddress(server.url)).toBeNull();
    expect(await serverAddress(server.tcpUrl)).toBe("127.0.0.1");
  });

  it("each context's database URL, derived from the admin URL, keeps the socket", async () => {
    if (!server) throw new Error("PostgreSQL server binaries not found");
    const url = await ensurePostgresDatabase(server.url, "junggo_socket_check");
    expect(new URL(url).pathname).toBe("/junggo_socket_check");
    expect(await serverAddress(url)).toBeNull();
  });

  it("falls back to TCP when the socket's path would not fit the kernel's 107 bytes", () => {
    const port = 5432;
    const short = "/tmp/pg-x";
    expect(localUrl(short, port)).toBe(
      `postgresql://postgres@127.0.0.1:5432/postgres?host=${encodeURIComponent(short)}`,
    );
    // ".s.PGSQL.5432" is 13 bytes, plus the separator: a 93-byte directory is the longest that fits.
    const fits = `/${"d".repeat(92)}`;
    expect(localUrl(fits, port)).toContain("?host=");
    expect(localUrl(`${fits}d`, port)).toBe("postgresql://postgres@127.0.0.1:5432/postgres");
  });
});
