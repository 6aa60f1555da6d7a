// Staff decide on sellers' offers: accept (the seller is paid out and a driver fetches the car) or
// reject with a reason the seller reads. New requests arrive live (sellRequestStatusChanged: STAFF
// receive every sell request's changes).
import { useMutation, useQuery, useSubscription } from "@apollo/client/react";
import { useState } from "react";
import { describeError } from "../errors.ts";
import { formatDateTime, formatKm, formatKrw, humanize } from "../format.ts";
import {
  ACCEPT_SELL_REQUEST,
  REJECT_SELL_REQUEST,
  SELL_REQUEST_CHANGED,
  SELL_REQUESTS,
  type SellRequest,
} from "../graphql.ts";
import { LIMITS, requiredReason } from "../rules.ts";

export function PendingSellRequests() {
  const { data, error, refetch } = useQuery(SELL_REQUESTS, {
    variables: { status: "PENDING" },
    fetchPolicy: "cache-and-network",
  });
  // Any change may add a request to the pending list or take one out of it.
  useSubscription(SELL_REQUEST_CHANGED, { variables: {}, onData: () => void refetch() });
  const [decided, setDecided] = useState<SellRequest | null>(null);
  const pending = (data?.sellRequests ?? []).filter((sr) => sr.status === "PENDING");

  return (
    <section className="card sell-requests" data-testid="pending-sell-requests">
      <h2>
        Cars offered to us{" "}
        <span className="count" data-testid="pending-count">
          {pending.length}
        </span>
      </h2>
      {error && !data && <p className="alert alert-error">{describeError(error).message}</p>}
      {decided && (
        <p className="alert alert-ok" data-testid="sell-decision" data-status={decided.status}>
          {decided.status === "ACCEPTED"
            ? `Accepted: ${decided.seller.name} is paid ${formatKrw(decided.quote.offerKrw)} and a pickup job is offered to drivers.`
            : `Rejected: ${decided.seller.name} was told why.`}
        </p>
      )}
      {data && pending.length === 0 && (
        <p className="empty" data-testid="no-pending-sell-requests">
          No offers waiting for a decision.
        </p>
      )}
      <div className="job-list">
        {pending.map((sr) => (
          <PendingRow
            key={sr.id}
            request={sr}
            onDecided={(d) => {
              setDecided(d);
              void refetch();
            }}
          />
        ))}
      </div>
    </section>
  );
}

function PendingRow({
  request: sr,
  onDecided,
}: {
  request: SellRequest;
  onDecided: (d: SellRequest) => void;
}) {
  const [accept, a] = useMutation(ACCEPT_SELL_REQUEST);
  const [reject, r] = useMutation(REJECT_SELL_REQUEST);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState("");
  const [reasonError, setReasonError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const busy = a.loading || r.loading;
  const q = sr.quote;

  const doAccept = async () => {
    setError(null);
    try {
      const res = await accept({ variables: { id: sr.id } });
      if (res.data) onDecided(res.data.acceptSellRequest);
    } catch (err) {
      setError(describeError(err).message);
    }
  };

  const doReject = async () => {
    setError(null);
    const wrong = requiredReason(reason);
    setReasonError(wrong);
    if (wrong) return;
    try {
      const res = await reject({ variables: { id: sr.id, reason: reason.trim() } });
      if (res.data) onDecided(res.data.rejectSellRequest);
    } catch (err) {
      const d = describeError(err);
      if (d.field === "reason") setReasonError(d.message.replace(/^Please check your input: /, ""));
      else setError(d.message);
    }
  };

  return (
    <article className="card job" data-testid="pending-sell-request" data-sell-request-id={sr.id}>
      <header className="purchase-head">
        <div>
          <h3>
            {q.year} {q.make} {q.model}
          </h3>
          <p className="muted small">
            from <strong data-testid="pending-seller">{sr.seller.name}</strong> · {formatKm(q.mileageKm)} ·{" "}
            {humanize(q.condition)} · <span className="mono">{q.vin}</span> · {formatDateTime(sr.createdAt)}
          </p>
        </div>
        <span className="price" data-testid="pending-offer">
          {formatKrw(q.offerKrw)}
        </span>
      </header>
      <p className="small muted">{q.basis}</p>
      {!rejecting ? (
        <div className="actions">
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy}
            onClick={doAccept}
            data-testid="accept-sell-button"
          >
            {a.loading ? "Accepting…" : `Accept & pay ${formatKrw(q.offerKrw)}`}
          </button>
          <button
            type="button"
            className="btn btn-ghost btn-danger"
            disabled={busy}
            onClick={() => setRejecting(true)}
            data-testid="reject-sell-button"
          >
            Reject
          </button>
        </div>
      ) : (
        <>
          <div className="confirm">
            <input
              placeholder="Reason the seller reads (required)"
              maxLength={LIMITS.reasonMax}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              aria-invalid={Boolean(reasonError)}
              data-testid="reject-reason-input"
            />
            <button
              type="button"
              className="btn btn-danger"
              disabled={busy}
              onClick={doReject}
              data-testid="reject-confirm"
            >
              {r.loading ? "Rejecting…" : "Reject offer"}
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => setRejecting(false)}>
              Back
            </button>
          </div>
          {reasonError && (
            <span className="field-error" data-testid="reject-reason-error">
              {reasonError}
            </span>
          )}
        </>
      )}
      {error && (
        <p className="alert alert-error" role="alert" data-testid="sell-decision-error">
          {error}
        </p>
      )}
    </article>
  );
}
