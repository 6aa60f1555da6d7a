// Staff's dead-letter view: use cases against an in-memory source, resolvers' validation, and the
// HTTP client against a real local server standing in for a context.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  signServiceToken,
  verifyServiceToken,
  type Logger,
  type RequestContext,
  type Viewer,
} from "@junggo/runtime";
import { refusalOfAsync } from "@junggo/runtime/testing";
import type { DeadLetter } from "../src/domain/dead-letter.ts";
import { ContextUnreachable, type DeadLetterSource } from "../src/app/dead-letters.port.ts";
import { makeListDeadLetters } from "../src/app/dead-letters.query.ts";
import { makeReplayDeadLetter } from "../src/app/replay-dead-letter.use-case.ts";
import { deadLetterResolvers } from "../src/adapters/dead-letters.resolvers.ts";
import { DeadLettersClient } from "../src/adapters/dead-letters.client.ts";

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const viewer = (role: Viewer["role"]): Viewer => ({
  id: "aaaaaaaa-0000-4000-8000-000000000000",
  role,
  name: role,
  email: `${role}@junggo.test`,
});
const staff = viewer("STAFF");
const CONTEXTS = ["stock", "purchase", "billing", "notification"] as const;

const letter = (context: string, id: string, at: string, extra: Partial<DeadLetter> = {}): DeadLetter => ({
  context,
  id,
  consumer: context,
  eventId: `e-${context}-${id}`,
  eventType: "PurchasePaid",
  subject: "purchase.purchase.paid",
  error: "boom",
  deliveries: 5,
  createdAt: new Date(at),
  replayedAt: null,
  status: "PENDING",
  replayAttempts: 0,
  replayError: null,
  ...extra,
});

/** Per context: its dead letters, or "down". Records what was asked. */
class MemorySource implements DeadLetterSource {
  asked: string[] = [];
  constructor(private readonly data: Record<string, DeadLetter[] | "down">) {}
  async list(context: string, first: number) {
    this.asked.push(context);
    const d = this.data[context] ?? [];
    if (d === "down") throw new ContextUnreachable(context, "connection refused");
    return [...d].sort((a, b) => +b.createdAt - +a.createdAt).slice(0, first);
  }
  async replay(context: string, id: string) {
    const d = this.data[context] ?? [];
    if (d === "down") throw new ContextUnreachable(context, "connection refused");
    const found = d.find((l) => l.id === id);
    return found
      ? {
          ...found,
          status: "REPLAYED" as const,
          replayedAt: new Date("2026-05-01T00:00:00Z"),
          replayAttempts: 1,
        }
      : null;
  }
}

const setup = (data: Record<string, DeadLetter[] | "down">) => {
  const source = new MemorySource(data);
  const list = makeListDeadLetters({ source, contexts: CONTEXTS, log: silent });
  const replay = makeReplayDeadLetter({ source, log: silent });
  return {
    source,
    list,
    replay,
    resolvers: deadLetterResolvers({ list, replay, contexts: CONTEXTS }) as any,
  };
};

describe("listing dead letters", () => {
  it("gathers every context's, newest first, at most `first` in all", async () => {
    const { list } = setup({
      stock: [letter("stock", "1", "2026-04-01T10:00:00Z"), letter("stock", "2", "2026-04-03T10:00:00Z")],
      notification: [letter("notification", "9", "2026-04-02T10:00:00Z")],
    });
    const all = await list(staff, { context: null, first: 50 });
    expect(all.items.map((d) => `${d.context}/${d.id}`)).toEqual(["stock/2", "notification/9", "stock/1"]);
    expect(all.unreachableContexts).toEqual([]);
    expect((await list(staff, { context: null, first: 2 })).items.map((d) => d.id)).toEqual(["2", "9"]);
  });

  it("reports contexts that are down instead of failing, and still answers with the others'", async () => {
    const { list } = setup({
      stock: "down",
      billing: "down",
      purchase: [letter("purchase", "3", "2026-04-01T10:00:00Z")],
    });
    const report = await list(staff, { context: null, first: 50 });
    expect(report.unreachableContexts).toEqual(["billing", "stock"]);
    expect(report.items.map((d) => d.context)).toEqual(["purchase"]);
  });

  it("asks only the context named", async () => {
    const { list, source } = setup({
      purchase: [letter("purchase", "3", "2026-04-01T10:00:00Z")],
      stock: [letter("stock", "1", "2026-04-01T10:00:00Z")],
    });
    expect((await list(staff, { context: "purchase", first: 50 })).items.map((d) => d.context)).toEqual([
      "purchase",
    ]);
    expect(source.asked).toEqual(["purchase"]);
  });

  it("is for staff only", async () => {
    const { list, source } = setup({ stock: [letter("stock", "1", "2026-04-01T10:00:00Z")] });
    for (const role of ["BUYER", "SELLER", "DRIVER"] as const) {
      expect((await refusalOfAsync(() => list(viewer(role), { context: null, first: 50 }))).code).toBe(
        "FORBIDDEN",
      );
    }
    expect((await refusalOfAsync(() => list(null, { context: null, first: 50 }))).code).toBe(
      "UNAUTHENTICATED",
    );
    expect(source.asked).toEqual([]);
  });
});

describe("replaying a dead letter", () => {
  it("returns what the owning context answered", async () => {
    const { replay } = setup({ notification: [letter("notification", "7", "2026-04-01T10:00:00Z")] });
    expect(await replay(staff, { context: "notification", id: "7" })).toMatchObject({
      context: "notification",
      id: "7",
      status: "REPLAYED",
    });
  });

  it("answers DEAD_LETTER_NOT_FOUND, CONTEXT_UNAVAILABLE and FORBIDDEN", async () => {
    const { replay } = setup({
      notification: [letter("notification", "7", "2026-04-01T10:00:00Z")],
      stock: "down",
    });
    expect((await refusalOfAsync(() => replay(staff, { context: "notification", id: "8" }))).code).toBe(
      "DEAD_LETTER_NOT_FOUND",
    );
    expect((await refusalOfAsync(() => replay(staff, { context: "purchase", id: "7" }))).code).toBe(
      "DEAD_LETTER_NOT_FOUND",
    );
    const down = await refusalOfAsync(() => replay(staff, { context: "stock", id: "1" }));
    expect(down.code).toBe("CONTEXT_UNAVAILABLE");
    expect(down.message).toMatch(/stock/);
    expect(
      (await refusalOfAsync(() => replay(viewer("BUYER"), { context: "notification", id: "7" }))).code,
    ).toBe("FORBIDDEN");
  });
});

describe("GraphQL arguments", () => {
  const ctx = (v: Viewer | null): RequestContext => ({ viewer: v });
  const { resolvers } = setup({
    stock: [
      letter("stock", "12", "2026-04-01T10:00:00Z", {
        replayedAt: new Date("2026-04-02T00:00:00Z"),
        status: "REPLAYED",
      }),
    ],
  });
  const query = (args: Record<string, unknown>, v: Viewer | null = staff) =>
    resolvers.Query.deadLetters(null, { first: 50, ...args }, ctx(v));
  const mutate = (args: Record<string, unknown>, v: Viewer | null = staff) =>
    resolvers.Mutation.replayDeadLetter(null, args, ctx(v));
  const fieldOf = async (p: () => Promise<unknown>) => {
    const r = await refusalOfAsync(p);
    expect(r.code).toBe("BAD_USER_INPUT");
    return r.field;
  };

  it("refuses an unknown context, a bad page size and a bad id, naming the field", async () => {
    expect(await fieldOf(() => query({ context: "Stock" }))).toBe("context");
    expect(await fieldOf(() => query({ context: "" }))).toBe("context");
    for (const first of [0, -1, 201, 1.5]) expect(await fieldOf(() => query({ first }))).toBe("first");
    expect(await fieldOf(() => mutate({ context: "nope", id: "1" }))).toBe("context");
    for (const id of ["abc", "0", "-1", "01", "1.5", "1".repeat(19), "1 OR 1=1"])
      expect(await fieldOf(() => mutate({ context: "stock", id }))).toBe("id");
  });

  it("maps dates to ISO strings and keeps the report's shape", async () => {
    const r = await query({ context: null, first: 200 });
    expect(r.unreachableContexts).toEqual([]);
    expect(r.items).toEqual([
      expect.objectContaining({
        id: "12",
        context: "stock",
        createdAt: "2026-04-01T10:00:00.000Z",
        replayedAt: "2026-04-02T00:00:00.000Z",
        eventType: "PurchasePaid",
      }),
    ]);
    expect(await mutate({ context: "stock", id: "12" })).toMatchObject({
      id: "12",
      status: "REPLAYED",
      replayedAt: "2026-05-01T00:00:00.000Z",
    });
  });
});

describe("DeadLettersClient", () => {
  const secret = "test-secret";
  let server: Server;
  let url: string;
  let answer: (req: IncomingMessage, res: ServerResponse) => void;
  const json = (res: ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  const wire = {
    id: "5",
    consumer: "notification",
    eventId: "e-1",
    type: "PurchaseDelivered",
    subject: "purchase.purchase.delivered",
    error: "boom",
    deliveries: 3,
    createdAt: "2026-04-01T10:00:00.000Z",
    replayedAt: null,
    status: "PENDING",
    replayAttempts: 0,
    replayError: null,
  };

  beforeAll(async () => {
    server = createServer((req, res) => answer(req, res));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );

  const client = (urls: Record<string, string> = { notification: url }) =>
    new DeadLettersClient({
      urls,
      timeoutMs: 300,
      serviceToken: () => signServiceToken("dashboard", secret),
      log: silent,
    });

  it("lists with the dashboard's service token and reads the answer", async () => {
    let seen: { auth?: string; path?: string; method?: string } = {};
    answer = (req, res) => {
      seen = { auth: req.headers.authorization, path: req.url, method: req.method };
      json(res, 200, { deadLetters: [wire] });
    };
    const [d] = await client().list("notification", 20);
    expect(seen.method).toBe("GET");
    expect(seen.path).toBe("/internal/dead-letters?first=20");
    expect(await verifyServiceToken(seen.auth?.replace("Bearer ", ""), secret)).toBe("dashboard");
    expect(d).toEqual<DeadLetter>({
      context: "notification",
      id: "5",
      consumer: "notification",
      eventId: "e-1",
      eventType: "PurchaseDelivered",
      subject: "purchase.purchase.delivered",
      error: "boom",
      deliveries: 3,
      createdAt: new Date("2026-04-01T10:00:00.000Z"),
      replayedAt: null,
      status: "PENDING",
      replayAttempts: 0,
      replayError: null,
    });
  });

  it("replays by POST, and reads a 404 as no such dead letter", async () => {
    let path = "";
    answer = (req, res) => {
      path = `${req.method} ${req.url}`;
      if (req.url?.startsWith("/internal/dead-letters/5/"))
        json(res, 200, {
          deadLetter: {
            ...wire,
            status: "REPLAYED",
            replayedAt: "2026-04-02T00:00:00.000Z",
            replayAttempts: 1,
          },
        });
      else json(res, 404, { code: "DEAD_LETTER_NOT_FOUND", message: "no" });
    };
    expect(await client().replay("notification", "5")).toMatchObject({
      status: "REPLAYED",
      replayedAt: new Date("2026-04-02T00:00:00.000Z"),
    });
    expect(path).toBe("POST /internal/dead-letters/5/replay");
    expect(await client().replay("notification", "6")).toBeNull();
  });

  it("turns every other outcome into ContextUnreachable", async () => {
    const unreachable = async (p: Promise<unknown>) => {
      const err = await p.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ContextUnreachable);
      return (err as ContextUnreachable).reason;
    };
    answer = (_req, res) => json(res, 500, { code: "INTERNAL_SERVER_ERROR" });
    expect(await unreachable(client().list("notification", 5))).toMatch(/500/);
    answer = (_req, res) => json(res, 401, { code: "UNAUTHENTICATED" });
    expect(await unreachable(client().replay("notification", "5"))).toMatch(/401/);
    answer = (_req, res) => json(res, 200, { deadLetters: [{ ...wire, status: "LOST" }] });
    expect(await unreachable(client().list("notification", 5))).toMatch(/unreadable/);
    answer = (_req, res) => res.writeHead(200).end("<html>");
    expect(await unreachable(client().list("notification", 5))).toMatch(/200/);
    answer = () => {
      /* never answers */
    };
    expect(await unreachable(client().list("notification", 5))).toMatch(/abort|timeout/i);
    expect(await unreachable(client({ notification: "http://127.0.0.1:1" }).list("notification", 5))).toMatch(
      /fetch failed|ECONNREFUSED/,
    );
    expect(await unreachable(client({}).list("notification", 5))).toMatch(/no URL/);
  });
});
