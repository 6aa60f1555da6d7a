// Unit tests of the client's pure parts: token expiry, error messages per contract code, formats.
import { CombinedGraphQLErrors, ServerError } from "@apollo/client/errors";
import { describe, expect, it } from "vitest";
import { isExpired, tokenExpiry } from "../src/auth.ts";
import { describeError, errorCode, GraphQLRequestError } from "../src/errors.ts";
import { formatEta, formatKrw, humanize } from "../src/format.ts";

const jwt = (payload: object) => `e30.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.sig`;
const gqlError = (code: string, extensions: Record<string, unknown> = {}, message = "server text") =>
  new CombinedGraphQLErrors({ errors: [{ message, extensions: { code, ...extensions } }] });

describe("token expiry", () => {
  it("reads exp from a JWT (base64url payload)", () => {
    expect(tokenExpiry(jwt({ sub: "a", exp: 1_900_000_000 }))).toBe(1_900_000_000_000);
    expect(tokenExpiry(jwt({ sub: "a" }))).toBeNull();
    expect(tokenExpiry("not-a-jwt")).toBeNull();
    expect(tokenExpiry("a.%%%.c")).toBeNull();
  });

  it("treats a token as expired a few seconds early", () => {
    const now = 1_800_000_000_000;
    expect(isExpired(jwt({ exp: now / 1000 - 1 }), now)).toBe(true);
    expect(isExpired(jwt({ exp: now / 1000 + 3 }), now)).toBe(true);
    expect(isExpired(jwt({ exp: now / 1000 + 60 }), now)).toBe(false);
    expect(isExpired(jwt({}), now)).toBe(false);
  });
});

describe("error messages", () => {
  it("has a specific message for every contract error code", () => {
    const codes = [
      "UNAUTHENTICATED",
      "FORBIDDEN",
      "BAD_USER_INPUT",
      "INVALID_CREDENTIALS",
      "EMAIL_TAKEN",
      "DUPLICATE_VIN",
      "VEHICLE_NOT_FOUND",
      "VEHICLE_NOT_AVAILABLE",
      "PAYMENT_DECLINED",
      "PAYMENT_UNAVAILABLE",
      "PURCHASE_NOT_FOUND",
      "PURCHASE_NOT_CANCELLABLE",
      "CONSIGNMENT_NOT_FOUND",
      "CONSIGNMENT_NOT_OPEN",
      "CONSIGNMENT_INVALID_STATE",
    ];
    const messages = codes.map((code) => describeError(gqlError(code)));
    for (const [i, m] of messages.entries()) {
      expect(m.code).toBe(codes[i]);
      expect(m.message).not.toBe("server text");
    }
    expect(new Set(messages.map((m) => m.message)).size).toBe(codes.length);
  });

  it("says what happened to the money and when to retry", () => {
    expect(describeError(gqlError("PAYMENT_DECLINED")).message).toMatch(/declined.*Nothing was charged/);
    const unavailable = describeError(gqlError("PAYMENT_UNAVAILABLE", { retryAfterSeconds: 10 }));
    expect(unavailable.message).toContain("try again in about 10 seconds");
    expect(unavailable.retryAfterSeconds).toBe(10);
    expect(describeError(gqlError("PAYMENT_UNAVAILABLE")).message).toContain("try again shortly");
    expect(describeError(gqlError("PURCHASE_NOT_CANCELLABLE")).message).toMatch(/can no longer be cancelled/);
    expect(describeError(gqlError("CONSIGNMENT_NOT_OPEN")).message).toMatch(/another driver/);
  });

  it("keeps the field of BAD_USER_INPUT and the API's wording of the rule", () => {
    const e = describeError(gqlError("BAD_USER_INPUT", { field: "vin" }, "vin must be 17 characters"));
    expect(e).toMatchObject({ code: "BAD_USER_INPUT", field: "vin" });
    expect(e.message).toContain("vin must be 17 characters");
  });

  it("understands errors from plain fetches and HTTP error bodies, and network failures", () => {
    const fetched = new GraphQLRequestError({ message: "x", extensions: { code: "INVALID_CREDENTIALS" } });
    expect(errorCode(fetched)).toBe("INVALID_CREDENTIALS");
    expect(describeError(fetched).message).toBe("Wrong email or password.");
    const http401 = new ServerError("401", {
      response: new Response(null, { status: 401 }),
      bodyText: JSON.stringify({
        errors: [{ message: "bad token", extensions: { code: "UNAUTHENTICATED" } }],
      }),
    });
    expect(errorCode(http401)).toBe("UNAUTHENTICATED");
    expect(describeError(new TypeError("Failed to fetch")).message).toMatch(/Cannot reach Junggo/);
  });
});

describe("formats", () => {
  it("shows won with thousands separators", () => {
    expect(formatKrw(25_900_000)).toBe("₩25,900,000");
    expect(formatKrw(0)).toBe("₩0");
  });

  it("shows an ETA as a time with the minutes left", () => {
    const now = Date.parse("2026-01-01T10:00:00Z");
    expect(formatEta("2026-01-01T11:30:00Z", now)).toMatch(/^\d{2}:\d{2} \(in 90 min\)$/);
    expect(formatEta(null)).toBe("—");
    expect(humanize("PICKED_UP")).toBe("Picked up");
  });
});
