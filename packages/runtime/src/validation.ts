import { badInput } from "./errors.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a uuid in the 8-4-4-4-12 hex form, in either case; false for anything else, non-strings included. */
export const isUuid = (value: unknown): value is string => typeof value === "string" && UUID.test(value);

/**
 * A uuid argument, lower-cased (ids are stored lower-case; anything that is not a uuid cannot name
 * a row, and would make Postgres throw on a uuid column). BAD_USER_INPUT naming the field otherwise.
 */
export function parseUuid(field: string, value: unknown, message?: string): string {
  if (!isUuid(value)) throw badInput(field, message ?? `${field} must be a valid id.`);
  return value.toLowerCase();
}

/**
 * A page size argument (`first`, or any field named by `field`): a whole number from `min` (1
 * unless said otherwise) to `max`. BAD_USER_INPUT naming the field otherwise, in one wording for
 * every list of the API. The bounds stay per list: each is a public limit of its query.
 */
export function parsePageSize(field: string, value: unknown, bounds: { max: number; min?: number }): number {
  const min = bounds.min ?? 1;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > bounds.max) {
    throw badInput(field, `${field} must be a whole number from ${min} to ${bounds.max}.`);
  }
  return value;
}
