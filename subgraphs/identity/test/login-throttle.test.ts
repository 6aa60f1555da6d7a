import { describe, expect, it } from "vitest";
import {
  afterFailure,
  checkPolicy,
  DEFAULT_LOGIN_THROTTLE_POLICY,
  isLocked,
  isSpent,
  retryAfterSeconds,
  type LoginThrottleState,
} from "../src/domain/login-throttle.ts";

const policy = { maxFailures: 5, failureWindowSeconds: 900, lockoutSeconds: 600 };
const T0 = new Date("2026-01-01T00:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const sec = 1000;

/** `n` failures one second apart from T0. */
function failures(n: number, p = policy): LoginThrottleState | null {
  let s: LoginThrottleState | null = null;
  for (let i = 0; i < n; i++) s = afterFailure(s, at(i * sec), p);
  return s;
}

describe("login throttle policy", () => {
  it("defaults to 5 failures in 15 minutes locking for 15 minutes", () => {
    expect(DEFAULT_LOGIN_THROTTLE_POLICY).toEqual({
      maxFailures: 5,
      failureWindowSeconds: 900,
      lockoutSeconds: 900,
    });
  });

  it("refuses settings that are not positive integers", () => {
    expect(checkPolicy(policy)).toBe(policy);
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => checkPolicy({ ...policy, maxFailures: bad })).toThrow(/maxFailures/);
      expect(() => checkPolicy({ ...policy, failureWindowSeconds: bad })).toThrow(/failureWindowSeconds/);
      expect(() => checkPolicy({ ...policy, lockoutSeconds: bad })).toThrow(/lockoutSeconds/);
    }
  });
});

describe("afterFailure", () => {
  it("starts a window with one failure when there is no record", () => {
    expect(afterFailure(null, T0, policy)).toEqual({ failures: 1, windowStartedAt: T0, lockedUntil: null });
  });

  it("counts failures inside the window and keeps its start", () => {
    expect(failures(4)).toEqual({ failures: 4, windowStartedAt: T0, lockedUntil: null });
  });

  it("locks for lockoutSeconds on reaching maxFailures, not before", () => {
    expect(failures(4)!.lockedUntil).toBeNull();
    expect(failures(5)).toEqual({ failures: 5, windowStartedAt: T0, lockedUntil: at(4 * sec + 600 * sec) });
  });

  it("locks at the first failure when maxFailures is 1", () => {
    expect(afterFailure(null, T0, { ...policy, maxFailures: 1 }).lockedUntil).toEqual(at(600 * sec));
  });

  it("counts a failure 1 ms before the window ends; one at the end starts a new window", () => {
    const three = failures(3)!;
    expect(afterFailure(three, at(900 * sec - 1), policy)).toEqual({
      failures: 4,
      windowStartedAt: T0,
      lockedUntil: null,
    });
    expect(afterFailure(three, at(900 * sec), policy)).toEqual({
      failures: 1,
      windowStartedAt: at(900 * sec),
      lockedUntil: null,
    });
  });

  it("a window that ends just before the last allowed failure does not lock", () => {
    const four = failures(4)!;
    expect(afterFailure(four, at(900 * sec), policy).lockedUntil).toBeNull();
  });

  it("while locked: counts, and neither lifts nor extends the lock", () => {
    const locked = failures(5)!;
    const next = afterFailure(locked, at(10 * sec), policy);
    expect(next).toEqual({ failures: 6, windowStartedAt: T0, lockedUntil: locked.lockedUntil });
  });

  it("while locked past the window's end: still locked (a long lockout outlives the window)", () => {
    const p = { maxFailures: 2, failureWindowSeconds: 60, lockoutSeconds: 3600 };
    const locked = failures(2, p)!;
    const next = afterFailure(locked, at(120 * sec), p);
    expect(next.lockedUntil).toEqual(locked.lockedUntil);
    expect(isLocked(next, at(120 * sec))).toBe(true);
  });

  it("after the lock has run out: a new window with one failure, not an immediate re-lock", () => {
    const p = { maxFailures: 3, failureWindowSeconds: 900, lockoutSeconds: 2 };
    const locked = failures(3, p)!;
    const end = locked.lockedUntil!;
    expect(afterFailure(locked, end, p)).toEqual({ failures: 1, windowStartedAt: end, lockedUntil: null });
    expect(afterFailure(locked, new Date(end.getTime() - 1), p).lockedUntil).toEqual(end); // 1 ms earlier: still locked
  });

  it("does not change the state it is given", () => {
    const s = failures(2)!;
    const copy = structuredClone(s);
    afterFailure(s, at(5 * sec), policy);
    expect(s).toEqual(copy);
  });
});

describe("isLocked / retryAfterSeconds", () => {
  const locked: LoginThrottleState = { failures: 5, windowStartedAt: T0, lockedUntil: at(600 * sec) };

  it("is not locked without a record or without a lock", () => {
    expect(isLocked(null, T0)).toBe(false);
    expect(isLocked(failures(4), T0)).toBe(false);
    expect(retryAfterSeconds(null, T0)).toBe(0);
    expect(retryAfterSeconds(failures(4), T0)).toBe(0);
  });

  it("is locked until lockedUntil, exclusive", () => {
    expect(isLocked(locked, T0)).toBe(true);
    expect(isLocked(locked, at(600 * sec - 1))).toBe(true);
    expect(isLocked(locked, at(600 * sec))).toBe(false);
    expect(isLocked(locked, at(601 * sec))).toBe(false);
  });

  it("rounds the remaining time up to whole seconds, at least 1 while locked", () => {
    expect(retryAfterSeconds(locked, T0)).toBe(600);
    expect(retryAfterSeconds(locked, at(1))).toBe(600);
    expect(retryAfterSeconds(locked, at(sec))).toBe(599);
    expect(retryAfterSeconds(locked, at(600 * sec - 1))).toBe(1);
    expect(retryAfterSeconds(locked, at(600 * sec))).toBe(0);
  });
});

describe("isSpent", () => {
  const counting = failures(2)!; // window started at T0, not locked
  const locked = failures(5)!; // locked from 4 s until 4 s + lockoutSeconds

  it("keeps a record whose window is still counting, and drops it once the window is over", () => {
    expect(isSpent(counting, at(900 * sec - 1), policy)).toBe(false);
    expect(isSpent(counting, at(900 * sec), policy)).toBe(true);
  });

  it("keeps a lock in force, even past its window, and drops it the moment it ends", () => {
    const end = locked.lockedUntil!.getTime() - T0.getTime();
    expect(isSpent(locked, at(end - 1), policy)).toBe(false);
    expect(isSpent(locked, at(end), policy)).toBe(true);
  });

  it("a spent record decides exactly what no record decides", () => {
    for (const [state, now] of [
      [counting, at(900 * sec)],
      [locked, locked.lockedUntil!],
    ] as const) {
      expect(isSpent(state, now, policy)).toBe(true);
      expect(afterFailure(state, now, policy)).toEqual(afterFailure(null, now, policy));
      expect(isLocked(state, now)).toBe(isLocked(null, now));
    }
  });
});
