import { describe, expect, it } from "vitest";
import { DomainError, type RequestContext, type Viewer } from "@junggo/runtime";
import type { Account } from "../src/domain/account.ts";
import { identityResolvers } from "../src/adapters/graphql.resolvers.ts";

const driver: Account = {
  id: "0b5c7a4e-5b2f-4d59-9f55-6d3d5a1c2b10",
  email: "driver@junggo.test",
  name: "Jung Hyunwoo",
  role: "DRIVER",
  locale: "ko",
  passwordHash: "scrypt$secret",
  createdAt: new Date(),
};
const issued = { account: driver, token: "t", expiresAt: new Date("2030-01-01T00:00:00Z") };
const r = identityResolvers({
  accounts: { findById: async (id) => (id === driver.id ? driver : null), findByEmail: async () => null },
  logIn: async () => issued,
  signUp: async () => issued,
}) as unknown as Record<string, Record<string, (...a: unknown[]) => Promise<unknown>>>;

const ctx = (id: string, role: Viewer["role"]): RequestContext => ({
  viewer: { id, role, name: "x", email: "x@y.z" },
});
const anon: RequestContext = { viewer: null };

describe("identity resolvers", () => {
  it("login and signUp show the account its own email, never the password hash", async () => {
    for (const payload of [
      await r.Mutation!.login!({}, { email: "e", password: "p" }, anon),
      await r.Mutation!.signUp!({}, { input: {} }, anon),
    ]) {
      expect(payload).toEqual({
        token: "t",
        expiresAt: "2030-01-01T00:00:00.000Z",
        account: {
          id: driver.id,
          email: "driver@junggo.test",
          name: "Jung Hyunwoo",
          role: "DRIVER",
          locale: "ko",
        },
      });
    }
  });

  it("me needs a viewer and shows the full email", async () => {
    await expect(r.Query!.me!({}, {}, anon)).rejects.toSatisfy(
      (e: unknown) => e instanceof DomainError && e.code === "UNAUTHENTICATED",
    );
    expect(await r.Query!.me!({}, {}, ctx(driver.id, "DRIVER"))).toMatchObject({
      email: "driver@junggo.test",
    });
  });

  it("references: null for anonymous viewers, masked email for others, full email for self and staff", async () => {
    const ref = (c: RequestContext, id = driver.id) =>
      r.Account!.__resolveReference!({ id }, c) as Promise<{ email: string } | null>;
    expect(await ref(anon)).toBeNull();
    expect((await ref(ctx("b", "BUYER")))?.email).toBe("d•••@junggo.test");
    expect((await ref(ctx(driver.id, "DRIVER")))?.email).toBe("driver@junggo.test");
    expect((await ref(ctx("s", "STAFF")))?.email).toBe("driver@junggo.test");
    expect(await ref(ctx("s", "STAFF"), "not-a-uuid")).toBeNull();
  });
});
