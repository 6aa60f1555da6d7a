import type { EventPayloads } from "@junggo/events";
import { badInput, type Role, type Viewer } from "@junggo/runtime";

export type Locale = "ko" | "en";
export const DEFAULT_LOCALE: Locale = "ko";
const LOCALES: readonly Locale[] = ["ko", "en"];
const ROLES: readonly Role[] = ["BUYER", "SELLER", "STAFF", "DRIVER"];
/** Roles a person may choose at sign-up; STAFF and DRIVER accounts are created by the dealer. */
export const SELF_SERVICE_ROLES: readonly Role[] = ["BUYER", "SELLER"];

export const NAME_MAX_LENGTH = 60;
const EMAIL_MAX_LENGTH = 254; // RFC 5321 path limit
// Pragmatic shape check (local@domain.tld, no spaces); deliverability is not ours to prove.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export interface Account {
  id: string;
  email: string;
  name: string;
  role: Role;
  locale: Locale;
  passwordHash: string;
  createdAt: Date;
}

export interface AccountRegistered {
  type: "AccountRegistered";
  payload: EventPayloads["AccountRegistered"];
}

/** Emails are compared and stored trimmed and lowercase. */
export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

export function parseEmail(raw: string): string {
  const email = normaliseEmail(raw);
  if (email.length > EMAIL_MAX_LENGTH || !EMAIL_SHAPE.test(email)) {
    throw badInput("email", "Enter a valid email address, like name@example.com.");
  }
  return email;
}

/**
 * Login checks bounds only, measured like `parseEmail`: an email of the wrong shape simply matches
 * no account (and is throttled like any other).
 */
export function parseLoginEmail(raw: string): string {
  const email = normaliseEmail(raw);
  if (email.length < 1) throw badInput("email", "Enter your email address.");
  if (email.length > EMAIL_MAX_LENGTH)
    throw badInput("email", `The email must have at most ${EMAIL_MAX_LENGTH} characters.`);
  return email;
}

export function parseName(raw: string): string {
  const name = raw.trim();
  const length = [...name].length;
  if (length < 1) throw badInput("name", "The name must not be empty.");
  if (length > NAME_MAX_LENGTH)
    throw badInput("name", `The name must have at most ${NAME_MAX_LENGTH} characters.`);
  return name;
}

export function parseLocale(raw: string | null | undefined): Locale {
  if (raw === null || raw === undefined) return DEFAULT_LOCALE;
  if (!(LOCALES as readonly string[]).includes(raw))
    throw badInput("locale", `The locale must be one of ${LOCALES.join(", ")}.`);
  return raw as Locale;
}

export function parseRole(raw: string): Role {
  if (!(ROLES as readonly string[]).includes(raw))
    throw badInput("role", `Unknown role ${raw}: the role must be one of ${ROLES.join(", ")}.`);
  return raw as Role;
}

export function parseSelfServiceRole(raw: string): Role {
  if (!(SELF_SERVICE_ROLES as readonly string[]).includes(raw)) {
    throw badInput("role", "You can sign up as a BUYER or a SELLER only.");
  }
  return raw as Role;
}

/**
 * Creates an account (the aggregate's only transition). The caller has checked the password policy
 * before hashing; everything else is validated here so no invalid account can exist.
 */
export function registerAccount(input: {
  id: string;
  email: string;
  name: string;
  role: string;
  locale?: string | null;
  passwordHash: string;
  now: Date;
}): { account: Account; events: [AccountRegistered] } {
  const account: Account = {
    id: input.id,
    email: parseEmail(input.email),
    name: parseName(input.name),
    role: parseRole(input.role),
    locale: parseLocale(input.locale),
    passwordHash: input.passwordHash,
    createdAt: input.now,
  };
  const { id: accountId, email, name, role, locale } = account;
  return {
    account,
    events: [{ type: "AccountRegistered", payload: { accountId, email, name, role, locale } }],
  };
}

/** The account itself and staff see the full email address; nobody else does. */
export function canSeeEmail(viewer: Viewer | null, accountId: string): boolean {
  return !!viewer && (viewer.id === accountId || viewer.role === "STAFF");
}

/**
 * Privacy mask for other viewers: first character of the local part, three bullets, the domain
 * (`driver@junggo.test` → `d•••@junggo.test`). The domain stays because it tells a buyer nothing
 * personal, while the local part often contains a name.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  const local = at > 0 ? email.slice(0, at) : email;
  const first = [...local][0] ?? "";
  return at > 0 ? `${first}•••${email.slice(at)}` : `${first}•••`;
}

/** What an access token says about the account. */
export function viewerOf(account: Account): Viewer {
  return { id: account.id, role: account.role, name: account.name, email: account.email };
}
