import type { LoginThrottlePolicy } from "../domain/login-throttle.ts";
import type { SpentLoginThrottleRecords } from "./ports.ts";

/**
 * Forgets spent throttle records. Without it the table grows with every mistyped or guessed email
 * (a success clears only real accounts' records). Returns how many were deleted and how many remain.
 */
export function makePurgeLoginThrottle(
  records: SpentLoginThrottleRecords,
  policy: LoginThrottlePolicy,
  clock: () => Date = () => new Date(),
) {
  return async (): Promise<{ purged: number; remaining: number }> => {
    const purged = await records.purgeSpent(clock(), policy);
    return { purged, remaining: await records.count() };
  };
}
