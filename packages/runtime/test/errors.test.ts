import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { DomainError, formatError } from "../src/errors.ts";

const wrap = (original: unknown) => {
  const e = new GraphQLError("wrapped", {
    originalError: original as Error,
    path: ["x"],
    extensions: { code: "INTERNAL_SERVER_ERROR", stacktrace: ["at secret.ts:1"] },
  });
  return [{ message: e.message, path: e.path, extensions: e.extensions }, e] as const;
};

describe("formatError", () => {
  it("keeps business codes, messages and details", () => {
    const [f, e] = wrap(
      new DomainError("VEHICLE_NOT_AVAILABLE", "This car is no longer available.", { vehicleId: "v1" }),
    );
    expect(formatError(f, e)).toEqual({
      message: "This car is no longer available.",
      path: ["x"],
      extensions: { code: "VEHICLE_NOT_AVAILABLE", vehicleId: "v1" },
    });
  });
  it("hides unexpected errors and never sends stack traces", () => {
    const [f, e] = wrap(new Error("connect ECONNREFUSED 10.0.0.5:5432 at db.ts:42"));
    const out = formatError(f, e);
    expect(out).toEqual({
      message: "Internal server error",
      path: ["x"],
      extensions: { code: "INTERNAL_SERVER_ERROR" },
    });
    expect(JSON.stringify(out)).not.toMatch(/ECONNREFUSED|stacktrace|db\.ts/);
  });
  it("passes GraphQL validation errors through without internals", () => {
    const out = formatError(
      {
        message: 'Cannot query field "nope"',
        extensions: { code: "GRAPHQL_VALIDATION_FAILED", stacktrace: ["x"] },
      },
      new GraphQLError("v"),
    );
    expect(out).toEqual({
      message: 'Cannot query field "nope"',
      extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
    });
  });
});
