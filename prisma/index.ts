import { createRequire } from "node:module";
import { dirname, join } from "node:path";
// The JSON alone, not the runtime package: compiled services bundle this module.
import contexts from "@junggo/runtime/contexts.json" with { type: "json" };

/** Every context with a database (all of them), from the one list in @junggo/runtime. */
export const CONTEXTS = Object.keys(contexts.ports) as (keyof typeof contexts.ports)[];

/** Where a context's Prisma migrations live; services apply them at start. */
export function migrationsDir(context: (typeof CONTEXTS)[number]): string {
  // Resolved through the package, not this file's URL: compiled services bundle this module into their own dist/.
  return join(
    dirname(createRequire(import.meta.url).resolve("@junggo/prisma/package.json")),
    context,
    "migrations",
  );
}
