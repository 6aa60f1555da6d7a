import { randomUUID } from "node:crypto";
import { newEvent } from "@junggo/events";
import { appendEvents, DomainError, type SqlTx } from "@junggo/runtime";
import {
  parseEmail,
  parseLocale,
  parseName,
  parseRole,
  registerAccount,
  type Account,
} from "../domain/account.ts";
import { checkPasswordPolicy, hashPassword } from "../domain/password.ts";
import type { AccountStore, UnitOfWork } from "./ports.ts";

export interface RegisterAccountInput {
  email: string;
  password: string;
  name: string;
  role: string;
  locale?: string | null;
}

export type RegisterAccount = (input: RegisterAccountInput) => Promise<Account>;

const emailTaken = () =>
  new DomainError("EMAIL_TAKEN", "An account with this email already exists.", { field: "email" });

/** Creates an account of any role (sign-up restricts the role before calling this). */
export function makeRegisterAccount<Tx extends SqlTx>(deps: {
  accounts: AccountStore<Tx>;
  uow: UnitOfWork<Tx>;
}): RegisterAccount {
  return async (input) => {
    // Every cheap check first: hashing costs ~50 ms of CPU and 16 MiB.
    const email = parseEmail(input.email);
    checkPasswordPolicy(input.password);
    parseName(input.name);
    parseLocale(input.locale);
    parseRole(input.role);
    if (await deps.accounts.findByEmail(email)) throw emailTaken();

    const passwordHash = await hashPassword(input.password);
    const { account, events } = registerAccount({
      ...input,
      id: randomUUID(),
      passwordHash,
      now: new Date(),
    });
    await deps.uow.transact(async (tx) => {
      // Someone registered the same email since the check above.
      if (!(await deps.accounts.insert(tx, account))) throw emailTaken();
      await appendEvents(
        tx,
        events.map((e) => newEvent(e.type, e.payload, { producer: "identity" })),
      );
    });
    return account;
  };
}
