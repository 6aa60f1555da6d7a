import type { ApolloServerPlugin } from "@apollo/server";

/**
 * A request refused only because the system is saturated (every error `OVERLOADED`) is answered
 * HTTP 503 with `Retry-After`, so HTTP clients, proxies and load balancers back off as well as
 * GraphQL clients reading `extensions.retryAfterSeconds`.
 */
export function overloadPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== "single") return;
          const errors = response.body.singleResult.errors;
          if (!errors?.length || !errors.every((e) => e.extensions?.code === "OVERLOADED")) return;
          const seconds = Math.max(1, ...errors.map((e) => Number(e.extensions?.retryAfterSeconds) || 1));
          response.http.status = 503;
          response.http.headers.set("retry-after", String(Math.ceil(seconds)));
        },
      };
    },
  };
}
