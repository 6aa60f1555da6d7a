import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export const CONTEXTS = [
  "identity",
  "stock",
  "purchase",
  "billing",
  "consignment",
  "dashboard",
  "notification",
  "acquisition",
  "maintenance",
] as const;

/** Where a context's Prisma migrations live; services apply them at start. */
export function migrationsDir(context: (typeof CONTEXTS)[number]): string {
  // Resolved through the package, not this file's URL: compiled services bundle this module into their own dist/.
  return join(
    dirname(createRequire(import.meta.url).resolve("@junggo/prisma/package.json")),
    context,
    "migrations",
  );
}
