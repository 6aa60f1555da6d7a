import { useApolloClient, useMutation, useQuery, useSubscription } from "@apollo/client/react";
import { useState } from "react";
import type { Account } from "../auth.ts";
import { StatusPill } from "../components/StatusPill.tsx";
import { describeError } from "../errors.ts";
import { formatDateTime, formatEta, vehicleName } from "../format.ts";
import {
  ACCEPT_JOB,
  COMPLETE_JOB,
  DELIVERY_CHANGED,
  MY_JOBS,
  OPEN_JOBS,
  PICK_UP_JOB,
  type Consignment,
} from "../graphql.ts";
import { JOB_KINDS } from "../rules.ts";

export function DriverView({ account }: { account: Account }) {
  const client = useApolloClient();
  const open = useQuery(OPEN_JOBS, { fetchPolicy: "cache-and-network" });
  const mine = useQuery(MY_JOBS, { fetchPolicy: "cache-and-network" });

  // A driver's subscription carries new open jobs and changes to their own: the payload updates
  // the job in the cache; which list it belongs to may have changed, so both lists are re-read.
  useSubscription(DELIVERY_CHANGED, {
    variables: {},
    onData: () => void client.refetchQueries({ include: [OPEN_JOBS, MY_JOBS] }),
  });

  const openJobs = (open.data?.openConsignments ?? []).filter((j) => j.status === "REQUESTED");
  const myJobs = mine.data?.myConsignments ?? [];
  const active = myJobs.filter((j) => j.status === "ASSIGNED" || j.status === "PICKED_UP");
  const done = myJobs.filter((j) => j.status !== "ASSIGNED" && j.status !== "PICKED_UP");
  // Shown above the lists: the job it is about may leave the list (taken by another driver).
  const [error, setError] = useState<string | null>(null);

  return (
    <div className="driver">
      {error && (
        <p className="alert alert-error driver-error" role="alert" data-testid="job-error">
          {error}
          <button type="button" className="close" aria-label="Dismiss" onClick={() => setError(null)}>
            ×
          </button>
        </p>
      )}
      <section className="column">
        <h2>
          Open jobs{" "}
          <span className="count" data-testid="open-count">
            {openJobs.length}
          </span>
        </h2>
        {open.error && !open.data && <p className="alert alert-error">{describeError(open.error).message}</p>}
        {open.data && openJobs.length === 0 && (
          <p className="empty" data-testid="no-open-jobs">
            No jobs waiting. New jobs appear here as soon as a car is sold, returned or bought from a seller.
          </p>
        )}
        <div className="job-list" data-testid="open-jobs">
          {openJobs.map((j) => (
            <Job key={j.id} job={j} mine={false} testId="open-job" onError={setError} />
          ))}
        </div>
      </section>
      <section className="column">
        <h2>
          My jobs <span className="count">{active.length}</span>
        </h2>
        {mine.data && myJobs.length === 0 && (
          <p className="empty">You have not taken a job yet, {account.name}.</p>
        )}
        <div className="job-list" data-testid="my-jobs">
          {active.map((j) => (
            <Job key={j.id} job={j} mine testId="my-job" onError={setError} />
          ))}
        </div>
        {done.length > 0 && (
          <>
            <h3 className="muted">Finished</h3>
            <div className="job-list">
              {done.map((j) => (
                <Job key={j.id} job={j} mine testId="my-job" onError={setError} />
              ))}
            </div>
          </>
        )}
      </section>
    </div>
  );
}

function Job({
  job: j,
  mine,
  testId,
  onError,
}: {
  job: Consignment;
  mine: boolean;
  testId: string;
  onError: (message: string | null) => void;
}) {
  const client = useApolloClient();
  const [accept, a] = useMutation(ACCEPT_JOB);
  const [pickUp, p] = useMutation(PICK_UP_JOB);
  const [complete, c] = useMutation(COMPLETE_JOB);
  const busy = a.loading || p.loading || c.loading;
  const kind = JOB_KINDS[j.kind];

  const run = async (action: () => Promise<unknown>) => {
    onError(null);
    try {
      await action();
    } catch (err) {
      onError(describeError(err).message);
    }
    await client.refetchQueries({ include: [OPEN_JOBS, MY_JOBS] });
  };

  return (
    <article
      className="card job"
      data-testid={testId}
      data-consignment-id={j.id}
      data-purchase-id={j.purchaseId ?? ""}
      data-sell-request-id={j.sellRequestId ?? ""}
      data-kind={j.kind}
      data-status={j.status}
    >
      <header className="purchase-head">
        <div>
          <h3>{vehicleName(j.vehicle)}</h3>
          <p className={`job-kind job-kind-${j.kind.toLowerCase()}`} data-testid="job-kind">
            {kind.label}
          </p>
          <p className="muted small">
            requested {formatDateTime(j.requestedAt)}
            {j.vehicle.color ? ` · ${j.vehicle.color}` : ""}
          </p>
        </div>
        <StatusPill testId="job-status" value={j.status} />
      </header>
      {mine && j.eta && j.status !== "DELIVERED" && j.status !== "CANCELLED" && (
        <p className="small">
          ETA at {kind.meets}: <strong data-testid="job-eta">{formatEta(j.eta)}</strong>
        </p>
      )}
      <div className="actions">
        {!mine && j.status === "REQUESTED" && (
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy}
            data-testid="accept-button"
            onClick={() => run(() => accept({ variables: { id: j.id } }))}
          >
            Accept job
          </button>
        )}
        {mine && j.status === "ASSIGNED" && (
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy}
            data-testid="pickup-button"
            onClick={() => run(() => pickUp({ variables: { id: j.id } }))}
          >
            Picked up the car
          </button>
        )}
        {mine && j.status === "PICKED_UP" && (
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy}
            data-testid="deliver-button"
            onClick={() => run(() => complete({ variables: { id: j.id } }))}
          >
            Delivered to {kind.destination}
          </button>
        )}
      </div>
    </article>
  );
}
