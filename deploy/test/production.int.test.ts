import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "@junggo/devstack";
import { openDatabase, readKeyFile } from "@junggo/runtime";
import { eventually as pollUntil } from "../../gateway/test/support/harness.ts";
import { ComposeStack, requiredVariables } from "./support/compose-stack.ts";

// The production smoke test: docker-compose.yml run without Docker (support/compose-stack.ts: same
// commands, environment, mounts and healthchecks; NODE_ENV=production from the Dockerfile; no
// development default), set up the way docs/deployment.md tells an operator to — secrets made with
// the keys CLI, STAFF and DRIVER accounts with the admin CLI, cars registered by staff — then one
// purchase to DELIVERED through the gateway, the web client, and a key rotation.

let stack: ComposeStack;
let dir: string;
let gateway: string;
const PASSWORD = "correct horse battery";
const STAFF = "ops.staff@dealer.example";
const DRIVER = "ops.driver@dealer.example";
const BUYER = "first.buyer@example.com";

interface Gql {
  data?: any;
  errors?: { message: string; extensions?: { code?: string } }[];
}
async function gql(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<Gql> {
  const res = await fetch(`${gateway}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as Gql;
}
async function ok(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<any> {
  const r = await gql(query, variables, token);
  if (r.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
  return r.data;
}
// The harness's poll, with this stack's longer allowance (production start-up is slower).
const eventually = <T>(check: () => Promise<T>, what: string, timeoutMs = 60_000) =>
  pollUntil(check, what, timeoutMs);

const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { token } }`;
const login = async (email: string) => (await ok(LOGIN, { email, password: PASSWORD })).login.token as string;
const kidOf = (token: string) =>
  JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()).kid as string;

/** The keys CLI of the image, run as the image's user. */
const keysCli = (...args: string[]) =>
  execFileSync(process.execPath, [join(REPO_ROOT, "subgraphs/identity/dist/keys.cli.js"), ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    ...stack.user,
  });

/** A command of the image, run as `docker compose exec <service> node <script> ...` runs it. */
async function exec(service: string, script: string, args: string[], input = "") {
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", ...(await stack.env(service)) };
  const r = spawnSync(process.execPath, [join(REPO_ROOT, script), ...args], {
    cwd: REPO_ROOT,
    env,
    input,
    encoding: "utf8",
    timeout: 60_000,
    ...stack.user,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const admin = (args: string[], input = `${PASSWORD}\n`) =>
  exec("identity", "subgraphs/identity/dist/admin.cli.js", args, input);

async function sql<T = Record<string, unknown>>(database: string, text: string, params: unknown[] = []) {
  const db = await openDatabase({ dataDir: "", databaseUrl: stack.postgresUrl(database) });
  try {
    return await db.query<T>(text, params);
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "junggo-prod-"));
  // What compose refuses to start without, as an operator sets it: fresh random secrets.
  const compose = readFileSync(join(REPO_ROOT, "docker-compose.yml"), "utf8");
  const vars = Object.fromEntries(
    requiredVariables(compose).map((v) => [v, randomBytes(32).toString("hex")]),
  );
  stack = new ComposeStack(dir, vars);
  // The signing keys, made with the keys CLI into the mounted secrets directory (docs/deployment.md).
  // As root, the services run as the image's user (uid 1000) and the directory is given to it, as
  // the docs say; the tool then runs as that user too, like `docker compose run ... identity`.
  const keyFile = stack.localPath("identity", stack.composeEnv("identity").JWT_KEYS_FILE!)!;
  mkdirSync(dirname(dirname(keyFile)), { recursive: true });
  mkdirSync(dirname(keyFile), { mode: 0o700 });
  if (stack.user) chownSync(dirname(keyFile), stack.user.uid, stack.user.gid);
  keysCli("init", "--file", keyFile);
  // The NATS passwords, made as docs/nats-security.md tells an operator: `npm run nats -- secrets`
  // writes ./secrets/nats/<user>/password (here the scratch project's ./secrets/nats), which
  // compose mounts into the NATS server (all) and each context (its own).
  execFileSync(
    "npm",
    ["run", "--silent", "nats", "--", "secrets", "--dir", stack.projectPath("secrets/nats")],
    {
      cwd: REPO_ROOT,
      encoding: "utf8",
    },
  );
  try {
    await stack.start();
  } catch (err) {
    await stack.stop();
    throw err;
  }
  const gwPort = Number(stack.composeEnv("gateway").PORT);
  gateway = `http://127.0.0.1:${await stack.portFor("gateway", gwPort)}`;
});
afterAll(async () => {
  await stack?.stop();
  if (dir && !process.env.JUNGGO_KEEP_TEST_DATA) rmSync(dir, { recursive: true, force: true });
});

describe("docker-compose.yml, run as production", () => {
  it("runs every built service from the image's compiled entry, in production mode, listening on all interfaces", () => {
    const built = Object.keys(stack.compose.services).filter((n) => stack.isBuilt(n));
    expect(built.length).toBeGreaterThanOrEqual(8);
    for (const name of built) {
      const env = stack.composeEnv(name);
      expect(env.NODE_ENV, name).toBe("production");
      expect(["0.0.0.0", "::"], name).toContain(env.HOST);
      expect(stack.processes.get(name)?.running, name).toBe(true);
      // As the image's user when this test may switch to it (root), as the container would.
      if (stack.user) {
        const status = readFileSync(`/proc/${stack.processes.get(name)!.pid}/status`, "utf8");
        expect(/^Uid:\s+(\d+)/m.exec(status)?.[1], name).toBe(String(stack.user.uid));
      }
    }
  });

  it("passes every compose healthcheck, run as compose runs it", async () => {
    for (const name of Object.keys(stack.compose.services)) {
      const hc = await stack.healthcheck(name);
      expect(hc, name).toMatchObject({ ok: true });
    }
  });

  it("connects every context to NATS as its own user, none as the administrator", async () => {
    const contexts = Object.keys(stack.compose.services).filter((n) => stack.composeEnv(n).NATS_URL);
    expect(contexts.length).toBeGreaterThanOrEqual(7);
    // nats-server's monitoring port (the one compose's healthcheck calls) lists who each client authenticated as.
    const monitor = await stack.portFor("nats", 8222);
    const connz = (await (await fetch(`http://127.0.0.1:${monitor}/connz?auth=true&limit=1024`)).json()) as {
      connections: { name?: string; authorized_user?: string }[];
    };
    for (const name of contexts) {
      expect(stack.composeEnv(name).NATS_USER, name).toBe(name);
      // The event bus names its connection after the context.
      const own = connz.connections.filter((c) => c.name === name);
      expect(own.length, name).toBeGreaterThan(0);
      for (const c of own) expect(c.authorized_user, name).toBe(name);
    }
    for (const c of connz.connections) {
      expect(c.authorized_user, JSON.stringify(c)).toBeTruthy();
      expect(c.authorized_user, JSON.stringify(c)).not.toBe("admin");
    }
  });

  it("is production: no demo data, no introspection, no payment sandbox controls", async () => {
    const demo = await gql(LOGIN, { email: "buyer@junggo.test", password: "junggo-demo" });
    expect(demo.errors?.[0]?.extensions?.code).toBe("INVALID_CREDENTIALS");
    expect((await ok("{ vehicles(first: 5) { totalCount } }")).vehicles.totalCount).toBe(0);
    const introspection = await gql("{ __schema { queryType { name } } }");
    expect(introspection.errors?.length).toBeGreaterThan(0);
    const billingPort = await stack.portFor("billing", Number(stack.composeEnv("billing").PORT));
    expect((await fetch(`http://127.0.0.1:${billingPort}/internal/sandbox`)).status).toBe(404);
  });

  it("creates STAFF and DRIVER accounts with the admin CLI, audited and published like a registration", async () => {
    const staff = await admin(
      [
        "create-account",
        "--role",
        "STAFF",
        "--email",
        STAFF,
        "--name",
        "Choi Yuna",
        "--operator",
        "ops-lead",
      ],
      `${PASSWORD}\n`,
    );
    expect(staff.stderr).toBe("");
    expect(staff.code).toBe(0);
    expect(staff.stdout).toMatch(/created STAFF account ops\.staff@dealer\.example/);
    const audit = staff.stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l))
      .find((l) => l.audit);
    expect(audit).toMatchObject({
      operator: "ops-lead",
      email: STAFF,
      role: "STAFF",
      msg: "account created by operator",
    });

    const passwordFile = join(dir, "driver-password");
    writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
    if (stack.user) chownSync(passwordFile, stack.user.uid, stack.user.gid);
    const driver = await admin(
      [
        "create-account",
        "--role",
        "DRIVER",
        "--email",
        DRIVER,
        "--name",
        "Jung Hyunwoo",
        "--password-file",
        passwordFile,
      ],
      "",
    );
    expect(driver.code, driver.stderr).toBe(0);

    const me = (await ok("{ me { email role name } }", {}, await login(STAFF))).me;
    expect(me).toEqual({ email: STAFF, role: "STAFF", name: "Choi Yuna" });
    expect((await ok("{ me { role } }", {}, await login(DRIVER))).me.role).toBe("DRIVER");

    // AccountRegistered went through identity's outbox and reached its consumer (notification).
    const events = await sql<{ event_id: string; body: string }>(
      "junggo_identity",
      "SELECT event_id, body FROM messaging.outbox WHERE type = 'AccountRegistered'",
    );
    expect(events.map((e) => JSON.parse(e.body).payload.email).sort()).toEqual([DRIVER, STAFF].sort());
    await eventually(async () => {
      const seen = await sql(
        "junggo_notification",
        "SELECT 1 FROM messaging.inbox WHERE event_id = ANY($1)",
        [events.map((e) => e.event_id)],
      );
      return seen.length === 2;
    }, "notification to consume both AccountRegistered events");
  });

  it("refuses bad admin input with a clear message and a non-zero exit, writing nothing", async () => {
    const create = (role: string, email: string, extra: string[] = []) => [
      "create-account",
      "--role",
      role,
      "--email",
      email,
      "--name",
      "Someone",
      ...extra,
    ];
    const duplicate = await admin(create("DRIVER", DRIVER.toUpperCase()));
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/already exists/);
    const role = await admin(create("ADMIN", "new1@dealer.example"));
    expect(role.code).toBe(1);
    expect(role.stderr).toMatch(/role must be one of BUYER, SELLER, STAFF, DRIVER/);
    const email = await admin(create("STAFF", "not-an-email"));
    expect(email.code).toBe(1);
    expect(email.stderr).toMatch(/valid email/);
    const short = await admin(create("STAFF", "new2@dealer.example"), "short\n");
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/at least 8 characters/);
    const onArgv = await admin(create("STAFF", "new3@dealer.example", ["--password", PASSWORD]));
    expect(onArgv.code).toBe(2);
    expect(onArgv.stderr).toMatch(/--password is not accepted/);
    const noPassword = await admin(create("STAFF", "new4@dealer.example"), "");
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toMatch(/no password given/);
    const accounts = await sql<{ n: string }>("junggo_identity", 'SELECT count(*)::text AS n FROM "Account"');
    expect(accounts[0]!.n).toBe("2");
  });

  it("sells a car registered by staff to a buyer who signed up, delivered by the driver", async () => {
    const staff = await login(STAFF);
    const driver = await login(DRIVER);
    const signUp = await ok(`mutation ($input: SignUpInput!) { signUp(input: $input) { token } }`, {
      input: { email: BUYER, password: PASSWORD, name: "Kim Minjun", role: "BUYER" },
    });
    const buyer = signUp.signUp.token as string;
    const car = (
      await ok(
        `mutation ($input: RegisterVehicleInput!) { registerVehicle(input: $input) { id priceKrw status } }`,
        {
          input: {
            vin: "KMHD841CBLU123456",
            make: "Hyundai",
            model: "Avante",
            year: 2020,
            mileageKm: 42_000,
            priceKrw: 15_900_000,
          },
        },
        staff,
      )
    ).registerVehicle;
    expect(car.status).toBe("AVAILABLE");

    const REQUEST = `mutation ($vehicleId: ID!) { requestPurchase(input: { vehicleId: $vehicleId }) { id status payment { status amountKrw } } }`;
    const purchase = await eventually(async () => {
      const r = await gql(REQUEST, { vehicleId: car.id }, buyer);
      if (r.errors?.[0]?.extensions?.code === "VEHICLE_NOT_FOUND") return null;
      if (r.errors) throw new Error(JSON.stringify(r.errors));
      return r.data.requestPurchase;
    }, "the car to be purchasable");
    expect(purchase).toMatchObject({
      status: "PAID",
      payment: { status: "APPROVED", amountKrw: 15_900_000 },
    });

    const job = await eventually(async () => {
      const jobs = (await ok("{ openConsignments { id purchaseId } }", {}, driver)).openConsignments as {
        id: string;
        purchaseId: string;
      }[];
      return jobs.find((j) => j.purchaseId === purchase.id);
    }, "the delivery job");
    expect(
      (await ok(`mutation ($id: ID!) { acceptConsignment(id: $id) { status } }`, { id: job.id }, driver))
        .acceptConsignment.status,
    ).toBe("ASSIGNED");
    expect(
      (await ok(`mutation ($id: ID!) { pickUpConsignment(id: $id) { status } }`, { id: job.id }, driver))
        .pickUpConsignment.status,
    ).toBe("PICKED_UP");
    expect(
      (await ok(`mutation ($id: ID!) { completeConsignment(id: $id) { status } }`, { id: job.id }, driver))
        .completeConsignment.status,
    ).toBe("DELIVERED");
    const done = await eventually(async () => {
      const p = (
        await ok(
          `query ($id: ID!) { purchase(id: $id) { status vehicle { status } payment { status } consignment { status driver { name } } } }`,
          { id: purchase.id },
          buyer,
        )
      ).purchase;
      // Stock marks the car SOLD from the pick-up's event, on its own time.
      return p.status === "DELIVERED" && p.vehicle.status === "SOLD" ? p : null;
    }, "the purchase DELIVERED and the car SOLD");
    expect(done).toMatchObject({
      vehicle: { status: "SOLD" },
      payment: { status: "APPROVED" },
      consignment: { status: "DELIVERED", driver: { name: "Jung Hyunwoo" } },
    });
  });

  it("serves the built web client from the gateway", async () => {
    const index = await fetch(`${gateway}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toMatch(/text\/html/);
    const html = await index.text();
    expect(html).toContain('<div id="root"></div>');
    const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    const asset = await fetch(`${gateway}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/javascript/);
    // A client-side route loads the app too.
    const route = await fetch(`${gateway}/purchases/some-id`, { headers: { accept: "text/html" } });
    expect(await route.text()).toBe(html);
  });

  it("signs with a rotated key written by the keys CLI into the mounted directory, without a restart", async () => {
    const keyFile = stack.localPath("identity", stack.composeEnv("identity").JWT_KEYS_FILE!)!;
    const keys = (...args: string[]) => keysCli(...args, "--file", keyFile);
    const before = await login(STAFF);
    const oldKid = readKeyFile(keyFile).active;
    expect(kidOf(before)).toBe(oldKid);
    keys("add");
    const added = readKeyFile(keyFile).keys.find((k) => k.kid !== oldKid)!.kid;
    keys("activate", added);
    const after = await eventually(async () => {
      const t = await login(STAFF);
      return kidOf(t) === added ? t : null;
    }, "identity to sign with the new key");
    // The gateway fetches identity's JWKS for a kid it has not seen, at most once per cooldown
    // (gateway/src/jwks.ts, 10 s: an earlier query may just have fetched it); the old key still verifies.
    const me = await eventually(
      async () => (await ok("{ me { email } }", {}, after)).me.email as string,
      "the gateway to accept the new key",
      30_000,
    );
    expect(me).toBe(STAFF);
    expect((await ok("{ me { email } }", {}, before)).me.email).toBe(STAFF);
    expect(stack.processes.get("identity")!.starts).toBe(1);
    // Still owner-only, and still the service user's.
    const st = statSync(keyFile);
    expect(st.mode & 0o777).toBe(0o600);
    if (stack.user) expect(st.uid).toBe(stack.user.uid);
  });
});
