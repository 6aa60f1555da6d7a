import type { AdmissionStats } from "@junggo/runtime";

/** The purchase service's admission-gate metrics (requestPurchase), by their exported names. */
export function admissionMetrics(s: AdmissionStats): Record<string, number> {
  return {
    junggo_purchase_admission_in_flight: s.inFlight,
    junggo_purchase_admission_queued: s.queued,
    junggo_purchase_admission_admitted_total: s.admitted,
    junggo_purchase_admission_waited_total: s.queuedAdmitted,
    junggo_purchase_overloaded_total: s.rejectedFull + s.rejectedWait,
    junggo_purchase_overloaded_queue_full_total: s.rejectedFull,
    junggo_purchase_overloaded_wait_total: s.rejectedWait,
  };
}
