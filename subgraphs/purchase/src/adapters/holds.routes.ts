import {
  type ContextModule,
  HOLDS_API_KINDS,
  internalApi,
  isUuid,
  type InternalApiError,
  type Logger,
  type Parsed,
} from "@junggo/runtime";
import type { HoldClaim, HoldKind } from "../domain/vehicle-hold.ts";
import type { VehicleHolds } from "../app/hold-vehicle.use-case.ts";

/** The subgraph's HTTP app (purchase takes express's types from the runtime, not as its own dependency). */
type App = Parameters<NonNullable<ContextModule<unknown>["routes"]>>[0];

/** Services that claim cars here: the workshop (REPAIR) and a seller taking a car back (WITHDRAWAL). */
export const HOLD_CALLERS: readonly string[] = ["maintenance", "acquisition"];

/** Kinds other contexts may take or give back (HoldsApiClient's); PURCHASE and INSPECTION holds are purchase's own. */
const API_KINDS: readonly HoldKind[] = HOLDS_API_KINDS;
const kindMessage = `kind must be one of ${API_KINDS.join(", ")}.`;

/** Validates the JSON body of a hold request. */
export function parseHoldRequest(body: unknown): Parsed<HoldClaim> {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return { ok: false, field: "body", message: "Body must be a JSON object." };
  const b = body as Record<string, unknown>;
  for (const field of ["vehicleId", "holderId"] as const)
    if (!isUuid(b[field])) return { ok: false, field, message: `${field} must be a UUID.` };
  if (!API_KINDS.includes(b.kind as HoldKind)) return { ok: false, field: "kind", message: kindMessage };
  return {
    ok: true,
    value: {
      vehicleId: (b.vehicleId as string).toLowerCase(),
      kind: b.kind as HoldKind,
      holderId: (b.holderId as string).toLowerCase(),
    },
  };
}

/**
 * Purchase's internal holds API (not part of the public graph), service tokens of HOLD_CALLERS only:
 *   POST   /internal/holds {vehicleId, kind, holderId}  → 200 {taken: true} (also when this holder has it)
 *          409 {code: VEHICLE_NOT_AVAILABLE, heldBy}  404 {code: VEHICLE_NOT_FOUND}  400 BAD_USER_INPUT
 *   DELETE /internal/holds/:kind/:holderId              → 204, also when there is nothing to give back
 */
export function holdRoutes(
  app: App,
  deps: { holds: VehicleHolds; internalSecret: string; log: Logger },
): void {
  const api = internalApi({
    internalSecret: deps.internalSecret,
    callers: HOLD_CALLERS,
    what: "hold vehicles",
    bodyLimit: "4kb",
    log: deps.log,
  });

  app.post("/internal/holds", api.json, async (req, res) => {
    if (!(await api.authorized(req, res))) return;
    const parsed = parseHoldRequest(req.body);
    if (!parsed.ok) {
      api.fail(res, 400, { code: "BAD_USER_INPUT", field: parsed.field, message: parsed.message });
      return;
    }
    try {
      const answer = await deps.holds.take(parsed.value);
      if (answer.taken) res.json({ taken: true });
      else if ("heldBy" in answer)
        res.status(409).json({
          code: "VEHICLE_NOT_AVAILABLE",
          heldBy: answer.heldBy,
          message: `The vehicle is held (${answer.heldBy}).`,
        } satisfies InternalApiError & { heldBy: HoldKind });
      else if ("notFound" in answer)
        api.fail(res, 404, { code: "VEHICLE_NOT_FOUND", message: "There is no vehicle with this id." });
      else
        api.fail(res, 400, {
          code: "BAD_USER_INPUT",
          field: "holderId",
          message: `This holder already holds vehicle ${answer.holderBusy}.`,
        });
    } catch (err) {
      api.failed(res, `hold of vehicle ${parsed.value.vehicleId}`, err);
    }
  });

  app.delete("/internal/holds/:kind/:holderId", async (req, res) => {
    if (!(await api.authorized(req, res))) return;
    const { kind, holderId } = req.params;
    if (!API_KINDS.includes(kind as HoldKind)) {
      api.fail(res, 400, { code: "BAD_USER_INPUT", field: "kind", message: kindMessage });
      return;
    }
    if (!isUuid(holderId)) {
      api.fail(res, 400, { code: "BAD_USER_INPUT", field: "holderId", message: "holderId must be a UUID." });
      return;
    }
    try {
      await deps.holds.release(kind as HoldKind, holderId.toLowerCase());
      res.status(204).end();
    } catch (err) {
      api.failed(res, `release of ${kind} hold ${holderId}`, err);
    }
  });
}
