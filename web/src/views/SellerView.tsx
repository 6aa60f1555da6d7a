// The seller's side: a quote for their car (the offer, how it was computed and until when it
// holds), "Sell to Junggo", and their sell requests with live status.
import { useMutation } from "@apollo/client/react";
import { useState, type FormEvent } from "react";
import { SellRequestList } from "../components/SellRequestList.tsx";
import { describeError, type ApiError } from "../errors.ts";
import { formatDateTime, formatKm, formatKrw, humanize } from "../format.ts";
import {
  MY_SELL_REQUESTS,
  REQUEST_QUOTE,
  SUBMIT_SELL_REQUEST,
  type Quote,
  type SellRequest,
} from "../graphql.ts";
import {
  CONDITIONS,
  EMPTY_QUOTE_FORM,
  validateQuoteForm,
  type QuoteField,
  type QuoteForm,
} from "../rules.ts";

type Tab = "sell" | "requests";

/** Refusals about the car's VIN (another live sell request, or already in our stock). */
const VIN_CODES = new Set(["VIN_ALREADY_OFFERED", "VIN_IN_STOCK"]);

export function SellerView() {
  const [tab, setTab] = useState<Tab>("sell");
  const [justSubmitted, setJustSubmitted] = useState<SellRequest | null>(null);

  return (
    <>
      <div className="tabs" role="tablist">
        <button
          type="button"
          role="tab"
          aria-selected={tab === "sell"}
          data-testid="tab-sell"
          onClick={() => setTab("sell")}
        >
          Sell your car
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={tab === "requests"}
          data-testid="tab-sell-requests"
          onClick={() => setTab("requests")}
        >
          My sell requests
        </button>
      </div>
      {/* Both stay mounted: the form keeps its quote and the list keeps listening. */}
      <section hidden={tab !== "sell"}>
        <QuoteAndSell
          onSubmitted={(sr) => {
            setJustSubmitted(sr);
            setTab("requests");
          }}
        />
      </section>
      <section hidden={tab !== "requests"} data-testid="sell-requests-page">
        {justSubmitted && (
          <p className="alert alert-ok" data-testid="sell-success">
            Offer sent: {formatKrw(justSubmitted.quote.offerKrw)} for your {justSubmitted.quote.year}{" "}
            {justSubmitted.quote.make} {justSubmitted.quote.model}. Our staff will decide shortly — this page
            updates by itself.
          </p>
        )}
        <SellRequestList highlightId={justSubmitted?.id} />
      </section>
    </>
  );
}

const FIELDS: {
  name: Exclude<QuoteField, "condition">;
  label: string;
  numeric?: boolean;
  placeholder: string;
}[] = [
  { name: "vin", label: "VIN", placeholder: "17 characters, no I/O/Q" },
  { name: "make", label: "Make", placeholder: "Hyundai" },
  { name: "model", label: "Model", placeholder: "Avante" },
  { name: "year", label: "Year", numeric: true, placeholder: "2019" },
  { name: "mileageKm", label: "Mileage (km)", numeric: true, placeholder: "52000" },
];

function QuoteAndSell({ onSubmitted }: { onSubmitted: (sr: SellRequest) => void }) {
  const [form, setForm] = useState<QuoteForm>(EMPTY_QUOTE_FORM);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<QuoteField, string>>>({});
  const [quoteError, setQuoteError] = useState<string | null>(null);
  const [quote, setQuote] = useState<Quote | null>(null);
  const [sellError, setSellError] = useState<ApiError | null>(null);
  const [requestQuote, { loading: quoting }] = useMutation(REQUEST_QUOTE);
  const [submit, { loading: submitting }] = useMutation(SUBMIT_SELL_REQUEST);

  const set = (name: QuoteField, value: string) => {
    setForm((f) => ({ ...f, [name]: value }));
    setFieldErrors((e) => (e[name] ? { ...e, [name]: undefined } : e));
    // A quote is for the car as described: changing the description asks for a new one.
    setQuote(null);
    setSellError(null);
  };

  const ask = async (e: FormEvent) => {
    e.preventDefault();
    setQuoteError(null);
    setSellError(null);
    setQuote(null);
    const checked = validateQuoteForm(form);
    if (!checked.ok) {
      setFieldErrors(checked.errors);
      return;
    }
    setFieldErrors({});
    try {
      const r = await requestQuote({ variables: { input: checked.input } });
      if (r.data) setQuote(r.data.requestQuote);
    } catch (err) {
      const d = describeError(err);
      const field = d.field as QuoteField | undefined;
      if (d.code === "BAD_USER_INPUT" && field && field in EMPTY_QUOTE_FORM)
        setFieldErrors({ [field]: d.message.replace(/^Please check your input: /, "") });
      else if (VIN_CODES.has(d.code ?? "")) setFieldErrors({ vin: d.message });
      else setQuoteError(d.message);
    }
  };

  const sell = async () => {
    if (!quote) return;
    setSellError(null);
    try {
      const r = await submit({
        variables: { quoteId: quote.id },
        update: (cache, { data: d }) => {
          const sr = d?.submitSellRequest;
          if (!sr) return;
          cache.updateQuery({ query: MY_SELL_REQUESTS }, (old) =>
            old && !old.mySellRequests.some((x) => x.id === sr.id)
              ? { mySellRequests: [sr, ...old.mySellRequests] }
              : undefined,
          );
        },
      });
      if (r.data) {
        onSubmitted(r.data.submitSellRequest);
        setQuote(null);
        setForm(EMPTY_QUOTE_FORM);
      }
    } catch (err) {
      const d = describeError(err);
      setSellError(d);
      // The VIN is the field at fault: say so next to it too.
      if (VIN_CODES.has(d.code ?? "")) setFieldErrors({ vin: d.message });
    }
  };

  return (
    <div className="seller">
      <form className="card register" onSubmit={ask} noValidate data-testid="quote-form">
        <h2>What is my car worth?</h2>
        <p className="muted small">
          Describe your car and get Junggo's offer at once, computed from comparable cars listed and sold on
          Junggo. The offer holds for 7 days.
        </p>
        <div className="form-grid">
          {FIELDS.map((f) => (
            <label key={f.name} className={fieldErrors[f.name] ? "invalid" : ""}>
              <span>{f.label}</span>
              <input
                type={f.numeric ? "number" : "text"}
                inputMode={f.numeric ? "numeric" : undefined}
                placeholder={f.placeholder}
                value={form[f.name]}
                onChange={(e) => set(f.name, e.target.value)}
                aria-invalid={Boolean(fieldErrors[f.name])}
                data-testid={`quote-${f.name}`}
              />
              {fieldErrors[f.name] && (
                <span className="field-error" data-testid={`field-error-${f.name}`}>
                  {fieldErrors[f.name]}
                </span>
              )}
            </label>
          ))}
          <label className={fieldErrors.condition ? "invalid" : ""}>
            <span>Condition</span>
            <select
              value={form.condition}
              onChange={(e) => set("condition", e.target.value)}
              aria-invalid={Boolean(fieldErrors.condition)}
              data-testid="quote-condition"
            >
              <option value="">Choose…</option>
              {CONDITIONS.map((c) => (
                <option key={c} value={c}>
                  {humanize(c)}
                </option>
              ))}
            </select>
            {fieldErrors.condition && (
              <span className="field-error" data-testid="field-error-condition">
                {fieldErrors.condition}
              </span>
            )}
          </label>
        </div>
        {quoteError && (
          <p className="alert alert-error" role="alert" data-testid="quote-error">
            {quoteError}
          </p>
        )}
        <button type="submit" className="btn btn-primary" disabled={quoting} data-testid="quote-submit">
          {quoting ? "Computing…" : "Get an offer"}
        </button>
      </form>

      {quote && (
        <section className="card quote" data-testid="quote" data-quote-id={quote.id}>
          <h2>
            Our offer for your {quote.year} {quote.make} {quote.model}
          </h2>
          <p className="price price-large" data-testid="quote-offer">
            {formatKrw(quote.offerKrw)}
          </p>
          <p data-testid="quote-basis">{quote.basis}</p>
          <dl className="specs">
            <dt>Comparable cars</dt>
            <dd data-testid="quote-comparables">
              {quote.comparableCount === 0 ? "none (a general estimate)" : quote.comparableCount}
            </dd>
            <dt>Mileage</dt>
            <dd>{formatKm(quote.mileageKm)}</dd>
            <dt>Condition</dt>
            <dd>{humanize(quote.condition)}</dd>
            <dt>VIN</dt>
            <dd className="mono">{quote.vin}</dd>
            <dt>Valid until</dt>
            <dd data-testid="quote-valid-until" data-valid-until={quote.validUntil}>
              {formatDateTime(quote.validUntil)}
            </dd>
          </dl>
          <button
            type="button"
            className="btn btn-primary btn-block"
            disabled={submitting}
            onClick={sell}
            data-testid="sell-submit"
          >
            {submitting ? "Sending…" : `Sell to Junggo for ${formatKrw(quote.offerKrw)}`}
          </button>
          {sellError && (
            <p
              className="alert alert-error"
              role="alert"
              data-testid="sell-error"
              data-code={sellError.code ?? ""}
            >
              {sellError.message}
            </p>
          )}
          <p className="muted small">
            Once our staff accept, you are paid out at once and a driver picks the car up. You can cancel
            until the driver is on the way, and again once the car is on our lot while no buyer holds it.
          </p>
        </section>
      )}
    </div>
  );
}
