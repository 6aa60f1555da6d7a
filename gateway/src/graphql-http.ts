import type { ApolloServer } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";
import express, { type Express, type Request } from "express";
import { GraphQLError } from "graphql";
import { DomainError, type ErrorCode, type Viewer } from "@junggo/runtime";
import { parseBearer } from "./bearer.ts";
import type { GatewayContext } from "./context.ts";
import type { RateLimiter } from "./limits.ts";
import { loginAttempts } from "./login-operation.ts";

/** The viewer of an HTTP request's `Authorization` header (null without one), or a GraphQL error. */
export async function viewerFromAuthorization(
  header: string | undefined,
  verify: (token: string) => Promise<{ viewer: Viewer }>,
): Promise<Viewer | null> {
  const bearer = parseBearer(header);
  if (bearer.kind === "none") return null;
  if (bearer.kind === "malformed")
    throw new GraphQLError("The Authorization header must be 'Bearer <token>'.", {
      extensions: { code: "UNAUTHENTICATED" satisfies ErrorCode, http: { status: 401 } },
    });
  try {
    return (await verify(bearer.token)).viewer;
  } catch (err) {
    if (err instanceof DomainError && err.code === "AUTH_UNAVAILABLE") {
      throw new GraphQLError(err.message, { extensions: { code: err.code, http: { status: 503 } } });
    }
    const message = err instanceof DomainError ? err.message : "Invalid token.";
    throw new GraphQLError(message, {
      extensions: { code: "UNAUTHENTICATED" satisfies ErrorCode, http: { status: 401 } },
    });
  }
}

/** The operation text and name of a GraphQL-over-HTTP request (GET query string or POST body). */
function operationOf(req: Request): { query: unknown; operationName: unknown } {
  const source = (req.method === "GET" ? req.query : req.body) as
    | { query?: unknown; operationName?: unknown }
    | undefined;
  return { query: source?.query ?? "", operationName: source?.operationName };
}

/**
 * /graphql over HTTP: body parsing, the operation size guard (before any parsing of the operation),
 * the viewer, the rate limits (per account or IP; `login` attempts per IP), then Apollo.
 */
export function graphqlHttpRoute(
  app: Express,
  o: {
    apollo: ApolloServer<GatewayContext>;
    maxQueryBytes: number;
    verify: (token: string) => Promise<{ viewer: Viewer }>;
    rate: RateLimiter;
    loginRate: RateLimiter;
  },
): void {
  app.use(
    "/graphql",
    express.json({ limit: "256kb" }),
    (req, res, next) => {
      const { query } = operationOf(req);
      if (typeof query === "string" && Buffer.byteLength(query) > o.maxQueryBytes) {
        res.status(413).json({
          errors: [
            {
              message: `The operation is larger than ${o.maxQueryBytes} bytes.`,
              extensions: { code: "QUERY_TOO_LARGE" satisfies ErrorCode, maxQueryBytes: o.maxQueryBytes },
            },
          ],
        });
        return;
      }
      next();
    },
    expressMiddleware(o.apollo, {
      context: async ({ req }) => {
        const viewer = await viewerFromAuthorization(req.headers.authorization, o.verify);
        const { query, operationName } = operationOf(req);
        // Password guessing: every login the operation runs (aliases included) spends the much
        // smaller budget per client address.
        let loginWait = 0;
        for (let i = loginAttempts(query, operationName); i > 0 && loginWait === 0; i--)
          loginWait = o.loginRate.take(`ip:${req.ip}`);
        const wait = Math.max(loginWait, o.rate.take(viewer ? `account:${viewer.id}` : `ip:${req.ip}`));
        if (wait > 0) {
          throw new GraphQLError(`Too many requests; try again in ${wait} s.`, {
            extensions: {
              code: "RATE_LIMITED" satisfies ErrorCode,
              retryAfterSeconds: wait,
              http: { status: 429, headers: new Map([["retry-after", String(wait)]]) },
            },
          });
        }
        return { viewer };
      },
    }),
  );
}
