import type { LoginThrottleStore } from "../../src/app/ports.ts";
import type { LoginThrottleState } from "../../src/domain/login-throttle.ts";

/**
 * In-memory login throttle records for use-case tests. `change` reads and writes with no await in
 * between, so it is atomic like the database's row-locked version.
 */
export function memoryThrottle() {
  const records = new Map<string, LoginThrottleState>();
  const calls = { find: 0, change: 0, clear: 0 };
  const throttle: LoginThrottleStore = {
    find: async (email) => {
      calls.find++;
      return records.get(email) ?? null;
    },
    change: async (email, next) => {
      calls.change++;
      const current = records.get(email) ?? null;
      const state = next(current);
      if (state !== current) records.set(email, state);
      return state;
    },
    clear: async (email) => {
      calls.clear++;
      records.delete(email);
    },
  };
  return { records, calls, throttle };
}
