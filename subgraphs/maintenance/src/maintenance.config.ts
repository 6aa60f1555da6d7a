import { DEFAULT_PORTS, int, str, type SettingsOf } from "@junggo/runtime";

/** Maintenance's own settings: the hold arbiter it asks before a car goes to the workshop. */
export const maintenanceSettings = {
  purchaseUrl: str({
    env: "PURCHASE_URL",
    format: "url",
    default: `http://127.0.0.1:${DEFAULT_PORTS.purchase}`,
    description:
      "Base URL of purchase's service (its internal holds API: a REPAIR hold per open repair order).",
  }),
  holdsTimeoutMs: int({
    env: "HOLDS_TIMEOUT_MS",
    min: 1,
    default: 5000,
    description:
      "Per call to purchase's holds API; a slower answer refuses the repair order with SERVICE_UNAVAILABLE (its hold is given back).",
  }),
};

export type MaintenanceSettings = SettingsOf<typeof maintenanceSettings>;
