import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "@junggo/devstack";
import { readKeyFile } from "@junggo/runtime";
import { errorCode, eventually, TestSystem, DEMO_PASSWORD } from "./support/harness.ts";
import { Q } from "./support/junggo.ts";
import { LiveClient, metrics, serviceUrl } from "./support/live.ts";

// ES256 access tokens verified through identity's JWKS, and a key rotation with the whole system
// running: no service restarts, no request refused while both keys are valid.
let sys: TestSystem;
const clients: LiveClient[] = [];

const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { token } }`;
const kidOf = (token: string) =>
  JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()).kid as string;
const keysCli = (...args: string[]) =>
  execFileSync(
    process.execPath,
    [
      "--import",
      "tsx",
      join(REPO_ROOT, "subgraphs/identity/src/keys.cli.ts"),
      ...args,
      "--file",
      sys.stack.jwtKeysFile,
    ],
    { cwd: REPO_ROOT, encoding: "utf8" },
  );
const freshLogin = async () =>
  (await sys.ok(LOGIN, { email: "buyer@junggo.test", password: DEMO_PASSWORD })).login.token as string;
const jwks = async () =>
  (await (await fetch(`${serviceUrl(sys, "identity")}/.well-known/jwks.json`)).json()) as {
    keys: Record<string, unknown>[];
  };

beforeAll(async () => {
  // The gateway re-reads the JWKS every second here (5 minutes by default).
  sys = await TestSystem.start({
    serviceEnv: { gateway: { JWKS_REFRESH_SECONDS: "1", JWKS_COOLDOWN_SECONDS: "1" } },
  });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  await sys?.stop();
});

describe("access-token keys", () => {
  it("identity publishes the public half of its keys; tokens are ES256 with the active kid", async () => {
    const file = readKeyFile(sys.stack.jwtKeysFile);
    const published = await jwks();
    expect(published.keys.map((k) => k.kid)).toEqual(file.keys.map((k) => k.kid));
    for (const k of published.keys) {
      expect(k).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
      expect(k).not.toHaveProperty("d");
    }
    const token = await freshLogin();
    expect(JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString())).toMatchObject({
      alg: "ES256",
      kid: file.active,
    });
    expect((await sys.ok(Q.me, {}, token)).me.email).toBe("buyer@junggo.test");
  });

  it("rotates keys without downtime: both keys valid during the rotation, the old one refused once retired", async () => {
    const oldToken = await freshLogin();
    const oldKid = kidOf(oldToken);
    // Requests with the old token keep running through the whole rotation; none may fail.
    const refused: unknown[] = [];
    let calls = 0;
    let running = true;
    const load = (async () => {
      while (running) {
        const r = await sys.gql(Q.me, {}, oldToken);
        calls++;
        if (r.errors) refused.push(r.errors);
        await new Promise((res) => setTimeout(res, 50));
      }
    })();

    // 1. Add: published at once, not yet signing.
    const added = /added (\S+):/.exec(keysCli("add"))![1]!;
    await eventually(
      async () => (await jwks()).keys.some((k) => k.kid === added),
      "identity to publish the new key",
    );
    await eventually(
      async () => (await metrics(serviceUrl(sys, "gateway"))).junggo_jwks_keys === 2,
      "the gateway to load both keys",
    );
    expect(kidOf(await freshLogin())).toBe(oldKid);
    const afterAdd = calls;
    await eventually(
      async () => calls >= afterAdd + 3,
      "requests with the old token after the new key was published",
    );

    // 2. Activate: new logins are signed with the new key; both kinds of token work.
    keysCli("activate", added);
    const newToken = await eventually(async () => {
      const t = await freshLogin();
      return kidOf(t) === added ? t : null;
    }, "logins signed with the new key");
    expect((await sys.ok(Q.me, {}, newToken)).me.email).toBe("buyer@junggo.test");
    expect((await sys.ok(Q.me, {}, oldToken)).me.email).toBe("buyer@junggo.test");
    const afterActivate = calls;
    await eventually(async () => calls >= afterActivate + 3, "requests with the old token after the switch");
    running = false;
    await load;
    expect(refused).toEqual([]);

    // 3. Retire the old key: its tokens are refused (HTTP and websocket); the new ones keep working.
    keysCli("retire", oldKid);
    await eventually(
      async () => errorCode(await sys.gql(Q.me, {}, oldToken)) === "UNAUTHENTICATED",
      "the old key's tokens to be refused",
    );
    expect((await sys.ok(Q.me, {}, newToken)).me.email).toBe("buyer@junggo.test");
    const oldSocket = new LiveClient(sys, oldToken);
    clients.push(oldSocket);
    const s = oldSocket.subscribe(`subscription { purchaseStatusChanged { id } }`);
    await s.waitFor((p) => !!p.errors, "the old token's socket to be refused");
    expect(oldSocket.closedWith?.code).toBe(4403);
    expect(readKeyFile(sys.stack.jwtKeysFile).keys.map((k) => k.kid)).toEqual([added]);
  });

  it("keeps verifying with the last keys it fetched while identity is down", async () => {
    const token = await freshLogin();
    const before = (await metrics(serviceUrl(sys, "gateway"))).junggo_jwks_fetch_failures_total!;
    await sys.stack.service("identity").stop();
    try {
      // Refreshes fail every second now, but the cached keys still verify this buyer's token.
      await eventually(
        async () => (await metrics(serviceUrl(sys, "gateway"))).junggo_jwks_fetch_failures_total! > before,
        "a failed JWKS refresh",
      );
      const r = await sys.gql(Q.myDashboard, {}, token);
      expect(r.errors).toBeUndefined();
      expect(Array.isArray(r.data.myDashboard)).toBe(true);
    } finally {
      await sys.stack.service("identity").start(120_000);
    }
  });
});
