import { int, str } from "@junggo/runtime";
import { DEFAULT_LOGIN_THROTTLE_POLICY } from "./domain/login-throttle.ts";

/** Identity's own settings (beside the runtime's of every subgraph). */
export const identitySettings = {
  jwtKeysFile: str({
    env: "JWT_KEYS_FILE",
    devDefault: ".data/jwt-keys.json",
    description:
      "ES256 key file access tokens are signed with (`npm run keys`); created on first start in development.",
  }),
  accessTokenTtlSeconds: int({
    env: "ACCESS_TOKEN_TTL_SECONDS",
    min: 1,
    default: 3600,
    description: "Lifetime of an access token.",
  }),
  loginMaxFailures: int({
    env: "LOGIN_MAX_FAILURES",
    min: 1,
    default: DEFAULT_LOGIN_THROTTLE_POLICY.maxFailures,
    description: "Failed logins per email within the window that lock that email (`LOGIN_THROTTLED`).",
  }),
  loginFailureWindowSeconds: int({
    env: "LOGIN_FAILURE_WINDOW_SECONDS",
    min: 1,
    default: DEFAULT_LOGIN_THROTTLE_POLICY.failureWindowSeconds,
    description: "Window in which failed logins of one email are counted.",
  }),
  loginLockoutSeconds: int({
    env: "LOGIN_LOCKOUT_SECONDS",
    min: 1,
    default: DEFAULT_LOGIN_THROTTLE_POLICY.lockoutSeconds,
    description: "How long a locked email is refused, even with the right password.",
  }),
  loginThrottlePurgeMs: int({
    env: "LOGIN_THROTTLE_PURGE_MS",
    min: 1,
    default: 600_000,
    description: "How often spent login-throttle records are deleted.",
  }),
};
