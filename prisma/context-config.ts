import { defineConfig } from "prisma/config";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";

// The CLI works offline only through a driver adapter (see ENGINEERING.md). An in-memory PGlite
// serves `prisma migrate dev --create-only`; services apply the migrations themselves at start.
export const contextConfig = (dir: string) =>
  defineConfig({
    schema: `${dir}/schema.prisma`,
    experimental: { adapter: true },
    engine: "js",
    adapter: async () => new PrismaPGlite(new PGlite()),
  });
