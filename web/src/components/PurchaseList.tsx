// Purchases with live status: the query gives the current state, the two subscriptions push every
// later change into Apollo's normalized cache (Purchase:<id>, Consignment:<id>), so rows re-render
// in place without a reload.
import { useApolloClient, useMutation, useQuery, useSubscription } from "@apollo/client/react";
import { useState } from "react";
import { describeError } from "../errors.ts";
import { formatDateTime, formatEta, formatKrw, humanize, vehicleName } from "../format.ts";
import {
  CANCEL_PURCHASE,
  DELIVERY_CHANGED,
  MY_PURCHASES,
  PURCHASE_CHANGED,
  REQUEST_RETURN,
  type Purchase,
} from "../graphql.ts";
import { canReturn, LIMITS, requiredReason, returnClosesAt } from "../rules.ts";
import { StatusPill } from "./StatusPill.tsx";

/** Keeps MY_PURCHASES current: adds purchases it did not know, links consignments created later. */
export function useLivePurchases(onChange?: () => void) {
  const client = useApolloClient();
  const query = useQuery(MY_PURCHASES, { fetchPolicy: "cache-and-network" });
  const { refetch } = query;

  useSubscription(PURCHASE_CHANGED, {
    variables: {},
    onData: ({ data }) => {
      const p = data.data?.purchaseStatusChanged;
      if (!p) return;
      client.cache.updateQuery({ query: MY_PURCHASES }, (d) =>
        d && !d.myPurchases.some((x) => x.id === p.id) ? { myPurchases: [p, ...d.myPurchases] } : undefined,
      );
      onChange?.();
    },
  });

  useSubscription(DELIVERY_CHANGED, {
    variables: {},
    onData: ({ data }) => {
      const c = data.data?.deliveryStatusChanged;
      // Purchase.consignment is the delivery; a return pickup of the same purchase is another job.
      if (!c?.purchaseId || c.kind !== "DELIVERY") return;
      // The consignment is created after the purchase: point the purchase at it.
      const linked = client.cache.modify<Purchase>({
        id: client.cache.identify({ __typename: "Purchase", id: c.purchaseId }),
        fields: {
          consignment: (_old, { toReference }) =>
            toReference({ __typename: "Consignment", id: c.id }) ?? null,
        },
      });
      if (!linked) void refetch();
      onChange?.();
    },
  });

  return query;
}

const STEPS = ["Paid", "Driver assigned", "On the way", "Delivered"] as const;
const RETURN_STEPS = ["Delivered", "Return requested", "Returned & refunded"] as const;

function stepOf(p: Purchase): number {
  // A returned car was delivered first.
  if (p.status === "DELIVERED" || p.status === "RETURN_REQUESTED" || p.status === "RETURNED") return 3;
  if (p.status === "DELIVERING" || p.consignment?.status === "PICKED_UP") return 2;
  if (p.consignment?.status === "ASSIGNED") return 1;
  return 0;
}

function Progress({ purchase }: { purchase: Purchase }) {
  if (purchase.status === "CANCELLED") return null;
  const returning = purchase.status === "RETURN_REQUESTED" || purchase.status === "RETURNED";
  const steps = returning ? RETURN_STEPS : STEPS;
  const step = returning ? (purchase.status === "RETURNED" ? 2 : 1) : stepOf(purchase);
  return (
    <ol className="progress" aria-label={returning ? "Return progress" : "Delivery progress"}>
      {steps.map((label, i) => (
        <li key={label} className={i < step ? "done" : i === step ? "current" : ""}>
          {label}
        </li>
      ))}
    </ol>
  );
}

function PurchaseRow({
  purchase: p,
  showBuyer,
  highlight,
}: {
  purchase: Purchase;
  showBuyer: boolean;
  highlight: boolean;
}) {
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [cancel, { loading }] = useMutation(CANCEL_PURCHASE);
  const cancellable = p.status === "PAID" || p.status === "DELIVERING";
  const driver = p.consignment?.driver?.name;
  // Only the buyer returns a car (staff see every purchase with showBuyer).
  const returnable = !showBuyer && canReturn(p);

  const doCancel = async () => {
    setError(null);
    try {
      await cancel({ variables: { id: p.id, reason: reason.trim() || undefined } });
      setConfirming(false);
    } catch (err) {
      setError(describeError(err).message);
    }
  };

  return (
    <article
      className={`card purchase ${highlight ? "highlight" : ""}`}
      data-testid="purchase-row"
      data-purchase-id={p.id}
      data-status={p.status}
    >
      <header className="purchase-head">
        <div>
          <h3 data-testid="purchase-vehicle">{vehicleName(p.vehicle)}</h3>
          <p className="muted small">
            {formatKrw(p.priceKrw)} · bought {formatDateTime(p.createdAt)}
            {showBuyer && (
              <>
                {" "}
                · buyer <strong data-testid="purchase-buyer">{p.buyer.name}</strong>
              </>
            )}
          </p>
        </div>
        <StatusPill testId="purchase-status" value={p.status} />
      </header>
      <Progress purchase={p} />
      <dl className="facts">
        <div>
          <dt>Payment</dt>
          <dd data-testid="payment-status">{p.payment ? humanize(p.payment.status) : "—"}</dd>
        </div>
        <div>
          <dt>Delivery</dt>
          <dd data-testid="consignment-status">
            {p.consignment ? humanize(p.consignment.status) : "Waiting for dispatch"}
          </dd>
        </div>
        <div>
          <dt>Driver</dt>
          <dd data-testid="driver-name">{driver ?? "—"}</dd>
        </div>
        <div>
          <dt>ETA</dt>
          <dd data-testid="eta" data-eta={p.consignment?.eta ?? ""}>
            {p.deliveredAt && p.status !== "CANCELLED"
              ? `Delivered ${formatDateTime(p.deliveredAt)}`
              : formatEta(p.consignment?.eta)}
          </dd>
        </div>
      </dl>
      {cancellable && !confirming && (
        <button
          type="button"
          className="btn btn-ghost btn-danger"
          data-testid="cancel-button"
          onClick={() => setConfirming(true)}
        >
          Cancel purchase
        </button>
      )}
      {cancellable && confirming && (
        <div className="confirm">
          <input
            placeholder="Reason (optional)"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            data-testid="cancel-reason"
          />
          <button
            type="button"
            className="btn btn-danger"
            disabled={loading}
            onClick={doCancel}
            data-testid="cancel-confirm"
          >
            {loading ? "Cancelling…" : "Confirm cancel & refund"}
          </button>
          <button type="button" className="btn btn-ghost" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </div>
      )}
      {error && (
        <p className="alert alert-error" role="alert" data-testid="cancel-error">
          {error}
        </p>
      )}
      {returnable && <ReturnCar purchase={p} />}
      {p.status === "RETURN_REQUESTED" && (
        <p className="small" data-testid="return-note">
          Return requested: a driver fetches the car; the payment is refunded once it is back on our lot.
        </p>
      )}
      {p.status === "RETURNED" && (
        <p className="small" data-testid="return-note">
          Returned. The payment is refunded.
        </p>
      )}
    </article>
  );
}

/** The "Return" button of a delivered car, during the return window; a reason is required. */
function ReturnCar({ purchase: p }: { purchase: Purchase }) {
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState("");
  const [reasonError, setReasonError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [requestReturn, { loading }] = useMutation(REQUEST_RETURN);
  const closes = returnClosesAt(p.deliveredAt);

  const doReturn = async () => {
    setError(null);
    const wrong = requiredReason(reason, LIMITS.reasonMax);
    setReasonError(wrong);
    if (wrong) return;
    try {
      await requestReturn({ variables: { purchaseId: p.id, reason: reason.trim() } });
      setConfirming(false);
    } catch (err) {
      const d = describeError(err);
      if (d.field === "reason") setReasonError(d.message.replace(/^Please check your input: /, ""));
      else setError(d.message);
    }
  };

  return (
    <div className="return-car">
      {!confirming ? (
        <button
          type="button"
          className="btn btn-ghost btn-danger"
          data-testid="return-button"
          onClick={() => setConfirming(true)}
        >
          Return the car
        </button>
      ) : (
        <div className="confirm">
          <input
            placeholder="Why do you return it? (required)"
            maxLength={LIMITS.reasonMax}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            aria-invalid={Boolean(reasonError)}
            data-testid="return-reason"
          />
          <button
            type="button"
            className="btn btn-danger"
            disabled={loading}
            onClick={doReturn}
            data-testid="return-confirm"
          >
            {loading ? "Sending…" : "Return for a refund"}
          </button>
          <button type="button" className="btn btn-ghost" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </div>
      )}
      {reasonError && (
        <span className="field-error" data-testid="return-reason-error">
          {reasonError}
        </span>
      )}
      {closes && (
        <p className="muted small" data-testid="return-window">
          You can return the car until {formatDateTime(closes.toISOString())}.
        </p>
      )}
      {error && (
        <p className="alert alert-error" role="alert" data-testid="return-error">
          {error}
        </p>
      )}
    </div>
  );
}

export function PurchaseList({
  showBuyer = false,
  highlightId,
  onChange,
}: {
  showBuyer?: boolean;
  highlightId?: string | null;
  onChange?: () => void;
}) {
  const { data, loading, error } = useLivePurchases(onChange);
  const purchases = data?.myPurchases ?? [];
  if (loading && !data) return <p className="muted">Loading purchases…</p>;
  return (
    <div className="purchase-list" data-testid="purchase-list">
      {error && !data && <p className="alert alert-error">{describeError(error).message}</p>}
      {purchases.length === 0 && !error && (
        <p className="empty" data-testid="no-purchases">
          {showBuyer ? "No purchases yet." : "You have not bought a car yet. Find one under “Find a car”."}
        </p>
      )}
      {purchases.map((p) => (
        <PurchaseRow key={p.id} purchase={p} showBuyer={showBuyer} highlight={p.id === highlightId} />
      ))}
    </div>
  );
}
