import { useApolloClient, useMutation, useQuery } from "@apollo/client/react";
import { useCallback, useRef, useState, type FormEvent } from "react";
import { PendingSellRequests } from "../components/PendingSellRequests.tsx";
import { PurchaseList } from "../components/PurchaseList.tsx";
import { RepairOrders } from "../components/RepairOrders.tsx";
import { describeError } from "../errors.ts";
import { formatKrw, vehicleName } from "../format.ts";
import {
  REGISTER_VEHICLE,
  STOCK_SUMMARY,
  VEHICLES,
  type RegisterVehicleInput,
  type Vehicle,
} from "../graphql.ts";

export function StaffView() {
  const client = useApolloClient();
  // Stock follows purchases and the workshop through events (reserved, sold, in repair, back in
  // stock): re-read it shortly after each live purchase or delivery change, and each repair order.
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const refreshStock = useCallback(() => {
    clearTimeout(timer.current);
    const refetch = () => void client.refetchQueries({ include: [STOCK_SUMMARY, VEHICLES] });
    // Twice: stock applies the change a moment after the purchase (or delivery) event.
    timer.current = setTimeout(() => {
      refetch();
      timer.current = setTimeout(refetch, 2_000);
    }, 600);
  }, [client]);

  return (
    <div className="staff">
      <RegisterVehicle onRegistered={() => void client.refetchQueries({ include: [STOCK_SUMMARY] })} />
      <StockSummary />
      <PendingSellRequests />
      <RepairOrders onChange={refreshStock} />
      <section className="staff-purchases">
        <h2>All purchases (live)</h2>
        <PurchaseList showBuyer onChange={refreshStock} />
      </section>
    </div>
  );
}

function StockSummary() {
  const { data, error, refetch, loading } = useQuery(STOCK_SUMMARY, { fetchPolicy: "cache-and-network" });
  const lines = data?.stockSummary ?? [];
  const total = lines.reduce(
    (acc, l) => ({ available: acc.available + l.available, onLot: acc.onLot + l.onLot }),
    { available: 0, onLot: 0 },
  );
  return (
    <section className="card stock" data-testid="stock-summary">
      <div className="section-head">
        <h2>Stock</h2>
        <button
          type="button"
          className="btn btn-ghost"
          disabled={loading}
          onClick={() => void refetch()}
          data-testid="stock-refresh"
        >
          Refresh
        </button>
      </div>
      {error && !data && <p className="alert alert-error">{describeError(error).message}</p>}
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Make</th>
              <th>Model</th>
              <th className="num">Available</th>
              <th className="num">On the lot</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => (
              <tr
                key={`${l.make}/${l.model}`}
                data-testid="stock-row"
                data-make={l.make}
                data-model={l.model}
              >
                <td>{l.make}</td>
                <td>{l.model}</td>
                <td className="num" data-testid="stock-available">
                  {l.available}
                </td>
                <td className="num" data-testid="stock-onlot">
                  {l.onLot}
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <td colSpan={2}>Total</td>
              <td className="num" data-testid="stock-total-available">
                {total.available}
              </td>
              <td className="num">{total.onLot}</td>
            </tr>
          </tfoot>
        </table>
      </div>
    </section>
  );
}

type Field = keyof RegisterVehicleInput;
const EMPTY = { vin: "", make: "", model: "", year: "", mileageKm: "", priceKrw: "", color: "", fuel: "" };
const FIELDS: { name: Field; label: string; type?: string; placeholder?: string; optional?: boolean }[] = [
  { name: "vin", label: "VIN", placeholder: "17 characters, no I/O/Q" },
  { name: "make", label: "Make", placeholder: "Hyundai" },
  { name: "model", label: "Model", placeholder: "Avante" },
  { name: "year", label: "Year", type: "number", placeholder: "2021" },
  { name: "mileageKm", label: "Mileage (km)", type: "number", placeholder: "42000" },
  { name: "priceKrw", label: "Price (₩)", type: "number", placeholder: "18900000" },
  { name: "color", label: "Colour", optional: true, placeholder: "White" },
  { name: "fuel", label: "Fuel", optional: true, placeholder: "Gasoline" },
];

function RegisterVehicle({ onRegistered }: { onRegistered: (v: Vehicle) => void }) {
  const [form, setForm] = useState(EMPTY);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [registered, setRegistered] = useState<Vehicle | null>(null);
  const [register, { loading }] = useMutation(REGISTER_VEHICLE);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFieldErrors({});
    setError(null);
    setRegistered(null);
    // Whole numbers are checked here (the schema types them Int!); every other rule is the API's,
    // whose BAD_USER_INPUT names the field (extensions.field), shown next to it.
    const num = (s: string) => (s.trim() === "" ? Number.NaN : Number(s.replace(/,/g, "")));
    const input: RegisterVehicleInput = {
      vin: form.vin,
      make: form.make,
      model: form.model,
      year: num(form.year),
      mileageKm: num(form.mileageKm),
      priceKrw: num(form.priceKrw),
      color: form.color.trim() || undefined,
      fuel: form.fuel.trim() || undefined,
    };
    const missing = (["year", "mileageKm", "priceKrw"] as const).filter((k) => !Number.isInteger(input[k]));
    if (missing.length) {
      setFieldErrors(Object.fromEntries(missing.map((k) => [k, "Enter a whole number."])));
      return;
    }
    try {
      const r = await register({ variables: { input } });
      if (r.data) {
        setRegistered(r.data.registerVehicle);
        setForm(EMPTY);
        onRegistered(r.data.registerVehicle);
      }
    } catch (err) {
      const d = describeError(err);
      const field = (d.field ?? (d.code === "DUPLICATE_VIN" ? "vin" : undefined)) as Field | undefined;
      if (field && FIELDS.some((f) => f.name === field))
        setFieldErrors({ [field]: d.code === "BAD_USER_INPUT" ? rawMessage(err) : d.message });
      else setError(d.message);
    }
  };

  return (
    <form className="card register" onSubmit={submit} noValidate data-testid="register-form">
      <h2>Register a vehicle</h2>
      <div className="form-grid">
        {FIELDS.map((f) => (
          <label key={f.name} className={fieldErrors[f.name] ? "invalid" : ""}>
            <span>
              {f.label}
              {f.optional && <span className="muted optional"> (optional)</span>}
            </span>
            <input
              type={f.type ?? "text"}
              inputMode={f.type === "number" ? "numeric" : undefined}
              placeholder={f.placeholder}
              value={form[f.name]}
              onChange={(e) => setForm((s) => ({ ...s, [f.name]: e.target.value }))}
              aria-invalid={Boolean(fieldErrors[f.name])}
              data-testid={`reg-${f.name}`}
            />
            {fieldErrors[f.name] && (
              <span className="field-error" data-testid={`field-error-${f.name}`}>
                {fieldErrors[f.name]}
              </span>
            )}
          </label>
        ))}
      </div>
      {error && (
        <p className="alert alert-error" role="alert" data-testid="register-error">
          {error}
        </p>
      )}
      {registered && (
        <p className="alert alert-ok" data-testid="register-success">
          Registered the {vehicleName(registered)} at {formatKrw(registered.priceKrw)}. It is on sale now.
        </p>
      )}
      <button type="submit" className="btn btn-primary" disabled={loading} data-testid="register-submit">
        {loading ? "Registering…" : "Register vehicle"}
      </button>
    </form>
  );
}

/** The API's own wording of a validation error ("must be 17 characters …"), which names the rule. */
function rawMessage(err: unknown): string {
  const d = describeError(err);
  return d.message.replace(/^Please check your input: /, "");
}
