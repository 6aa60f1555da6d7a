import { fileURLToPath } from "node:url";

export const CONTEXTS = ["identity", "stock", "purchase", "billing", "consignment", "dashboard", "notification"] as const;

/** Where a context's Prisma migrations live; services apply them at start. */
export function migrationsDir(context: (typeof CONTEXTS)[number]): string {
  return fileURLToPath(new URL(`./${context}/migrations`, import.meta.url));
}
