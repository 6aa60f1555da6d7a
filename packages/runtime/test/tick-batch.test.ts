import { describe, expect, it } from "vitest";
import { batchPerTick, rowsByIdPerTick } from "../src/index.ts";

describe("batchPerTick", () => {
  it("answers the keys asked in one tick with one load, repeated keys included, and the next tick with another", async () => {
    const loads: string[][] = [];
    const byKey = batchPerTick(async (keys: string[]) => {
      loads.push(keys);
      return new Map(keys.filter((k) => k !== "missing").map((k) => [k, `value of ${k}`]));
    });
    expect(await Promise.all(["a", "b", "a", "missing"].map(byKey))).toEqual([
      "value of a",
      "value of b",
      "value of a",
      null,
    ]);
    expect(await byKey("c")).toBe("value of c");
    expect(loads).toEqual([["a", "b", "missing"], ["c"]]);
  });

  it("rejects every caller of a failed load, and loads again afterwards", async () => {
    let fail = true;
    const byKey = batchPerTick(async (keys: number[]) => {
      if (fail) throw new Error("database gone");
      return new Map(keys.map((k) => [k, k * 2]));
    });
    const results = await Promise.allSettled([byKey(1), byKey(2)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    expect(await byKey(2)).toBe(4);
  });
});

describe("rowsByIdPerTick", () => {
  it("matches uuids lowercase and answers a malformed id with null without a query", async () => {
    const id = "0e0c6a34-1d0b-4c55-9d5e-2b0f1c9a7e11";
    const calls: unknown[][] = [];
    const byId = rowsByIdPerTick(
      async (_sql, params) => {
        calls.push(params);
        return (params[0] as string[]).filter((x) => x === id).map((x) => ({ id: x, n: 1 }));
      },
      "SELECT id, n FROM t WHERE id = ANY($1::uuid[])",
      (r: { id: string; n: number }) => r.n,
    );
    expect(await Promise.all([byId(id.toUpperCase()), byId("x'; DROP TABLE t; --")])).toEqual([1, null]);
    expect(calls).toEqual([[[id]]]);
  });
});
