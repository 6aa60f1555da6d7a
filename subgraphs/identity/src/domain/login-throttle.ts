// Per-account login throttle: a pure policy over the failure record of one (normalised) email.
// The record exists for unknown emails too, so being throttled tells nothing about which accounts
// exist.

export interface LoginThrottlePolicy {
  /** Failures within one window that lock the email. */
  maxFailures: number;
  /** Length of the counting window, from its first failure. */
  failureWindowSeconds: number;
  /** How long a lock lasts. */
  lockoutSeconds: number;
}

export const DEFAULT_LOGIN_THROTTLE_POLICY: LoginThrottlePolicy = {
  maxFailures: 5,
  failureWindowSeconds: 900,
  lockoutSeconds: 900,
};

export interface LoginThrottleState {
  failures: number;
  windowStartedAt: Date;
  lockedUntil: Date | null;
}

/** Refuses a policy that would lock nobody or everybody; a typo in the environment fails the start. */
export function checkPolicy(policy: LoginThrottlePolicy): LoginThrottlePolicy {
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`login throttle: ${name} must be a positive integer, got ${value}`);
  }
  return policy;
}

/** Locked until `lockedUntil` (exclusive): at that instant the email may try again. */
export function isLocked(state: LoginThrottleState | null, now: Date): boolean {
  return !!state?.lockedUntil && now.getTime() < state.lockedUntil.getTime();
}

/**
 * A record that no longer decides anything: not locked, and its window is over or its lock has been
 * served. `afterFailure` treats it exactly like no record, so it can be deleted (most belong to
 * emails that never logged in: mistyped or guessed ones, which a success would never clear).
 */
export function isSpent(state: LoginThrottleState, now: Date, policy: LoginThrottlePolicy): boolean {
  if (isLocked(state, now)) return false;
  return (
    !!state.lockedUntil ||
    now.getTime() - state.windowStartedAt.getTime() >= policy.failureWindowSeconds * 1000
  );
}

/** Whole seconds until the lock ends (at least 1 while locked), 0 when not locked. */
export function retryAfterSeconds(state: LoginThrottleState | null, now: Date): number {
  if (!isLocked(state, now)) return 0;
  return Math.max(1, Math.ceil((state!.lockedUntil!.getTime() - now.getTime()) / 1000));
}

/**
 * The state after one more failed attempt at `now`.
 * - While locked: counted, and the lock is neither lifted nor extended (attempts that raced past
 *   the lock check must not let an attacker push a legitimate user's lockout further out).
 * - No record, a window older than `failureWindowSeconds`, or an expired lock: a new window with
 *   one failure (an expired lock has been served; the next mistake must not re-lock at once).
 * - Otherwise: one more failure in the window; reaching `maxFailures` locks for `lockoutSeconds`.
 */
export function afterFailure(
  state: LoginThrottleState | null,
  now: Date,
  policy: LoginThrottlePolicy,
): LoginThrottleState {
  if (state && isLocked(state, now)) return { ...state, failures: state.failures + 1 };
  const windowOver =
    !state || now.getTime() - state.windowStartedAt.getTime() >= policy.failureWindowSeconds * 1000;
  const lockServed = !!state?.lockedUntil; // set but not in force any more
  const failures = windowOver || lockServed ? 1 : state!.failures + 1;
  return {
    failures,
    windowStartedAt: windowOver || lockServed ? now : state!.windowStartedAt,
    lockedUntil:
      failures >= policy.maxFailures ? new Date(now.getTime() + policy.lockoutSeconds * 1000) : null,
  };
}
