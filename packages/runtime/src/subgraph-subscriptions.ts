import type { Server } from "node:http";
import { GraphQLError, type GraphQLSchema } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { verifyForwardedIdentity, verifyServiceToken, type Viewer } from "./auth.ts";
import { type ErrorCode, formatError, formatExecutionResult, parseOperation } from "./errors.ts";

/**
 * graphql-ws on the subgraph's own /graphql. Only the gateway may connect (a service token in
 * `connection_init`); each subscription carries the gateway-signed identity of the person it is for
 * in `extensions.identity`, so one upstream socket serves every user's subscriptions.
 */
export function serveSubscriptions(
  server: Server,
  schema: GraphQLSchema,
  secret: string,
  track: { opened(): void; closed(): void },
) {
  const wss = new WebSocketServer({ server, path: "/graphql" });
  return useServer<{ serviceToken?: string }>(
    {
      connectionInitWaitTimeout: 5000,
      onConnect: async (ctx) => {
        const service = await verifyServiceToken(ctx.connectionParams?.serviceToken, secret);
        if (service !== "gateway") return false;
        track.opened();
        (ctx.extra.socket as import("ws").WebSocket).once("close", () => track.closed());
        return true;
      },
      onSubscribe: async (_ctx, _id, payload) => {
        const verified = await verifyForwardedIdentity(
          payload.extensions?.identity as string | undefined,
          secret,
        );
        if (!verified)
          return [
            new GraphQLError("Subscriptions must come through the Junggo gateway.", {
              extensions: { code: "UNAUTHENTICATED" satisfies ErrorCode },
            }),
          ];
        const parsed = parseOperation(schema, payload.query);
        if ("errors" in parsed) return parsed.errors;
        const { document } = parsed;
        const contextValue: { viewer: Viewer | null } = { viewer: verified.viewer };
        return {
          schema,
          document,
          variableValues: payload.variables,
          operationName: payload.operationName ?? undefined,
          contextValue,
        };
      },
      onNext: (_ctx, _id, _payload, _args, result) => formatExecutionResult(result),
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)),
    },
    wss,
  );
}
