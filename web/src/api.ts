// Talking to the gateway: queries and mutations over HTTP, subscriptions over graphql-ws, both on
// the page's own origin (/graphql). One Apollo client per login: logging out disposes it (cache and
// websocket), logging in creates a new one that authenticates with the new token.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, type TypedDocumentNode } from "@apollo/client";
import { CombinedGraphQLErrors, ServerError } from "@apollo/client/errors";
import { SetContextLink } from "@apollo/client/link/context";
import { ErrorLink } from "@apollo/client/link/error";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { print } from "graphql";
import { createClient, type Client as WsClient } from "graphql-ws";
import { GraphQLRequestError } from "./errors.ts";

export const GRAPHQL_PATH = "/graphql";

export function wsUrl(loc: Location = window.location): string {
  return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}${GRAPHQL_PATH}`;
}

/** A single request outside Apollo (login and the session check, before a client exists). */
export async function gqlFetch<T, V>(
  document: TypedDocumentNode<T, V>,
  variables: V,
  token?: string,
): Promise<T> {
  const res = await fetch(GRAPHQL_PATH, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: print(document), variables }),
  });
  let body: { data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  try {
    body = await res.json();
  } catch {
    throw new Error(`HTTP ${res.status}`);
  }
  const first = body.errors?.[0];
  if (first) throw new GraphQLRequestError(first);
  if (!body.data) throw new Error(`HTTP ${res.status}`);
  return body.data;
}

export type LiveState = "connecting" | "live" | "offline";

/** The Apollo client of one session, and the state of its websocket for the "live" indicator. */
export interface Api {
  client: ApolloClient;
  ws: WsClient;
  live: { get(): LiveState; subscribe(listener: () => void): () => void };
  dispose(): void;
}

// Close codes with which the gateway refuses a connection's credentials (graphql-ws: 4401
// Unauthorized, 4403 Forbidden). Retrying with the same token cannot help.
const AUTH_CLOSE_CODES = new Set([4401, 4403]);
const closeCode = (e: unknown) =>
  e && typeof e === "object" && "code" in e ? Number((e as { code: unknown }).code) : undefined;

export function createApi(getToken: () => string | null, onAuthLost: () => void): Api {
  let liveState: LiveState = "connecting";
  const listeners = new Set<() => void>();
  const setLive = (s: LiveState) => {
    if (s === liveState) return;
    liveState = s;
    for (const l of listeners) l();
  };
  let client: ApolloClient | undefined;

  const ws = createClient({
    url: wsUrl(),
    // Read at every (re)connect, so a reconnect always presents the current token.
    connectionParams: () => {
      const token = getToken();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    lazy: true,
    keepAlive: 15_000,
    retryAttempts: Number.MAX_SAFE_INTEGER,
    shouldRetry: (e) => !AUTH_CLOSE_CODES.has(closeCode(e) ?? 0),
    on: {
      connecting: () => setLive("connecting"),
      connected: (_socket, _payload, wasRetry) => {
        setLive("live");
        // Events that happened while the socket was down were missed: read the current state.
        if (wasRetry) void client?.refetchQueries({ include: "active" });
      },
      closed: (e) => {
        setLive("offline");
        if (AUTH_CLOSE_CODES.has(closeCode(e) ?? 0)) onAuthLost();
      },
    },
  });

  const auth = new SetContextLink(({ headers }) => {
    const token = getToken();
    return { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } };
  });
  const errors = new ErrorLink(({ error }) => {
    const unauthenticated =
      (CombinedGraphQLErrors.is(error) &&
        error.errors.some((e) => e.extensions?.code === "UNAUTHENTICATED")) ||
      (ServerError.is(error) && error.statusCode === 401);
    if (unauthenticated) onAuthLost();
  });
  const http = new HttpLink({ uri: GRAPHQL_PATH });
  const link = ApolloLink.from([
    errors,
    ApolloLink.split((op) => op.operationType === "subscription", new GraphQLWsLink(ws), auth.concat(http)),
  ]);

  client = new ApolloClient({
    link,
    cache: new InMemoryCache({
      typePolicies: {
        // Keyed by make and model; no id of its own.
        StockLine: { keyFields: ["make", "model"] },
        // A purchase's delivery job never goes away once it exists: a PAID push resolved before the
        // job was created (consignment null) must not unlink the job a delivery push linked.
        Purchase: {
          fields: { consignment: { merge: (existing, incoming) => incoming ?? existing ?? null } },
        },
      },
    }),
  });

  return {
    client,
    ws,
    live: {
      get: () => liveState,
      subscribe: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    },
    dispose() {
      client?.stop();
      void client?.clearStore();
      void ws.dispose();
      listeners.clear();
    },
  };
}
