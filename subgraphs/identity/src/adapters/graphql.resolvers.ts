import { isUuid, requireViewer, type Viewer } from "@junggo/runtime";
import { canSeeEmail, maskEmail, viewerOf, type Account } from "../domain/account.ts";
import type { IssuedToken } from "../app/access-token.ts";
import type { LogIn } from "../app/log-in.use-case.ts";
import type { AccountReader } from "../app/ports.ts";
import type { SignUp } from "../app/sign-up.use-case.ts";
import type { Account as AccountNode, Resolvers } from "./generated/resolvers.types.ts";

/** The GraphQL shape of an account as `viewer` may see it (never the password hash). */
function present(account: Account, viewer: Viewer | null): AccountNode {
  const { id, name, role, locale, email } = account;
  return { id, name, role, locale, email: canSeeEmail(viewer, id) ? email : maskEmail(email) };
}

/** After login/sign-up the caller is the account, even though the request came in anonymous. */
const authPayload = ({ account, token, expiresAt }: IssuedToken & { account: Account }) => ({
  token,
  expiresAt: expiresAt.toISOString(),
  account: present(account, viewerOf(account)),
});

export function identityResolvers(deps: {
  accounts: AccountReader;
  logIn: LogIn;
  signUp: SignUp;
}): Resolvers {
  return {
    Query: {
      me: async (_, __, { viewer }) => {
        const v = requireViewer(viewer);
        const account = await deps.accounts.findById(v.id);
        return account && present(account, v);
      },
    },
    Mutation: {
      login: async (_, args) => authPayload(await deps.logIn(args.email, args.password)),
      signUp: async (_, { input }) => authPayload(await deps.signUp(input)),
    },
    Account: {
      // Anonymous callers get nothing; anyone logged in may see a name (a buyer sees their driver).
      __resolveReference: async (ref, { viewer }) => {
        if (!viewer || !isUuid(ref.id)) return null;
        const account = await deps.accounts.findById(ref.id);
        return account && present(account, viewer);
      },
    },
  };
}
