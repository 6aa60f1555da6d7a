import { parseSelfServiceRole, type Account } from "../domain/account.ts";
import type { IssuedToken, TokenIssuer } from "./access-token.ts";
import type { RegisterAccount, RegisterAccountInput } from "./register-account.use-case.ts";

export type SignUp = (input: RegisterAccountInput) => Promise<IssuedToken & { account: Account }>;

/** Self-service registration of a buyer or seller, logged in right away. */
export function makeSignUp(deps: { register: RegisterAccount; issueToken: TokenIssuer }): SignUp {
  return async (input) => {
    const role = parseSelfServiceRole(input.role);
    const account = await deps.register({ ...input, role });
    return { account, ...(await deps.issueToken(account)) };
  };
}
