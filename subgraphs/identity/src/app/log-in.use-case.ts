import { randomBytes } from "node:crypto";
import { DomainError } from "@junggo/runtime";
import { normaliseEmail, type Account } from "../domain/account.ts";
import { hashPassword, verifyPassword } from "../domain/password.ts";
import type { IssuedToken, TokenIssuer } from "./access-token.ts";
import type { AccountReader } from "./ports.ts";

export type LogIn = (email: string, password: string) => Promise<IssuedToken & { account: Account }>;

export function makeLogIn(deps: { accounts: AccountReader; issueToken: TokenIssuer }): LogIn {
  // An unknown email is checked against this hash (same scrypt cost), so the response time does
  // not tell whether the account exists.
  const dummyHash = hashPassword(randomBytes(16).toString("hex"));
  return async (email, password) => {
    const account = await deps.accounts.findByEmail(normaliseEmail(email));
    const matches = await verifyPassword(password, account?.passwordHash ?? (await dummyHash));
    if (!account || !matches) throw new DomainError("INVALID_CREDENTIALS", "Email or password is incorrect.");
    return { account, ...(await deps.issueToken(account)) };
  };
}
