import { isUuid } from "./validation.ts";

/**
 * Lookups by key asked in the same tick answered by one load: `_entities` resolves a list of
 * references one call each, synchronously, so N references cost one query instead of N (what the
 * Prisma client's findUnique batching did, without its query compiler). The load returns what it
 * found by key; a key it did not find resolves to null. A failed load rejects every caller of it.
 */
export function batchPerTick<K, V>(load: (keys: K[]) => Promise<Map<K, V>>): (key: K) => Promise<V | null> {
  type Waiting = { resolve: (v: V | null) => void; reject: (err: unknown) => void };
  let batch: Map<K, Waiting[]> | null = null;
  const run = async (mine: Map<K, Waiting[]>) => {
    try {
      const found = await load([...mine.keys()]);
      for (const [key, waiting] of mine) for (const w of waiting) w.resolve(found.get(key) ?? null);
    } catch (err) {
      for (const waiting of mine.values()) for (const w of waiting) w.reject(err);
    }
  };
  return (key) =>
    new Promise<V | null>((resolve, reject) => {
      if (!batch) {
        const mine = new Map<K, Waiting[]>();
        batch = mine;
        process.nextTick(() => {
          batch = null;
          void run(mine);
        });
      }
      const waiting = batch.get(key);
      if (waiting) waiting.push({ resolve, reject });
      else batch.set(key, [{ resolve, reject }]);
    });
}

/**
 * A row by uuid `id` through batchPerTick: `select` is a statement taking `$1::uuid[]` whose rows
 * carry `id`; ids are matched lowercase, and one that is not a uuid is null without a query.
 */
export function rowsByIdPerTick<R extends { id: string }, V>(
  query: (sql: string, params: unknown[]) => Promise<R[]>,
  select: string,
  map: (row: R) => V,
): (id: string) => Promise<V | null> {
  const byId = batchPerTick<string, V>(
    async (ids) => new Map((await query(select, [ids])).map((r) => [r.id, map(r)])),
  );
  return (id) => (isUuid(id) ? byId(id.toLowerCase()) : Promise.resolve(null));
}
