import { badInput, parsePageSize } from "@junggo/runtime";
import { decodeCursor } from "./cursor.ts";
import type { VehicleStatus } from "./vehicle.ts";

export const PAGE_SIZE_DEFAULT = 20;
export const PAGE_SIZE_MAX = 100;

export interface VehicleFilterInput {
  make?: string | null;
  model?: string | null;
  minYear?: number | null;
  maxYear?: number | null;
  minPriceKrw?: number | null;
  maxPriceKrw?: number | null;
  maxMileageKm?: number | null;
  status?: VehicleStatus | null;
}

/** A validated search: optional criteria are undefined; make/model compare case-insensitively. */
export interface VehicleCriteria {
  make?: string;
  model?: string;
  minYear?: number;
  maxYear?: number;
  minPriceKrw?: number;
  maxPriceKrw?: number;
  maxMileageKm?: number;
  /** Omitted: every status (a buyer's UI asks for AVAILABLE; staff want the whole lot history). */
  status?: VehicleStatus;
}

export interface PageRequest {
  criteria: VehicleCriteria;
  first: number;
  /** Only vehicles with a larger sequence number; 0 for the first page. */
  afterSeq: number;
}

const given = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);
/** Blank text means "no filter", as an empty search box does. */
const text = (v: string | null | undefined) => (v?.trim() ? v.trim() : undefined);

function orderedRange(
  minField: string,
  min: number | undefined,
  maxField: string,
  max: number | undefined,
): void {
  if (min !== undefined && max !== undefined && min > max) {
    throw badInput(`filter.${maxField}`, `filter.${maxField} must not be smaller than filter.${minField}.`);
  }
}

export function parsePageRequest(args: {
  filter?: VehicleFilterInput | null;
  first?: number | null;
  after?: string | null;
}): PageRequest {
  const first = parsePageSize("first", args.first ?? PAGE_SIZE_DEFAULT, { min: 0, max: PAGE_SIZE_MAX });
  const f = args.filter ?? {};
  const criteria: VehicleCriteria = {
    make: text(f.make),
    model: text(f.model),
    minYear: given(f.minYear),
    maxYear: given(f.maxYear),
    minPriceKrw: given(f.minPriceKrw),
    maxPriceKrw: given(f.maxPriceKrw),
    maxMileageKm: given(f.maxMileageKm),
    status: given(f.status),
  };
  orderedRange("minYear", criteria.minYear, "maxYear", criteria.maxYear);
  orderedRange("minPriceKrw", criteria.minPriceKrw, "maxPriceKrw", criteria.maxPriceKrw);
  const afterSeq = args.after === null || args.after === undefined ? 0 : decodeCursor(args.after);
  return { criteria, first, afterSeq };
}
