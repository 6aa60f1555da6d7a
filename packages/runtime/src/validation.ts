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

// ISO 3779: 17 characters, digits and capital letters except I, O and Q (confusable with 1 and 0).
const VIN = /^[A-HJ-NPR-Z0-9]{17}$/;

const length = (s: string) => [...s].length;

/** A VIN, trimmed and upper-cased; BAD_USER_INPUT on field `vin` otherwise. */
export function parseVin(raw: string): string {
  const vin = raw.trim().toUpperCase();
  if (!VIN.test(vin)) throw badInput("vin", "A VIN has exactly 17 letters and digits, without I, O or Q.");
  return vin;
}

/** Trimmed text of 1..max characters (code points); BAD_USER_INPUT naming the field otherwise. */
export function requiredText(field: string, raw: string, max: number): string {
  const value = raw.trim();
  if (length(value) < 1 || length(value) > max)
    throw badInput(field, `The ${field} must have 1 to ${max} characters.`);
  return value;
}

/** Trimmed text of at most max characters; blank means null. */
export function optionalText(field: string, raw: string | null | undefined, max: number): string | null {
  const value = raw?.trim() ?? "";
  if (length(value) > max) throw badInput(field, `The ${field} must have at most ${max} characters.`);
  return value === "" ? null : value;
}

/** A whole number within [min, max]; the message names `label` and shows the bounds. */
export function intBetween(
  field: string,
  value: number,
  min: number,
  max: number,
  label: string,
  grouped = true,
): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const show = (n: number) => (grouped ? n.toLocaleString("en") : String(n));
    throw badInput(field, `The ${label} must be a whole number from ${show(min)} to ${show(max)}.`);
  }
  return value;
}
