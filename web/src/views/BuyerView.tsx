import { useMutation, useQuery } from "@apollo/client/react";
import { useEffect, useState, type FormEvent } from "react";
import { PurchaseList } from "../components/PurchaseList.tsx";
import { StatusPill } from "../components/StatusPill.tsx";
import { describeError, type ApiError } from "../errors.ts";
import { formatKm, formatKrw, vehicleName } from "../format.ts";
import {
  MY_PURCHASES,
  REQUEST_PURCHASE,
  STOCK_SUMMARY,
  VEHICLE,
  VEHICLES,
  type Purchase,
  type VehicleFilter,
} from "../graphql.ts";

const PAGE_SIZE = 12;

type Tab = "browse" | "purchases";

export function BuyerView({ canBuy }: { canBuy: boolean }) {
  const [tab, setTab] = useState<Tab>("browse");
  const [justBought, setJustBought] = useState<Purchase | null>(null);

  return (
    <>
      <div className="tabs" role="tablist">
        <button
          type="button"
          role="tab"
          aria-selected={tab === "browse"}
          data-testid="tab-browse"
          onClick={() => setTab("browse")}
        >
          Find a car
        </button>
        {canBuy && (
          <button
            type="button"
            role="tab"
            aria-selected={tab === "purchases"}
            data-testid="tab-purchases"
            onClick={() => setTab("purchases")}
          >
            My purchases
          </button>
        )}
      </div>
      {/* Both stay mounted: the search keeps its state and the purchases keep listening. */}
      <section hidden={tab !== "browse"}>
        <VehicleSearch
          canBuy={canBuy}
          onPurchased={(p) => {
            setJustBought(p);
            setTab("purchases");
          }}
        />
      </section>
      {canBuy && (
        <section hidden={tab !== "purchases"} data-testid="purchases-page">
          {justBought && (
            <p className="alert alert-ok" data-testid="buy-success">
              Payment approved: {formatKrw(justBought.priceKrw)} for the {vehicleName(justBought.vehicle)}. A
              driver will be assigned shortly — this page updates by itself.
            </p>
          )}
          <PurchaseList highlightId={justBought?.id} />
        </section>
      )}
    </>
  );
}

interface FilterForm {
  make: string;
  model: string;
  minYear: string;
  maxYear: string;
  minPrice: string;
  maxPrice: string;
  maxMileage: string;
  availableOnly: boolean;
}

const EMPTY_FORM: FilterForm = {
  make: "",
  model: "",
  minYear: "",
  maxYear: "",
  minPrice: "",
  maxPrice: "",
  maxMileage: "",
  availableOnly: true,
};

const int = (s: string, scale = 1): number | undefined => {
  const n = Number(s.replace(/,/g, ""));
  return s.trim() === "" || !Number.isFinite(n) ? undefined : Math.round(n * scale);
};

function toFilter(f: FilterForm): VehicleFilter {
  const filter: VehicleFilter = {
    make: f.make.trim() || undefined,
    model: f.model.trim() || undefined,
    minYear: int(f.minYear),
    maxYear: int(f.maxYear),
    // Prices are typed in millions of won.
    minPriceKrw: int(f.minPrice, 1_000_000),
    maxPriceKrw: int(f.maxPrice, 1_000_000),
    maxMileageKm: int(f.maxMileage),
    status: f.availableOnly ? "AVAILABLE" : undefined,
  };
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as VehicleFilter;
}

function VehicleSearch({ canBuy, onPurchased }: { canBuy: boolean; onPurchased: (p: Purchase) => void }) {
  const [form, setForm] = useState<FilterForm>(EMPTY_FORM);
  const [filter, setFilter] = useState<VehicleFilter>(() => toFilter(EMPTY_FORM));
  // Cursors of the pages visited so far: page n starts after cursors[n].
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const page = cursors.length - 1;
  const [selected, setSelected] = useState<string | null>(null);

  const { data, loading, error } = useQuery(VEHICLES, {
    variables: { filter, first: PAGE_SIZE, after: cursors[page] },
    fetchPolicy: "cache-and-network",
  });
  const { data: stock } = useQuery(STOCK_SUMMARY);
  const makes = [...new Set(stock?.stockSummary.map((l) => l.make) ?? [])];
  const models = [
    ...new Set(
      stock?.stockSummary.filter((l) => !form.make || l.make === form.make).map((l) => l.model) ?? [],
    ),
  ];

  const set = (k: keyof FilterForm) => (e: { target: HTMLInputElement }) =>
    setForm((f) => ({ ...f, [k]: k === "availableOnly" ? e.target.checked : e.target.value }));

  const search = (e: FormEvent) => {
    e.preventDefault();
    setFilter(toFilter(form));
    setCursors([null]);
  };
  const reset = () => {
    setForm(EMPTY_FORM);
    setFilter(toFilter(EMPTY_FORM));
    setCursors([null]);
  };

  const conn = data?.vehicles;
  const pages = conn ? Math.max(1, Math.ceil(conn.totalCount / PAGE_SIZE)) : 1;

  return (
    <div className="browse">
      <form className="card filters" onSubmit={search} data-testid="filters">
        <h2>Find a car</h2>
        <label>
          Make
          <input
            list="makes"
            value={form.make}
            onChange={set("make")}
            placeholder="Any"
            data-testid="filter-make"
          />
          <datalist id="makes">
            {makes.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
        </label>
        <label>
          Model
          <input
            list="models"
            value={form.model}
            onChange={set("model")}
            placeholder="Any"
            data-testid="filter-model"
          />
          <datalist id="models">
            {models.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
        </label>
        <div className="row2">
          <label>
            Year from
            <input
              type="number"
              inputMode="numeric"
              min={1980}
              value={form.minYear}
              onChange={set("minYear")}
              data-testid="filter-min-year"
            />
          </label>
          <label>
            to
            <input
              type="number"
              inputMode="numeric"
              min={1980}
              value={form.maxYear}
              onChange={set("maxYear")}
              data-testid="filter-max-year"
            />
          </label>
        </div>
        <div className="row2">
          <label>
            Price from
            <input
              type="number"
              inputMode="decimal"
              min={0}
              step="any"
              placeholder="₩ million"
              value={form.minPrice}
              onChange={set("minPrice")}
              data-testid="filter-min-price"
            />
          </label>
          <label>
            to
            <input
              type="number"
              inputMode="decimal"
              min={0}
              step="any"
              placeholder="₩ million"
              value={form.maxPrice}
              onChange={set("maxPrice")}
              data-testid="filter-max-price"
            />
          </label>
        </div>
        <label>
          Max mileage (km)
          <input
            type="number"
            inputMode="numeric"
            min={0}
            step={1000}
            value={form.maxMileage}
            onChange={set("maxMileage")}
            data-testid="filter-max-mileage"
          />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={form.availableOnly}
            onChange={set("availableOnly")}
            data-testid="filter-available"
          />{" "}
          Available only
        </label>
        <div className="actions">
          <button type="submit" className="btn btn-primary" data-testid="filter-submit">
            Search
          </button>
          <button type="button" className="btn btn-ghost" onClick={reset}>
            Reset
          </button>
        </div>
      </form>

      <div className="results">
        <div className="results-head">
          <span data-testid="result-count">
            {conn ? `${conn.totalCount} car${conn.totalCount === 1 ? "" : "s"}` : loading ? "Searching…" : ""}
          </span>
          {error && <span className="alert alert-error">{describeError(error).message}</span>}
        </div>
        {conn && conn.edges.length === 0 && (
          <p className="empty" data-testid="no-results">
            No cars match these filters.
          </p>
        )}
        <div className="grid" data-testid="vehicle-grid">
          {conn?.edges.map(({ node: v }) => (
            <button
              key={v.id}
              type="button"
              className={`card vehicle-card ${selected === v.id ? "selected" : ""}`}
              data-testid="vehicle-card"
              data-vehicle-id={v.id}
              onClick={() => setSelected(v.id)}
            >
              <span className="vehicle-title">{vehicleName(v)}</span>
              <span className="price">{formatKrw(v.priceKrw)}</span>
              <span className="muted small">
                {formatKm(v.mileageKm)}
                {v.fuel ? ` · ${v.fuel}` : ""}
                {v.color ? ` · ${v.color}` : ""}
              </span>
              <StatusPill value={v.status} />
            </button>
          ))}
        </div>
        {conn && pages > 1 && (
          <div className="pager">
            <button
              type="button"
              className="btn btn-ghost"
              disabled={page === 0}
              onClick={() => setCursors((c) => c.slice(0, -1))}
              data-testid="page-prev"
            >
              ← Previous
            </button>
            <span data-testid="page-info">
              Page {page + 1} of {pages}
            </span>
            <button
              type="button"
              className="btn btn-ghost"
              disabled={!conn.pageInfo.hasNextPage}
              onClick={() => setCursors((c) => [...c, conn.pageInfo.endCursor])}
              data-testid="page-next"
            >
              Next →
            </button>
          </div>
        )}
      </div>

      {selected && (
        <VehicleDetail
          key={selected}
          id={selected}
          canBuy={canBuy}
          onClose={() => setSelected(null)}
          onPurchased={onPurchased}
        />
      )}
    </div>
  );
}

function VehicleDetail({
  id,
  canBuy,
  onClose,
  onPurchased,
}: {
  id: string;
  canBuy: boolean;
  onClose: () => void;
  onPurchased: (p: Purchase) => void;
}) {
  const { data, loading, refetch } = useQuery(VEHICLE, {
    variables: { id },
    fetchPolicy: "cache-and-network",
  });
  const [buy, { loading: buying }] = useMutation(REQUEST_PURCHASE);
  const [error, setError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [waitUntil, setWaitUntil] = useState(0);
  const [now, setNow] = useState(Date.now());

  // Count down the "try again in N s" of PAYMENT_UNAVAILABLE.
  useEffect(() => {
    if (waitUntil <= Date.now()) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [waitUntil]);
  const waiting = Math.max(0, Math.ceil((waitUntil - now) / 1000));

  const v = data?.vehicle;
  const doBuy = async () => {
    setError(null);
    setAttempt((n) => n + 1);
    try {
      const r = await buy({
        variables: { vehicleId: id },
        update: (cache, { data: d }) => {
          const p = d?.requestPurchase;
          if (!p) return;
          cache.updateQuery({ query: MY_PURCHASES }, (old) =>
            old && !old.myPurchases.some((x) => x.id === p.id)
              ? { myPurchases: [p, ...old.myPurchases] }
              : undefined,
          );
        },
      });
      if (r.data) onPurchased(r.data.requestPurchase);
    } catch (err) {
      const e = describeError(err);
      setError(e);
      if (e.code === "PAYMENT_UNAVAILABLE") {
        setWaitUntil(Date.now() + (e.retryAfterSeconds ?? 5) * 1000);
        setNow(Date.now());
      }
      if (e.code === "VEHICLE_NOT_AVAILABLE") void refetch();
    }
  };

  return (
    <aside className="card detail" data-testid="vehicle-detail" data-vehicle-id={id}>
      <button type="button" className="close" aria-label="Close" onClick={onClose}>
        ×
      </button>
      {!v && loading && <p className="muted">Loading…</p>}
      {!v && !loading && <p className="empty">This car is no longer listed.</p>}
      {v && (
        <>
          <h2 data-testid="detail-title">{vehicleName(v)}</h2>
          <p className="price price-large" data-testid="detail-price">
            {formatKrw(v.priceKrw)}
          </p>
          <StatusPill testId="detail-status" value={v.status} />
          <dl className="specs">
            <dt>Mileage</dt>
            <dd>{formatKm(v.mileageKm)}</dd>
            <dt>Year</dt>
            <dd>{v.year}</dd>
            <dt>Fuel</dt>
            <dd>{v.fuel ?? "—"}</dd>
            <dt>Colour</dt>
            <dd>{v.color ?? "—"}</dd>
            <dt>VIN</dt>
            <dd className="mono">{v.vin}</dd>
          </dl>
          {canBuy ? (
            <button
              type="button"
              className="btn btn-primary btn-block"
              disabled={buying || v.status !== "AVAILABLE" || waiting > 0}
              onClick={doBuy}
              data-testid="buy-button"
            >
              {buying
                ? "Paying…"
                : waiting > 0
                  ? `Try again in ${waiting} s`
                  : v.status === "AVAILABLE"
                    ? `Buy for ${formatKrw(v.priceKrw)}`
                    : "Not available"}
            </button>
          ) : (
            <p className="muted small">Log in as a buyer to purchase.</p>
          )}
          {error && (
            <p
              className="alert alert-error"
              role="alert"
              data-testid="buy-error"
              data-code={error.code ?? ""}
              data-attempt={attempt}
            >
              {error.message}
            </p>
          )}
          <p className="muted small">
            The price is charged when you press Buy. You can cancel for a full refund until the car is
            delivered.
          </p>
        </>
      )}
    </aside>
  );
}
