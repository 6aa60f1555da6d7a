import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, eventually, TestSystem, type GqlResult } from "./support/harness.ts";
import { metrics, serviceUrl } from "./support/live.ts";

// The per-account login throttle in identity, through the gateway (whose per-IP login budget the
// harness lifts): a small limit and a short lockout so the test sees the lock start and end, and
// a purge of spent records every PURGE_MS.
const MAX_FAILURES = 3;
const LOCKOUT_SECONDS = 2;
const PURGE_MS = 300;

let sys: TestSystem;
beforeAll(async () => {
  sys = await TestSystem.start({
    serviceEnv: {
      identity: {
        LOGIN_MAX_FAILURES: String(MAX_FAILURES),
        LOGIN_LOCKOUT_SECONDS: String(LOCKOUT_SECONDS),
        LOGIN_THROTTLE_PURGE_MS: String(PURGE_MS),
      },
    },
  });
});
afterAll(async () => {
  await sys?.stop();
});

const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { token account { email } } }`;
const login = (email: string, password: string) =>
  sys.gql<{ login: { token: string; account: { email: string } } }>(LOGIN, { email, password });
const failure = (r: GqlResult) => ({
  code: r.errors?.[0]?.extensions?.code,
  message: r.errors?.[0]?.message,
  retryAfter: r.errors?.[0]?.extensions?.retryAfterSeconds,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `n` wrong passwords for `email`, then one more wrong one: what each answered. */
async function guesses(email: string, n: number) {
  const out = [];
  for (let i = 0; i <= n; i++) out.push(failure(await login(email, `wrong-guess-${i}`)));
  return out;
}

describe("per-account login throttle", () => {
  it("refuses out-of-bounds input with BAD_USER_INPUT naming the field, without counting it as a failure", async () => {
    const longPassword = await login("seller@junggo.test", "p".repeat(201));
    expect(longPassword.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "password" });
    const emptyEmail = await login("", DEMO_PASSWORD);
    expect(emptyEmail.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "email" });
    // More refusals than the limit allows failures: the account is still not locked.
    for (let i = 0; i < MAX_FAILURES; i++)
      expect(failure(await login("seller@junggo.test", "p".repeat(201))).code).toBe("BAD_USER_INPUT");
    const ok = await login("seller@junggo.test", DEMO_PASSWORD);
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.login.account.email).toBe("seller@junggo.test");
  });

  it("locks an account after LOGIN_MAX_FAILURES wrong passwords, only that account, until the lockout ends", async () => {
    const codes = [];
    for (let i = 0; i < MAX_FAILURES; i++)
      codes.push(failure(await login("buyer@junggo.test", `wrong-${i}`)).code);
    expect(codes).toEqual(Array(MAX_FAILURES).fill("INVALID_CREDENTIALS"));

    // Another account is not affected meanwhile.
    const other = await login("buyer2@junggo.test", DEMO_PASSWORD);
    expect(other.errors).toBeUndefined();
    expect(other.data?.login.account.email).toBe("buyer2@junggo.test");

    // The right password is refused while the lock lasts.
    const refused = await login("buyer@junggo.test", DEMO_PASSWORD);
    expect(refused.data?.login ?? null).toBeNull();
    const { code, retryAfter } = failure(refused);
    expect(code).toBe("LOGIN_THROTTLED");
    expect(typeof retryAfter).toBe("number");
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(LOCKOUT_SECONDS);

    await sleep((retryAfter as number) * 1000 + 250);
    const after = await login("buyer@junggo.test", DEMO_PASSWORD);
    expect(after.errors).toBeUndefined();
    expect(after.data?.login.token).toEqual(expect.any(String));
    expect(after.data?.login.account.email).toBe("buyer@junggo.test");
  });

  it("throttles an unknown email exactly like an existing account (nothing tells them apart)", async () => {
    const known = await guesses("driver@junggo.test", MAX_FAILURES);
    const unknown = await guesses(`nobody-${Date.now()}@junggo.test`, MAX_FAILURES);
    const shape = (fs: ReturnType<typeof failure>[]) =>
      fs.map(({ code, message, retryAfter }) => ({
        code,
        message,
        retries: typeof retryAfter === "number" && retryAfter > 0,
      }));
    expect(shape(known)).toEqual([
      ...Array(MAX_FAILURES).fill({
        code: "INVALID_CREDENTIALS",
        message: "Email or password is incorrect.",
        retries: false,
      }),
      { code: "LOGIN_THROTTLED", message: "Too many failed attempts. Try again in 1 minute.", retries: true },
    ]);
    expect(shape(unknown)).toEqual(shape(known));
  });

  it("forgets an unknown email's failure record once its lock has ended (identity's metrics)", async () => {
    const identity = () => metrics(serviceUrl(sys, "identity"));
    const purgedBefore = (await identity()).junggo_login_throttle_purged_total!;
    const answers = await guesses(`typo-${Date.now()}@junggo.test`, MAX_FAILURES);
    expect(answers.at(-1)!.code).toBe("LOGIN_THROTTLED");
    // Stored while the lock lasts (a purge runs every PURGE_MS and leaves it)...
    await eventually(
      async () => (await identity()).junggo_login_throttle_records! >= 1,
      "the lock's record to be counted",
      LOCKOUT_SECONDS * 1000,
    );
    // ...and deleted after it ends: every earlier record of this file was a lock that has ended too.
    const after = await eventually(
      async () => {
        const m = await identity();
        return m.junggo_login_throttle_records === 0 && m.junggo_login_throttle_purged_total! > purgedBefore
          ? m
          : null;
      },
      "spent throttle records to be purged",
      20_000,
    );
    expect(after.junggo_login_throttle_purged_total! - purgedBefore).toBeGreaterThanOrEqual(1);
  });
});
