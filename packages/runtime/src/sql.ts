import type { Database, SqlTx } from "./database.ts";

// Plain SQL helpers for repositories written in SQL. Every statement runs as well on the driver
// (the module's raw transactions and reader) as on a Prisma transaction (dead-letter replays).

/** Reads: a transaction, or the reader below (one statement each, outside any transaction). */
export type SqlReader = Pick<SqlTx, "$queryRawUnsafe">;

/**
 * Single statements on the database's own connection, outside any transaction (autocommit). Never
 * used inside a transaction's callback: on PGlite that would wait for the transaction to end.
 */
export const sqlReader = (db: Pick<Database, "query">): SqlReader => ({
  $queryRawUnsafe: <T>(sql: string, ...values: unknown[]) => db.query(sql, values) as Promise<T>,
});

/**
 * Timestamps are stored as `timestamp(3)` in UTC wall time (Prisma's convention). Reads select them
 * with `AT TIME ZONE 'UTC'` (an instant, which every driver parses right); writes send ISO strings
 * cast to `timestamp(3)` (the `Z` is dropped, the wall time kept).
 */
export const utc = (column: string) => `"${column}" AT TIME ZONE 'UTC' AS "${column}"`;
export const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
export const toDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
export const toDateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : toDate(v));

/**
 * Loads rows by key, one statement for all the keys asked for in the same tick on the same
 * connection (a federation `_entities` call resolves its references all at once). `load` returns
 * the rows found; `keyOf` gives a row's key. Keys are UUIDs, compared in lower case (PostgreSQL's
 * text form of a uuid).
 */
export function batchedByKey<R>(
  load: (db: SqlReader, keys: string[]) => Promise<R[]>,
  keyOf: (row: R) => string,
) {
  const queues = new WeakMap<
    SqlReader,
    Map<string, Array<{ resolve: (r: R | null) => void; reject: (e: unknown) => void }>>
  >();
  return (db: SqlReader, anyCaseKey: string): Promise<R | null> =>
    new Promise((resolve, reject) => {
      const key = anyCaseKey.toLowerCase();
      let queue = queues.get(db);
      if (!queue) {
        const q = (queue = new Map());
        queues.set(db, q);
        queueMicrotask(() => {
          queues.delete(db);
          load(db, [...q.keys()]).then(
            (rows) => {
              const found = new Map(rows.map((r) => [keyOf(r), r]));
              for (const [k, waiters] of q) for (const w of waiters) w.resolve(found.get(k) ?? null);
            },
            (err) => {
              for (const waiters of q.values()) for (const w of waiters) w.reject(err);
            },
          );
        });
      }
      const waiters = queue.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else queue.set(key, [{ resolve, reject }]);
    });
}
