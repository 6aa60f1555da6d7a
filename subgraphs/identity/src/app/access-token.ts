import { signAccessToken, type SigningKey } from "@junggo/runtime";
import { viewerOf, type Account } from "../domain/account.ts";

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export type TokenIssuer = (account: Account) => Promise<IssuedToken>;

/** `signingKey` is asked for on every login, so a rotated key file takes effect without a restart. */
export function makeTokenIssuer(signingKey: () => Promise<SigningKey>, ttlSeconds: number): TokenIssuer {
  return async (account) => ({
    token: await signAccessToken(viewerOf(account), await signingKey(), ttlSeconds),
    expiresAt: new Date(Date.now() + ttlSeconds * 1000),
  });
}
