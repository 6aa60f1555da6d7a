import { intEnv, isProduction, KeyRing, type ContextModule, type Infra } from "@junggo/runtime";
import type { PrismaClient, Prisma } from "@junggo/prisma/identity";
import { makeTokenIssuer } from "../app/access-token.ts";
import { makeLogIn } from "../app/log-in.use-case.ts";
import { makeRegisterAccount } from "../app/register-account.use-case.ts";
import { seedDemoAccounts } from "../app/seed-demo-accounts.use-case.ts";
import { makeSignUp } from "../app/sign-up.use-case.ts";
import { AccountRepository } from "./account.repository.ts";
import { identityResolvers } from "./graphql.resolvers.ts";
import { LoginThrottleRepository } from "./login-throttle.repository.ts";
import { checkPolicy, DEFAULT_LOGIN_THROTTLE_POLICY } from "../domain/login-throttle.ts";

export async function buildIdentityModule(infra: Infra<PrismaClient, Prisma.TransactionClient>): Promise<ContextModule<Prisma.TransactionClient>> {
  const accounts = new AccountRepository(infra.prisma);
  // Development creates a key file on first start; production must be given one (a mounted Secret).
  const keys = await KeyRing.open(infra.config.jwtKeysFile, {
    create: !isProduction(),
    onError: (err) => infra.log.error("key file not reloaded; keeping the previous keys", { err: err.message }),
  });
  const issueToken = makeTokenIssuer(() => keys.signingKey(), intEnv("ACCESS_TOKEN_TTL_SECONDS", 3600));
  const register = makeRegisterAccount({ accounts, uow: infra });
  return {
    resolvers: identityResolvers({
      accounts,
      logIn: makeLogIn({
        accounts,
        issueToken,
        throttle: new LoginThrottleRepository(infra.prisma, infra),
        policy: checkPolicy({
          maxFailures: intEnv("LOGIN_MAX_FAILURES", DEFAULT_LOGIN_THROTTLE_POLICY.maxFailures),
          failureWindowSeconds: intEnv("LOGIN_FAILURE_WINDOW_SECONDS", DEFAULT_LOGIN_THROTTLE_POLICY.failureWindowSeconds),
          lockoutSeconds: intEnv("LOGIN_LOCKOUT_SECONDS", DEFAULT_LOGIN_THROTTLE_POLICY.lockoutSeconds),
        }),
      }),
      signUp: makeSignUp({ register, issueToken }),
    }),
    // Public keys only; the gateway verifies access tokens with them (JWKS_URL).
    routes: (app) => {
      app.get("/.well-known/jwks.json", async (_req, res) => {
        res.set("cache-control", "public, max-age=60").json(await keys.jwks());
      });
    },
    seed: async () => { await seedDemoAccounts(register, infra.log); },
  };
}
