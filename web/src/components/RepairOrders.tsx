// Staff send a car to the workshop (it is IN_REPAIR and cannot be bought until the order is
// completed) and complete open orders with notes; inspections of cars bought from sellers show up
// here too, opened by the system when the car reaches the lot.
import { useMutation, useQuery } from "@apollo/client/react";
import { useState, type FormEvent } from "react";
import { describeError } from "../errors.ts";
import { formatDateTime, humanize, vehicleName } from "../format.ts";
import {
  COMPLETE_REPAIR_ORDER,
  OPEN_REPAIR_ORDER,
  REPAIR_ORDERS,
  VEHICLES,
  type RepairOrder,
} from "../graphql.ts";
import { LIMITS, requiredReason } from "../rules.ts";
import { StatusPill } from "./StatusPill.tsx";

type Field = "vehicleId" | "description";

// VEHICLE_NOT_AVAILABLE in the staff's words (the generic message speaks to a buyer).
const NOT_AVAILABLE =
  "This car cannot go to the workshop now: a buyer holds it, or it is already in the workshop or being inspected.";

export function RepairOrders({ onChange }: { onChange: () => void }) {
  const open = useQuery(REPAIR_ORDERS, { variables: { open: true }, fetchPolicy: "cache-and-network" });
  const done = useQuery(REPAIR_ORDERS, { variables: { open: false }, fetchPolicy: "cache-and-network" });
  const refresh = () => {
    void open.refetch();
    void done.refetch();
    onChange();
  };
  const openOrders = open.data?.repairOrders ?? [];
  const completed = done.data?.repairOrders ?? [];

  return (
    <section className="card repairs" data-testid="repair-orders">
      <div className="section-head">
        <h2>
          Workshop{" "}
          <span className="count" data-testid="open-repair-count">
            {openOrders.length}
          </span>
        </h2>
        <button type="button" className="btn btn-ghost" onClick={refresh} data-testid="repair-refresh">
          Refresh
        </button>
      </div>
      <OpenRepairOrderForm onOpened={refresh} />
      {open.error && !open.data && <p className="alert alert-error">{describeError(open.error).message}</p>}
      <h3>Open</h3>
      {open.data && openOrders.length === 0 && (
        <p className="empty" data-testid="no-open-repairs">
          No car is in the workshop.
        </p>
      )}
      <div className="job-list" data-testid="open-repair-orders">
        {openOrders.map((o) => (
          <RepairOrderRow key={o.id} order={o} onCompleted={refresh} />
        ))}
      </div>
      {completed.length > 0 && (
        <>
          <h3 className="muted">Completed</h3>
          <div className="job-list" data-testid="completed-repair-orders">
            {completed.slice(0, 10).map((o) => (
              <RepairOrderRow key={o.id} order={o} onCompleted={refresh} />
            ))}
          </div>
        </>
      )}
    </section>
  );
}

function OpenRepairOrderForm({ onOpened }: { onOpened: () => void }) {
  const [vehicleId, setVehicleId] = useState("");
  const [description, setDescription] = useState("");
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [opened, setOpened] = useState<RepairOrder | null>(null);
  const [openOrder, { loading }] = useMutation(OPEN_REPAIR_ORDER);
  // The cars that can go to the workshop: the available ones (pick one, or type an id).
  const available = useQuery(VEHICLES, {
    variables: { filter: { status: "AVAILABLE" }, first: 100 },
    fetchPolicy: "cache-and-network",
  });
  const cars = available.data?.vehicles.edges.map((e) => e.node) ?? [];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setOpened(null);
    const errors: Partial<Record<Field, string>> = {};
    if (vehicleId.trim() === "") errors.vehicleId = "Choose a car or enter its id.";
    const wrong = requiredReason(description, LIMITS.repairDescriptionMax, "description");
    if (wrong) errors.description = wrong;
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) return;
    try {
      const r = await openOrder({
        variables: { vehicleId: vehicleId.trim(), description: description.trim() },
      });
      if (r.data) {
        setOpened(r.data.openRepairOrder);
        setVehicleId("");
        setDescription("");
        onOpened();
        void available.refetch();
      }
    } catch (err) {
      const d = describeError(err);
      const field = d.field === "vehicleId" || d.field === "description" ? d.field : undefined;
      if (field) setFieldErrors({ [field]: d.message.replace(/^Please check your input: /, "") });
      else if (d.code === "VEHICLE_NOT_AVAILABLE") setError(NOT_AVAILABLE);
      else setError(d.message);
    }
  };

  return (
    <form className="register" onSubmit={submit} noValidate data-testid="repair-form">
      <div className="form-grid">
        <label className={fieldErrors.vehicleId ? "invalid" : ""}>
          <span>Car</span>
          <select
            value={cars.some((c) => c.id === vehicleId) ? vehicleId : ""}
            onChange={(e) => setVehicleId(e.target.value)}
            data-testid="repair-vehicle-select"
          >
            <option value="">Choose an available car…</option>
            {cars.map((c) => (
              <option key={c.id} value={c.id}>
                {vehicleName(c)} · {c.vin}
              </option>
            ))}
          </select>
          <input
            placeholder="…or the car's id"
            value={vehicleId}
            onChange={(e) => setVehicleId(e.target.value)}
            aria-invalid={Boolean(fieldErrors.vehicleId)}
            data-testid="repair-vehicle-id"
          />
          {fieldErrors.vehicleId && (
            <span className="field-error" data-testid="field-error-vehicleId">
              {fieldErrors.vehicleId}
            </span>
          )}
        </label>
        <label className={fieldErrors.description ? "invalid" : ""}>
          <span>What needs doing</span>
          <textarea
            rows={3}
            maxLength={LIMITS.repairDescriptionMax}
            placeholder="Replace the front brake pads"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            aria-invalid={Boolean(fieldErrors.description)}
            data-testid="repair-description"
          />
          {fieldErrors.description && (
            <span className="field-error" data-testid="field-error-description">
              {fieldErrors.description}
            </span>
          )}
        </label>
      </div>
      {error && (
        <p className="alert alert-error" role="alert" data-testid="repair-error">
          {error}
        </p>
      )}
      {opened && (
        <p className="alert alert-ok" data-testid="repair-opened" data-repair-order-id={opened.id}>
          The {vehicleName(opened.vehicle)} is in the workshop; it cannot be bought until the order is
          completed.
        </p>
      )}
      <button type="submit" className="btn btn-primary" disabled={loading} data-testid="repair-open">
        {loading ? "Opening…" : "Send to workshop"}
      </button>
    </form>
  );
}

function RepairOrderRow({ order: o, onCompleted }: { order: RepairOrder; onCompleted: () => void }) {
  const [completing, setCompleting] = useState(false);
  const [notes, setNotes] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [complete, { loading }] = useMutation(COMPLETE_REPAIR_ORDER);

  const doComplete = async () => {
    setError(null);
    try {
      await complete({ variables: { id: o.id, notes: notes.trim() || undefined } });
      setCompleting(false);
      onCompleted();
    } catch (err) {
      setError(describeError(err).message);
    }
  };

  return (
    <article
      className="card job"
      data-testid="repair-order"
      data-repair-order-id={o.id}
      data-vehicle-id={o.vehicle.id}
      data-status={o.status}
      data-kind={o.kind}
    >
      <header className="purchase-head">
        <div>
          <h3>{vehicleName(o.vehicle)}</h3>
          <p className="muted small">
            <span data-testid="repair-kind">{humanize(o.kind)}</span> · opened {formatDateTime(o.openedAt)}
            {o.completedAt ? ` · completed ${formatDateTime(o.completedAt)}` : ""} ·{" "}
            <span className="mono">{o.vehicle.vin}</span>
          </p>
        </div>
        <StatusPill testId="repair-status" value={o.status} />
      </header>
      <p className="small">{o.description}</p>
      {o.notes && (
        <p className="small muted" data-testid="repair-notes-text">
          Notes: {o.notes}
        </p>
      )}
      {o.status === "OPEN" && !completing && (
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => setCompleting(true)}
          data-testid="repair-complete-button"
        >
          Complete
        </button>
      )}
      {o.status === "OPEN" && completing && (
        <div className="confirm">
          <input
            placeholder="Notes (optional)"
            maxLength={LIMITS.repairNotesMax}
            value={notes}
            onChange={(e) => setNotes(e.target.value)}
            data-testid="repair-notes"
          />
          <button
            type="button"
            className="btn btn-primary"
            disabled={loading}
            onClick={doComplete}
            data-testid="repair-complete-confirm"
          >
            {loading ? "Completing…" : "Car is ready"}
          </button>
          <button type="button" className="btn btn-ghost" onClick={() => setCompleting(false)}>
            Back
          </button>
        </div>
      )}
      {error && (
        <p className="alert alert-error" role="alert" data-testid="repair-complete-error">
          {error}
        </p>
      )}
    </article>
  );
}
