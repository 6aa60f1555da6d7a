import type { IncomingMessage, Server } from "node:http";
import {
  executeQueryPlan,
  buildOperationContext,
  type GraphQLDataSource,
  type ServiceMap,
} from "@apollo/gateway";
import { operationFromDocument, Supergraph, type Schema } from "@apollo/federation-internals";
import {
  QueryPlanner,
  type FetchNode,
  type PlanNode,
  type QueryPlan,
  type SubscriptionNode,
} from "@apollo/query-planner";
import {
  GraphQLError,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLSchema,
  type ValidationRule,
} from "graphql";
import { createClient, type Client } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import WebSocket, { WebSocketServer } from "ws";
import {
  formatError,
  formatExecutionResult,
  parseOperation,
  signForwardedIdentity,
  signServiceToken,
  type ErrorCode,
  type Logger,
  type Viewer,
} from "@junggo/runtime";
import { BoundedQueue, END, OVERFLOW } from "./bounded-queue.ts";
import type { GatewayContext } from "./gateway.ts";

type RequestContext = Parameters<typeof executeQueryPlan>[2];

export interface SubscriptionOptions {
  supergraphSdl: string;
  /** The data sources the gateway's queries use (same identity forwarding), by subgraph name. */
  dataSources: () => ServiceMap;
  /** The URL each subgraph is called at (http…/graphql); its ws: twin serves subscriptions. */
  subgraphUrl: (name: string) => string;
  internalSecret: string;
  /** Verifies `connection_init`'s authorization; null for no/invalid token. */
  authenticate: (authorization: string | undefined) => Promise<{ viewer: Viewer; expiresAt: number } | null>;
  /** Pending events per subscription before the subscriber is told it fell behind. */
  bufferSize: number;
  /** Extra validation (depth/cost limits), as for HTTP operations. */
  validationRules?: readonly ValidationRule[];
  maxQueryBytes?: number;
  log: Logger;
}

export interface SubscriptionStats {
  /** Client websockets open on the gateway. */
  connections: number;
  /** Client subscriptions running. */
  subscriptions: number;
  /** Websockets from the gateway to subgraphs. */
  upstreamSockets: number;
  /** Subscriptions running on those sockets. */
  upstreamSubscriptions: number;
  delivered: number;
  overflowed: number;
}

export const CLOSE_UNAUTHORIZED = 4401;

/**
 * Federated subscriptions for @apollo/gateway, which plans them but does not run them.
 *
 * Passthrough design: the subgraph that owns the root field serves the subscription (it knows who
 * may see each event, and reads the entity's state at the moment of the event); the gateway
 * forwards the query planner's `primary` fetch to it over one multiplexed graphql-ws socket per
 * subgraph, and for every event runs the plan's `rest` (the other subgraphs' fields, `_entities`)
 * with the same executor as queries. So a pushed payload is exactly what the same selection returns
 * from a query at that moment, with no per-field glue.
 */
export class FederatedSubscriptions {
  private readonly apiSchema: Schema;
  readonly schema: GraphQLSchema;
  private readonly supergraphSchema: GraphQLSchema;
  private readonly planner: QueryPlanner;
  private readonly plans = new Map<string, SubscriptionNode>();
  private readonly upstream = new Map<string, Client>();
  private counts = {
    connections: 0,
    subscriptions: 0,
    upstreamSockets: 0,
    upstreamSubscriptions: 0,
    delivered: 0,
    overflowed: 0,
  };
  private wss: WebSocketServer | null = null;
  private serverCleanup: { dispose(): Promise<void> | void } | null = null;

  constructor(private readonly o: SubscriptionOptions) {
    const supergraph = Supergraph.build(o.supergraphSdl);
    this.apiSchema = supergraph.apiSchema();
    this.schema = this.apiSchema.toGraphQLJSSchema();
    this.supergraphSchema = supergraph.schema.toGraphQLJSSchema();
    this.planner = new QueryPlanner(supergraph);
  }

  stats(): SubscriptionStats {
    return { ...this.counts };
  }

  /** graphql-ws on the gateway's own HTTP server and path, next to queries and mutations. */
  attach(server: Server, path: string): void {
    this.wss = new WebSocketServer({ noServer: true });
    server.on("upgrade", (req: IncomingMessage, socket, head) => {
      if (new URL(req.url ?? "/", "http://x").pathname !== path) return socket.destroy();
      this.wss!.handleUpgrade(req, socket, head, (ws) => this.wss!.emit("connection", ws, req));
    });
    const logins = new WeakMap<object, { viewer: Viewer; expiresAt: number }>();
    this.serverCleanup = useServer<Record<string, unknown>>(
      {
        schema: this.schema,
        connectionInitWaitTimeout: 5000,
        onConnect: async (ctx) => {
          // `authorization` as the contract says; any casing, as tools that copy HTTP headers send it.
          const key = Object.keys(ctx.connectionParams ?? {}).find(
            (k) => k.toLowerCase() === "authorization",
          );
          const value = key ? ctx.connectionParams![key] : undefined;
          const auth = await this.o.authenticate(typeof value === "string" ? value : undefined);
          if (!auth) return false; // graphql-ws closes with 4403 Forbidden
          logins.set(ctx.extra, auth);
          const socket = ctx.extra.socket as WebSocket;
          this.counts.connections++;
          // A subscription lives no longer than the login that opened it.
          const expiry = setTimeout(
            () => socket.close(CLOSE_UNAUTHORIZED, "Token expired"),
            Math.max(0, auth.expiresAt - Date.now()),
          );
          socket.once("close", () => {
            this.counts.connections--;
            clearTimeout(expiry);
          });
          return true;
        },
        onSubscribe: (ctx, _id, payload) => {
          if (this.o.maxQueryBytes && Buffer.byteLength(payload.query) > this.o.maxQueryBytes) {
            return [
              new GraphQLError(`The operation is larger than ${this.o.maxQueryBytes} bytes.`, {
                extensions: { code: "QUERY_TOO_LARGE" satisfies ErrorCode },
              }),
            ];
          }
          const parsed = parseOperation(this.schema, payload.query, this.o.validationRules);
          if ("errors" in parsed) return parsed.errors;
          const { document } = parsed;
          const args: ExecutionArgs = {
            schema: this.schema,
            document,
            operationName: payload.operationName ?? undefined,
            variableValues: payload.variables ?? {},
            contextValue: {
              viewer: logins.get(ctx.extra)?.viewer ?? null,
              expiresAt: logins.get(ctx.extra)?.expiresAt,
            } satisfies GatewayContext,
          };
          const op = buildOperationContext({
            schema: this.schema,
            operationDocument: document,
            operationName: args.operationName ?? undefined,
          }).operation;
          if (op.operation !== "subscription") {
            return [
              new GraphQLError(
                "Only subscriptions are served over WebSocket; send queries and mutations over HTTP.",
                { extensions: { code: "BAD_REQUEST" satisfies ErrorCode } },
              ),
            ];
          }
          return args;
        },
        subscribe: (args) => this.run(args),
        onNext: (_ctx, _id, _payload, _args, result) => formatExecutionResult(result),
        onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)),
      },
      this.wss,
    );
  }

  async dispose(): Promise<void> {
    await this.serverCleanup?.dispose();
    for (const c of this.upstream.values()) await c.dispose();
    this.upstream.clear();
  }

  private plan(document: DocumentNode, operationName: string | undefined): SubscriptionNode {
    const key = `${operationName ?? ""}\n${JSON.stringify(document.loc?.source.body ?? document)}`;
    let node = this.plans.get(key);
    if (!node) {
      const operation = operationFromDocument(this.apiSchema, document, { operationName });
      const plan = this.planner.buildQueryPlan(operation);
      if (plan.node?.kind !== "Subscription") throw new Error("not a subscription plan");
      node = plan.node;
      if (this.plans.size >= 1000) this.plans.delete(this.plans.keys().next().value!);
      this.plans.set(key, node);
    }
    return node;
  }

  /** One client subscription: upstream events in, complete payloads out, one at a time, in order. */
  private run(args: ExecutionArgs): AsyncGenerator<ExecutionResult> | ExecutionResult {
    const ctx = args.contextValue as GatewayContext;
    if (!ctx.viewer)
      return {
        errors: [
          new GraphQLError("You must be logged in.", {
            extensions: { code: "UNAUTHENTICATED" satisfies ErrorCode },
          }),
        ],
      };
    let node: SubscriptionNode;
    try {
      node = this.plan(args.document, args.operationName ?? undefined);
    } catch (err) {
      this.o.log.error("subscription planning failed", { err: (err as Error).message });
      return {
        errors: [
          new GraphQLError("This subscription cannot be planned.", {
            extensions: { code: "INTERNAL_SERVER_ERROR" satisfies ErrorCode },
          }),
        ],
      };
    }
    const variables = (args.variableValues ?? {}) as Record<string, unknown>;
    const operationContext = buildOperationContext({
      schema: this.schema,
      operationDocument: args.document,
      operationName: args.operationName ?? undefined,
    });
    const plan: QueryPlan = {
      kind: "QueryPlan",
      node: node.rest ? ({ kind: "Sequence", nodes: [node.primary, node.rest] } as PlanNode) : node.primary,
    };
    const events = new BoundedQueue<FormattedExecutionResult>(this.o.bufferSize);
    const self = this;

    let unsubscribe: (() => void) | null = null;
    const cleanup = () => {
      unsubscribe?.();
      unsubscribe = null;
      events.close();
    };
    const gen = (async function* () {
      self.counts.subscriptions++;
      try {
        unsubscribe = await self.openUpstream(node.primary, variables, ctx, events);
        for (;;) {
          const next = await events.take();
          if (next === END) return;
          if (next === OVERFLOW) {
            self.counts.overflowed++;
            yield {
              errors: [
                new GraphQLError(
                  "You fell behind on this subscription's events; refetch and subscribe again.",
                  { extensions: { code: "SUBSCRIPTION_OVERFLOW" satisfies ErrorCode } },
                ),
              ],
            };
            return;
          }
          if (!next.data) {
            yield {
              errors: (next.errors ?? []).map(
                (e) => new GraphQLError(e.message, { extensions: e.extensions }),
              ),
            };
            continue;
          }
          const result = await self.complete(
            plan,
            node.primary,
            next,
            variables,
            args,
            operationContext,
            ctx.viewer!,
          );
          self.counts.delivered++;
          yield result;
        }
      } finally {
        cleanup();
        self.counts.subscriptions--;
      }
    })();
    // An async generator waiting for an event would only see return() after that event arrives:
    // release the upstream subscription at once, which also ends the wait.
    const iterator = {
      next: () => gen.next(),
      return: (value?: unknown) => {
        cleanup();
        return gen.return(value as undefined);
      },
      throw: (err: unknown) => {
        cleanup();
        return gen.throw(err);
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator as unknown as AsyncGenerator<ExecutionResult>;
  }

  /** Runs `rest` for one event: the primary's payload stands in for the primary fetch. */
  private async complete(
    plan: QueryPlan,
    primary: FetchNode,
    event: FormattedExecutionResult,
    variables: Record<string, unknown>,
    args: ExecutionArgs,
    operationContext: ReturnType<typeof buildOperationContext>,
    viewer: Viewer,
  ): Promise<ExecutionResult> {
    const received: GraphQLDataSource = { process: async () => ({ data: event.data }) } as GraphQLDataSource;
    const serviceMap: ServiceMap = { ...this.o.dataSources(), [primary.serviceName]: received };
    const context: GatewayContext = { viewer };
    const requestContext = {
      request: {
        query: args.document.loc?.source.body,
        variables,
        operationName: args.operationName ?? undefined,
      },
      context,
      logger: {
        debug() {},
        info() {},
        warn: (m: unknown) => this.o.log.warn(String(m)),
        error: (m: unknown) => this.o.log.error(String(m)),
      },
      metrics: {},
      overallCachePolicy: {},
    } as unknown as RequestContext;
    return executeQueryPlan(
      plan,
      serviceMap,
      requestContext,
      operationContext,
      this.supergraphSchema,
      this.apiSchema,
    );
  }

  private async openUpstream(
    primary: FetchNode,
    variables: Record<string, unknown>,
    ctx: GatewayContext,
    events: BoundedQueue<FormattedExecutionResult>,
  ): Promise<() => void> {
    const vars: Record<string, unknown> = {};
    for (const name of primary.variableUsages ?? [])
      if (variables[name] !== undefined) vars[name] = variables[name];
    // Valid for the login's lifetime: the upstream client re-sends it when it reconnects.
    const ttl = Math.max(1, Math.ceil(((ctx.expiresAt ?? Date.now() + 60_000) - Date.now()) / 1000));
    const identity = await signForwardedIdentity(ctx.viewer, this.o.internalSecret, ttl);
    this.counts.upstreamSubscriptions++;
    let done = false;
    const stop = this.client(primary.serviceName).subscribe(
      {
        query: primary.operation,
        variables: vars,
        operationName: primary.operationName ?? undefined,
        extensions: { identity },
      },
      {
        next: (value) => events.push(value as FormattedExecutionResult),
        error: (err) => {
          const errors = Array.isArray(err)
            ? err
            : [
                {
                  message: "The live feed is unavailable.",
                  extensions: { code: "SUBGRAPH_UNAVAILABLE" satisfies ErrorCode },
                },
              ];
          events.push({ errors });
          events.end();
        },
        complete: () => events.end(),
      },
    );
    return () => {
      if (done) return;
      done = true;
      this.counts.upstreamSubscriptions--;
      stop();
    };
  }

  /** One lazy graphql-ws client per subgraph: the socket opens with the first subscription, closes after the last. */
  private client(name: string): Client {
    let c = this.upstream.get(name);
    if (!c) {
      const url = this.o.subgraphUrl(name).replace(/^http/, "ws");
      c = createClient({
        url,
        webSocketImpl: WebSocket,
        lazy: true,
        lazyCloseTimeout: 0,
        retryAttempts: Number.POSITIVE_INFINITY,
        shouldRetry: () => true,
        connectionParams: async () => ({
          serviceToken: await signServiceToken("gateway", this.o.internalSecret),
        }),
      });
      let open = false;
      c.on("opened", () => {
        open = true;
        this.counts.upstreamSockets++;
      });
      // "closed" also fires for sockets that never opened.
      c.on("closed", () => {
        if (open) this.counts.upstreamSockets--;
        open = false;
      });
      this.upstream.set(name, c);
    }
    return c;
  }
}
