import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { GraphQLError } from "graphql";
import { type ErrorCode, IDENTITY_HEADER, signForwardedIdentity, type Logger } from "@junggo/runtime";
import type { GatewayContext } from "./context.ts";
import type { HttpResponse } from "@junggo/runtime";

export type SubgraphFetcher = (
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
) => Promise<HttpResponse>;

/** Forwards the gateway-verified identity as a short-lived token the subgraphs verify. */
export class IdentityForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    url: string,
    private readonly internalSecret: string,
    private readonly service: string,
    private readonly log: Logger,
    fetcher: SubgraphFetcher,
  ) {
    // Pooled sockets retire before the subgraph would close them (keep-alive-http.client.ts in @junggo/runtime); the default
    // fetcher keeps idle sockets forever and races the server's close.
    super({ url, fetcher: fetcher as unknown as RemoteGraphQLDataSource["fetcher"] });
  }

  /**
   * A subgraph that cannot be reached (down, restarting, connection dropped) is a named, retryable
   * condition for the client, not an internal error. A dropped connection may come after the
   * subgraph acted, so the message does not promise that nothing happened.
   */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    try {
      return await super.process(options);
    } catch (err) {
      // The client sees a masked error; operators need to know which subgraph answered what.
      const status = (err as GraphQLError).extensions?.response as { status?: number } | undefined;
      this.log.warn("subgraph request failed", {
        service: this.service,
        url: this.url,
        status: status?.status,
        err: (err as Error).message,
      });
      if (err instanceof GraphQLError) throw err;
      throw new GraphQLError(
        `The ${this.service} service did not answer. Please try again shortly; if you were changing something, check whether it went through first.`,
        { extensions: { code: "SERVICE_UNAVAILABLE" satisfies ErrorCode, service: this.service } },
      );
    }
  }

  override async willSendRequest({
    request,
    context,
  }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const ctx = context as GatewayContext;
    ctx.forwardedIdentity ??= signForwardedIdentity(ctx.viewer ?? null, this.internalSecret);
    request.http?.headers.set(IDENTITY_HEADER, await ctx.forwardedIdentity);
  }
}
