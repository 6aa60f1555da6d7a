import { intEnv, type ContextModule, type Infra } from "@junggo/runtime";
import type { PrismaClient, Prisma } from "@junggo/prisma/identity";
import { makeTokenIssuer } from "../app/access-token.ts";
import { makeLogIn } from "../app/log-in.use-case.ts";
import { makeRegisterAccount } from "../app/register-account.use-case.ts";
import { seedDemoAccounts } from "../app/seed-demo-accounts.use-case.ts";
import { makeSignUp } from "../app/sign-up.use-case.ts";
import { AccountRepository } from "./account.repository.ts";
import { identityResolvers } from "./graphql.resolvers.ts";

export function buildIdentityModule(infra: Infra<PrismaClient, Prisma.TransactionClient>): ContextModule<Prisma.TransactionClient> {
  const accounts = new AccountRepository(infra.prisma);
  const issueToken = makeTokenIssuer(infra.config.jwtSecret, intEnv("ACCESS_TOKEN_TTL_SECONDS", 3600));
  const register = makeRegisterAccount({ accounts, uow: infra });
  return {
    resolvers: identityResolvers({
      accounts,
      logIn: makeLogIn({ accounts, issueToken }),
      signUp: makeSignUp({ register, issueToken }),
    }),
    seed: async () => { await seedDemoAccounts(register, infra.log); },
  };
}
