import { randomBytes } from "node:crypto";
import { DomainError } from "@junggo/runtime";
import { parseLoginEmail, type Account } from "../domain/account.ts";
import {
  afterFailure,
  DEFAULT_LOGIN_THROTTLE_POLICY,
  isLocked,
  retryAfterSeconds,
  type LoginThrottlePolicy,
  type LoginThrottleState,
} from "../domain/login-throttle.ts";
import { checkLoginPassword, hashPassword, verifyPassword } from "../domain/password.ts";
import type { IssuedToken, TokenIssuer } from "./access-token.ts";
import type { AccountReader, LoginThrottleStore } from "./ports.ts";

export type LogIn = (email: string, password: string) => Promise<IssuedToken & { account: Account }>;

function throttled(state: LoginThrottleState, now: Date): DomainError {
  const seconds = retryAfterSeconds(state, now);
  const minutes = Math.ceil(seconds / 60);
  return new DomainError(
    "LOGIN_THROTTLED",
    `Too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
    { retryAfterSeconds: seconds },
  );
}

export function makeLogIn(deps: {
  accounts: AccountReader;
  issueToken: TokenIssuer;
  throttle: LoginThrottleStore;
  policy?: LoginThrottlePolicy;
  now?: () => Date;
}): LogIn {
  const policy = deps.policy ?? DEFAULT_LOGIN_THROTTLE_POLICY;
  const clock = deps.now ?? (() => new Date());
  // An unknown email is checked against this hash (same scrypt cost), so the response time does
  // not tell whether the account exists.
  const dummyHash = hashPassword(randomBytes(16).toString("hex"));
  return async (rawEmail, password) => {
    // Bounds first: nothing oversized reaches the database or scrypt.
    const email = parseLoginEmail(rawEmail);
    checkLoginPassword(password);

    // A locked email is refused after a plain read: hammering it costs no write and no hash.
    const now = clock();
    const known = await deps.throttle.find(email);
    if (isLocked(known, now)) throw throttled(known!, now);
    // The attempt is counted as a failure before the password is checked (a success clears it).
    // Counting only after a wrong password would let a burst of parallel guesses all pass the
    // check above before the first failure is stored, and the limit would not hold.
    let lockedBy = null as LoginThrottleState | null;
    await deps.throttle.change(email, (current) => {
      lockedBy = isLocked(current, now) ? current : null;
      return lockedBy ?? afterFailure(current, now, policy);
    });
    if (lockedBy) throw throttled(lockedBy, now);

    const account = await deps.accounts.findByEmail(email);
    const matches = await verifyPassword(password, account?.passwordHash ?? (await dummyHash));
    if (!account || !matches) throw new DomainError("INVALID_CREDENTIALS", "Email or password is incorrect.");
    await deps.throttle.clear(email);
    return { account, ...(await deps.issueToken(account)) };
  };
}
