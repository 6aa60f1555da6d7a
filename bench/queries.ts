// Query phases: a fixed number of connections, each sending one operation after another for a
// fixed duration, through the gateway.
import { performance } from "node:perf_hooks";
import { errorCode, type GqlClient } from "./http.ts";

export const VEHICLE = `query ($id: ID!) { vehicle(id: $id) { id make model year priceKrw status } }`;
/** purchase (root) + vehicle (stock) + payment (billing) + consignment (consignment) { driver (identity) }. */
export const PURCHASE = `query ($id: ID!) { purchase(id: $id) { id status priceKrw vehicle { id make model year } payment { id status amountKrw } consignment { id status eta driver { id name } } } }`;

export interface QueryTarget {
  variables: Record<string, unknown>;
  token?: string;
}

export interface QueryResult {
  ok: number;
  errors: Map<string, number>;
  latencies: number[];
  elapsedSeconds: number;
  /** Answers without the fields asked for (e.g. a purchase without its driver). */
  incomplete: number;
}

export async function queryPhase(o: {
  client: GqlClient;
  query: string;
  targets: QueryTarget[];
  connections: number;
  durationSeconds: number;
  complete?: (data: any) => boolean;
}): Promise<QueryResult> {
  const r: QueryResult = { ok: 0, errors: new Map(), latencies: [], elapsedSeconds: 0, incomplete: 0 };
  if (o.targets.length === 0) throw new Error("query phase without targets");
  const start = performance.now();
  const end = start + o.durationSeconds * 1000;
  let next = 0;
  const worker = async () => {
    while (performance.now() < end) {
      const t = o.targets[next++ % o.targets.length]!;
      const a = await o.client.request(o.query, t.variables, t.token);
      const code = errorCode(a);
      if (code !== null) {
        r.errors.set(code, (r.errors.get(code) ?? 0) + 1);
        continue;
      }
      r.ok++;
      r.latencies.push(a.doneAt - a.sentAt);
      if (o.complete && !o.complete(a.data)) r.incomplete++;
    }
  };
  await Promise.all(Array.from({ length: o.connections }, worker));
  r.elapsedSeconds = (performance.now() - start) / 1000;
  return r;
}
