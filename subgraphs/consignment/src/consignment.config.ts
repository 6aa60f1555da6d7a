import { int, num } from "@junggo/runtime";
import { DEFAULT_DELIVERY_ETA_MINUTES } from "./domain/eta.ts";

/** Consignment's own settings. */
export const consignmentSettings = {
  deliveryEtaMinutes: int({
    env: "DELIVERY_ETA_MINUTES",
    min: 1,
    default: DEFAULT_DELIVERY_ETA_MINUTES,
    description: "Minutes from a driver's acceptance to the arrival at the buyer (the ETA shown).",
  }),
  // Fractional minutes are accepted (tests use a few seconds).
  dispatchTimeoutMinutes: num({
    env: "DISPATCH_TIMEOUT_MINUTES",
    min: 0,
    minExclusive: true,
    default: 15,
    description:
      "A job no driver accepts within this notifies staff and the buyer and is offered again (at most 3 times); fractions allowed.",
  }),
  dispatchSweepMs: int({
    env: "DISPATCH_SWEEP_MS",
    min: 1,
    default: 30_000,
    description: "How often overdue jobs are looked for.",
  }),
};
