import { describe, expect, it } from "vitest";
import { importCycles, importGraph } from "../src/import-cycles.ts";

describe("import cycles (server packages and web client)", () => {
  it("finds cycles of any length, self-imports included, and nothing in an acyclic graph", () => {
    const graph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts", "d.ts"]],
      ["d.ts", []],
      ["e.ts", ["e.ts"]],
    ]);
    expect(importCycles(graph)).toEqual([["a.ts", "b.ts", "c.ts"], ["e.ts"]]);
    expect(
      importCycles(
        new Map([
          ["a.ts", ["b.ts"]],
          ["b.ts", []],
        ]),
      ),
    ).toEqual([]);
  });

  it("there is none", () => {
    const graph = importGraph();
    // The graph is the real one: relative imports and workspace packages resolved.
    expect(graph.get("gateway/src/gateway.ts")).toContain("gateway/src/subscriptions.ts");
    expect(graph.get("gateway/src/main.ts")).toContain("packages/runtime/src/index.ts");
    expect(graph.get("web/src/main.tsx")).toContain("web/src/App.tsx");
    expect(importCycles(graph)).toEqual([]);
  });
});
