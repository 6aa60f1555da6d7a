import { ApolloServer, HeaderMap } from "@apollo/server";
import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { overloadPlugin } from "../src/overload.plugin.ts";

const server = new ApolloServer({
  typeDefs: `type Query { busy: Int, broken: Int, fine: Int }`,
  resolvers: {
    Query: {
      busy: () => {
        throw new GraphQLError("Too many purchases at once.", {
          extensions: { code: "OVERLOADED", retryAfterSeconds: 2.4 },
        });
      },
      broken: () => {
        throw new GraphQLError("No.", { extensions: { code: "PAYMENT_DECLINED" } });
      },
      fine: () => 1,
    },
  },
  plugins: [overloadPlugin()],
});
await server.start();

async function post(query: string) {
  const headers = new HeaderMap([["content-type", "application/json"]]);
  return server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: "POST", headers, search: "", body: { query } },
    context: async () => ({}),
  });
}

describe("overload answer at the gateway", () => {
  it("answers HTTP 503 with Retry-After when the only errors are OVERLOADED", async () => {
    const r = await post("{ busy }");
    expect(r.status).toBe(503);
    expect(r.headers.get("retry-after")).toBe("3");
  });
  it("leaves other failures and successes alone", async () => {
    for (const q of ["{ broken }", "{ busy broken }", "{ fine }"]) {
      const r = await post(q);
      expect(r.status ?? 200, q).toBe(200);
      expect(r.headers.get("retry-after"), q).toBeUndefined();
    }
  });
});
