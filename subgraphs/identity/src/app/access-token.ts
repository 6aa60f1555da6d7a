import { signAccessToken } from "@junggo/runtime";
import { viewerOf, type Account } from "../domain/account.ts";

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export type TokenIssuer = (account: Account) => Promise<IssuedToken>;

export function makeTokenIssuer(secret: string, ttlSeconds: number): TokenIssuer {
  return async (account) => ({
    token: await signAccessToken(viewerOf(account), secret, ttlSeconds),
    expiresAt: new Date(Date.now() + ttlSeconds * 1000),
  });
}
