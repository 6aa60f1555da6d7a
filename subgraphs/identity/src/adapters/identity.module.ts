import { KeyRing, PeriodicTask, type ContextModule, type Infra, type SettingsOf } from "@junggo/runtime";
import type { PrismaClient, Prisma } from "@junggo/prisma/identity";
import { makeTokenIssuer } from "../app/access-token.ts";
import { makeLogIn } from "../app/log-in.use-case.ts";
import { makePurgeLoginThrottle } from "../app/purge-login-throttle.use-case.ts";
import { makeRegisterAccount } from "../app/register-account.use-case.ts";
import { seedDemoAccounts } from "../app/seed-demo-accounts.use-case.ts";
import { makeSignUp } from "../app/sign-up.use-case.ts";
import { AccountRepository } from "./account.repository.ts";
import { identityResolvers } from "./graphql.resolvers.ts";
import { LoginThrottleRepository } from "./login-throttle.repository.ts";
import { checkPolicy } from "../domain/login-throttle.ts";
import type { identitySettings } from "../identity.config.ts";

export function buildIdentityModule(
  infra: Infra<PrismaClient, Prisma.TransactionClient>,
  settings: SettingsOf<typeof identitySettings>,
): ContextModule<Prisma.TransactionClient> {
  const accounts = new AccountRepository(infra.prisma, infra.db);
  // Opened by `start` (before the server listens), so that building the module touches no file.
  let keys: KeyRing | null = null;
  const keyRing = (): KeyRing => {
    if (!keys) throw new Error("identity's signing keys are not open yet (module not started)");
    return keys;
  };
  const issueToken = makeTokenIssuer(() => keyRing().signingKey(), settings.accessTokenTtlSeconds);
  const register = makeRegisterAccount({ accounts, uow: infra });
  const throttle = new LoginThrottleRepository(infra.prisma, infra);
  const policy = checkPolicy({
    maxFailures: settings.loginMaxFailures,
    failureWindowSeconds: settings.loginFailureWindowSeconds,
    lockoutSeconds: settings.loginLockoutSeconds,
  });
  const purgeLoginThrottle = makePurgeLoginThrottle(throttle, policy);
  const throttleRecords = { purged: 0, remaining: 0 };
  const purge = new PeriodicTask({
    name: "login throttle purge",
    periodMs: settings.loginThrottlePurgeMs,
    periodSetting: "LOGIN_THROTTLE_PURGE_MS",
    log: infra.log,
    pass: async () => {
      const r = await purgeLoginThrottle();
      throttleRecords.purged += r.purged;
      throttleRecords.remaining = r.remaining;
    },
  });
  return {
    resolvers: identityResolvers({
      accounts,
      logIn: makeLogIn({
        accounts,
        issueToken,
        throttle,
        policy,
      }),
      signUp: makeSignUp({ register, issueToken }),
    }),
    // Public keys only; the gateway verifies access tokens with them (JWKS_URL).
    routes: (app) => {
      app.get("/.well-known/jwks.json", async (_req, res) => {
        res.set("cache-control", "public, max-age=60").json(await keyRing().jwks());
      });
    },
    seed: async () => {
      await seedDemoAccounts(register, infra.log);
    },
    // Records left after the last purge (spent ones included until the next) and purged since start.
    metrics: () => ({
      junggo_login_throttle_records: throttleRecords.remaining,
      junggo_login_throttle_purged_total: throttleRecords.purged,
    }),
    start: async () => {
      // Development creates a key file on first start; production must be given one (a mounted Secret).
      keys = await KeyRing.open(settings.jwtKeysFile, {
        create: !infra.config.production,
        onError: (err) =>
          infra.log.error("key file not reloaded; keeping the previous keys", { err: err.message }),
      });
      purge.start();
    },
    stop: () => purge.stop(),
  };
}
