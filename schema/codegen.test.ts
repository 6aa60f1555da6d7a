// The codegen check (`npm run codegen:check`, run by `npm test`) on a copy of the sources and the
// committed generated files in a temp dir: it must name exactly the files that are out of date.
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { SUBGRAPH_NAMES } from "@junggo/runtime";
import { generateAll, resolverTypesFile, staleFiles, WEB_OPERATIONS, WEB_TYPES } from "./codegen.ts";

const REPO = fileURLToPath(new URL("..", import.meta.url));

/** The codegen inputs and outputs of the repository, copied under a fresh temp dir. */
function copyOfRepo(): string {
  const root = mkdtempSync(join(tmpdir(), "junggo-codegen-"));
  const files = [
    "schema/supergraph.graphql",
    WEB_OPERATIONS,
    WEB_TYPES,
    ...SUBGRAPH_NAMES.flatMap((name) => [`subgraphs/${name}/schema.graphql`, resolverTypesFile(name)]),
  ];
  for (const file of files) cpSync(join(REPO, file), join(root, file), { recursive: true });
  return root;
}

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe("codegen --check", () => {
  it("names exactly the stale files: a changed schema's, an edited one's, a missing one's", async () => {
    const root = copyOfRepo();
    roots.push(root);
    // A field renamed in stock's schema: its resolver types no longer match.
    const stockSchema = join(root, "subgraphs/stock/schema.graphql");
    const sdl = readFileSync(stockSchema, "utf8");
    expect(sdl).toContain("mileageKm: Int!");
    writeFileSync(stockSchema, sdl.replace("mileageKm: Int!", "odometerKm: Int!"));
    // A generated file edited by hand, and one deleted.
    const web = join(root, WEB_TYPES);
    writeFileSync(web, `${readFileSync(web, "utf8")}export type Extra = 1;\n`);
    unlinkSync(join(root, resolverTypesFile("notification")));

    const stale = await staleFiles(root);

    // The other five subgraphs' files are judged up to date: the check is not "everything differs".
    expect(stale.sort()).toEqual(
      [resolverTypesFile("notification"), resolverTypesFile("stock"), WEB_TYPES].sort(),
    );
  }, 60_000);

  it("fails generation for an operation the API schema does not have", async () => {
    const root = copyOfRepo();
    roots.push(root);
    const ops = join(root, WEB_OPERATIONS);
    const text = readFileSync(ops, "utf8");
    expect(text).toContain("  unreadNotificationCount\n");
    writeFileSync(ops, text.replace("  unreadNotificationCount\n", "  unreadNotificationTotal\n"));

    await expect(generateAll(root)).rejects.toThrow(/Cannot query field "unreadNotificationTotal"/);
  }, 60_000);
});
