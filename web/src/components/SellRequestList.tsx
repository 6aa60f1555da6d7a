// A seller's sell requests with live status: the query gives the current state,
// sellRequestStatusChanged pushes every later step (with its payout, pickup job and car, resolved
// by the gateway from their subgraphs) into Apollo's normalized cache (SellRequest:<id>).
import { useApolloClient, useMutation, useQuery, useSubscription } from "@apollo/client/react";
import { useState } from "react";
import { describeError } from "../errors.ts";
import { formatDateTime, formatEta, formatKrw, humanize } from "../format.ts";
import {
  CANCEL_SELL_REQUEST,
  DELIVERY_CHANGED,
  MY_SELL_REQUESTS,
  SELL_REQUEST_CHANGED,
  type SellRequest,
} from "../graphql.ts";
import { canCancelSellRequest, cancelConsequence, LIMITS, SELL_STEPS, sellStep } from "../rules.ts";
import { StatusPill } from "./StatusPill.tsx";

/** Keeps MY_SELL_REQUESTS current: adds requests it did not know, re-reads on pickup job changes. */
function useLiveSellRequests() {
  const client = useApolloClient();
  const query = useQuery(MY_SELL_REQUESTS, { fetchPolicy: "cache-and-network" });
  const { refetch } = query;

  useSubscription(SELL_REQUEST_CHANGED, {
    variables: {},
    onData: ({ data }) => {
      const sr = data.data?.sellRequestStatusChanged;
      if (!sr) return;
      client.cache.updateQuery({ query: MY_SELL_REQUESTS }, (d) =>
        d && !d.mySellRequests.some((x) => x.id === sr.id)
          ? { mySellRequests: [sr, ...d.mySellRequests] }
          : undefined,
      );
    },
  });

  // The pickup job moves (driver assigned, ETA) between the sell request's own steps: the
  // consignment's subscription carries those, when it sends them to the seller.
  useSubscription(DELIVERY_CHANGED, {
    variables: {},
    onData: ({ data }) => {
      if (data.data?.deliveryStatusChanged.sellRequestId) void refetch();
    },
  });

  return query;
}

function Progress({ status }: { status: SellRequest["status"] }) {
  const step = sellStep(status);
  if (step === null) return null;
  return (
    <ol className="progress" aria-label="Sale progress">
      {SELL_STEPS.map((label, i) => (
        <li key={label} className={i < step ? "done" : i === step ? "current" : ""}>
          {label}
        </li>
      ))}
    </ol>
  );
}

function pickupText(sr: SellRequest): string {
  const p = sr.pickup;
  if (!p) return sr.status === "PENDING" ? "After acceptance" : "—";
  if (p.status === "ASSIGNED" && p.driver) return `${p.driver.name} · ${formatEta(p.eta)}`;
  return humanize(p.status);
}

function vehicleText(sr: SellRequest): string {
  const v = sr.vehicle;
  if (!v) return sr.status === "CANCELLED" || sr.status === "REJECTED" ? "—" : "Not on the lot yet";
  return v.status === "AVAILABLE" ? `Listed at ${formatKrw(v.priceKrw)}` : humanize(v.status);
}

function SellRequestRow({ request: sr, highlight }: { request: SellRequest; highlight: boolean }) {
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [cancel, { loading }] = useMutation(CANCEL_SELL_REQUEST);
  const cancellable = canCancelSellRequest(sr.status);
  const q = sr.quote;

  const doCancel = async () => {
    setError(null);
    try {
      await cancel({ variables: { id: sr.id, reason: reason.trim() || undefined } });
      setConfirming(false);
    } catch (err) {
      setError(describeError(err).message);
    }
  };

  return (
    <article
      className={`card purchase ${highlight ? "highlight" : ""}`}
      data-testid="sell-request-row"
      data-sell-request-id={sr.id}
      data-status={sr.status}
    >
      <header className="purchase-head">
        <div>
          <h3 data-testid="sell-request-vehicle">
            {q.year} {q.make} {q.model}
          </h3>
          <p className="muted small">
            {formatKrw(q.offerKrw)} offered · sent {formatDateTime(sr.createdAt)} ·{" "}
            <span className="mono">{q.vin}</span>
          </p>
        </div>
        <StatusPill testId="sell-request-status" value={sr.status} />
      </header>
      <Progress status={sr.status} />
      <dl className="facts">
        <div>
          <dt>Payout</dt>
          <dd data-testid="payout-status" data-value={sr.payout?.status ?? ""}>
            {sr.payout ? `${humanize(sr.payout.status)} · ${formatKrw(sr.payout.amountKrw)}` : "—"}
          </dd>
        </div>
        <div>
          <dt>Pickup</dt>
          <dd data-testid="pickup-status" data-value={sr.pickup?.status ?? ""}>
            {pickupText(sr)}
          </dd>
        </div>
        <div>
          <dt>Car</dt>
          <dd data-testid="listed-vehicle" data-vehicle-id={sr.vehicle?.id ?? ""}>
            {vehicleText(sr)}
          </dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd>{formatDateTime(sr.updatedAt)}</dd>
        </div>
      </dl>
      {sr.rejectReason && (
        <p className="small" data-testid="reject-reason">
          Rejected: {sr.rejectReason}
        </p>
      )}
      {sr.cancelReason && <p className="small muted">Your reason: {sr.cancelReason}</p>}
      {cancellable && !confirming && (
        <button
          type="button"
          className="btn btn-ghost btn-danger"
          data-testid="cancel-sell-button"
          onClick={() => setConfirming(true)}
        >
          Cancel sale
        </button>
      )}
      {cancellable && confirming && (
        <>
          <p className="small">{cancelConsequence(sr.status)}</p>
          <div className="confirm">
            <input
              placeholder="Reason (optional)"
              maxLength={LIMITS.reasonMax}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              data-testid="cancel-sell-reason"
            />
            <button
              type="button"
              className="btn btn-danger"
              disabled={loading}
              onClick={doCancel}
              data-testid="cancel-sell-confirm"
            >
              {loading ? "Cancelling…" : "Confirm cancel"}
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => setConfirming(false)}>
              Keep selling
            </button>
          </div>
        </>
      )}
      {error && (
        <p className="alert alert-error" role="alert" data-testid="cancel-sell-error">
          {error}
        </p>
      )}
    </article>
  );
}

export function SellRequestList({ highlightId }: { highlightId?: string | null }) {
  const { data, loading, error } = useLiveSellRequests();
  const requests = data?.mySellRequests ?? [];
  if (loading && !data) return <p className="muted">Loading your sell requests…</p>;
  return (
    <div className="purchase-list" data-testid="sell-request-list">
      {error && !data && <p className="alert alert-error">{describeError(error).message}</p>}
      {requests.length === 0 && !error && (
        <p className="empty" data-testid="no-sell-requests">
          You have not offered a car yet. Get an offer under “Sell your car”.
        </p>
      )}
      {requests.map((sr) => (
        <SellRequestRow key={sr.id} request={sr} highlight={sr.id === highlightId} />
      ))}
    </div>
  );
}
