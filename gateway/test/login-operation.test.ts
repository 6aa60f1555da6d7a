import { describe, expect, it } from "vitest";
import { loginAttempts } from "../src/login-operation.ts";
import { parseBearer } from "../src/bearer.ts";

describe("loginAttempts (the parsed operation that runs, not its text)", () => {
  it("counts login root fields of the executed mutation, aliases and fragments included", () => {
    expect(loginAttempts(`mutation { login(email: "a", password: "b") { token } }`)).toBe(1);
    // A comment between login and "(" defeated the former text match.
    expect(loginAttempts(`mutation { login # sneaky\n (email: "a", password: "b") { token } }`)).toBe(1);
    expect(loginAttempts(`mutation { login\n\t(email: "a", password: "b") { token } }`)).toBe(1);
    expect(
      loginAttempts(
        `mutation { a: login(email: "a", password: "1") { token } b: login(email: "a", password: "2") { token } }`,
      ),
    ).toBe(2);
    expect(
      loginAttempts(`mutation { ...F ... on Mutation { login(email: "a", password: "1") { token } } }
        fragment F on Mutation { x: login(email: "a", password: "2") { token } }`),
    ).toBe(2);
  });

  it("counts only the operation that runs (operationName), and nothing in comments, strings or nested fields", () => {
    const doc = `query Q { __typename } mutation M { login(email: "a", password: "b") { token } }`;
    expect(loginAttempts(doc, "M")).toBe(1);
    expect(loginAttempts(doc, "Q")).toBe(0);
    expect(loginAttempts(doc)).toBe(0); // ambiguous: GraphQL runs nothing
    expect(loginAttempts(`query { __typename # login(\n }`)).toBe(0);
    expect(loginAttempts(`mutation { signUp(input: { name: "login(" }) { token } }`)).toBe(0);
    expect(loginAttempts(`mutation { signUp(input: {}) { account { login { id } } } }`)).toBe(0);
    expect(loginAttempts(`query { login }`)).toBe(0);
    expect(loginAttempts(`mutation { login(`)).toBe(0); // does not parse: nothing runs
    expect(loginAttempts(undefined)).toBe(0);
  });

  it("does not loop on a fragment that spreads itself", () => {
    expect(
      loginAttempts(
        `mutation { ...F } fragment F on Mutation { login(email: "a", password: "b") { token } ...F }`,
      ),
    ).toBe(1);
  });
});

describe("parseBearer", () => {
  it("reads the token of 'Bearer <token>' in any case, tells a missing header from a malformed one", () => {
    expect(parseBearer("Bearer abc.def")).toEqual({ kind: "token", token: "abc.def" });
    expect(parseBearer("  bearer   abc  ")).toEqual({ kind: "token", token: "abc" });
    expect(parseBearer(undefined)).toEqual({ kind: "none" });
    expect(parseBearer("  ")).toEqual({ kind: "none" });
    expect(parseBearer("Basic dXNlcjpwYXNz")).toEqual({ kind: "malformed" });
    expect(parseBearer("Bearer")).toEqual({ kind: "malformed" });
  });
});
