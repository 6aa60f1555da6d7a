import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEFAULT_PORTS, NATS_USERS, renderNatsAuthConf } from "@junggo/runtime";
import { ENTRIES } from "../build.mjs";
import { REPO_ROOT, SUBGRAPH_NODE_FLAGS, SUBGRAPHS } from "../src/stack.ts";

// No Docker engine runs on the build machines, so the compose file is kept honest by checking it
// against the services the code defines.
const compose = parse(readFileSync(join(REPO_ROOT, "docker-compose.yml"), "utf8"));
const initSql = readFileSync(join(REPO_ROOT, "deploy/postgres-init.sql"), "utf8");
const natsConf = readFileSync(join(REPO_ROOT, "deploy/nats.conf"), "utf8");
const dockerfile = readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8");
const ENTRY_OUTPUTS = ENTRIES.map(([, out]) => out);

describe("docker-compose.yml", () => {
  it("runs every subgraph on its port with its own database, NATS and the shared secrets", () => {
    for (const name of SUBGRAPHS) {
      const svc = compose.services[name];
      expect(svc, name).toBeDefined();
      // Compiled JavaScript (the Dockerfile runs packages/devstack/build.mjs), never a TypeScript loader.
      // With the dev stack's V8 flags (packages/devstack/src/stack.ts).
      expect(svc.command).toEqual([
        "node",
        "--enable-source-maps",
        ...SUBGRAPH_NODE_FLAGS,
        `subgraphs/${name}/dist/main.js`,
      ]);
      expect(ENTRY_OUTPUTS).toContain(`subgraphs/${name}/dist/main.js`);
      expect(svc.environment.PORT).toBe(String(DEFAULT_PORTS[name]));
      const db = new URL(svc.environment.DATABASE_URL).pathname.slice(1);
      expect(db).toBe(`junggo_${name}`);
      expect(initSql).toContain(`CREATE DATABASE ${db};`);
      expect(svc.environment.NATS_URL).toBe("nats://nats:4222");
      expect(svc.environment.INTERNAL_SECRET).toMatch(/JUNGGO_INTERNAL_SECRET/);
      expect(svc.healthcheck.test.join(" ")).toContain(`${DEFAULT_PORTS[name]}/readyz`);
    }
    expect(compose.services.purchase.environment.BILLING_URL).toBe(`http://billing:${DEFAULT_PORTS.billing}`);
  });

  it("gives the signing keys to identity alone and points the gateway at identity's JWKS", () => {
    // A directory mount: the keys CLI renames a new file over the old one, which a single-file
    // bind mount (or a compose `secrets:` file) would never show the running container.
    expect(compose.services.identity.environment.JWT_KEYS_FILE).toBe("/run/secrets/jwt/jwt-keys.json");
    expect(compose.services.identity.volumes).toContain("./secrets/jwt:/run/secrets/jwt:ro");
    expect(compose.secrets).toBeUndefined();
    for (const name of [...SUBGRAPHS.filter((n) => n !== "identity"), "gateway"]) {
      expect(compose.services[name].secrets, name).toBeUndefined();
      expect(JSON.stringify(compose.services[name].volumes ?? []), name).not.toMatch(/secrets\/jwt/);
      expect(JSON.stringify(compose.services[name].environment), name).not.toMatch(/JWT_SECRET|JWT_KEYS/);
    }
    expect(compose.services.gateway.environment.JWKS_URL).toBe(
      `http://identity:${DEFAULT_PORTS.identity}/.well-known/jwks.json`,
    );
  });

  it("points the gateway at every subgraph and waits for them", () => {
    const gw = compose.services.gateway;
    expect(gw.command).toEqual(["node", "--enable-source-maps", "gateway/dist/main.js"]);
    expect(ENTRY_OUTPUTS).toContain("gateway/dist/main.js");
    for (const name of SUBGRAPHS) {
      expect(gw.environment[`SUBGRAPH_URL_${name.toUpperCase()}`]).toBe(
        `http://${name}:${DEFAULT_PORTS[name]}/graphql`,
      );
      expect(gw.depends_on[name].condition).toBe("service_healthy");
    }
    expect(Object.keys(compose.services).sort()).toEqual(
      [...SUBGRAPHS, "gateway", "nats", "postgres"].sort(),
    );
  });

  it("lets the dashboard reach every context's dead-letter API", () => {
    for (const name of SUBGRAPHS) {
      expect(compose.services.dashboard.environment[`${name.toUpperCase()}_URL`], name).toBe(
        `http://${name}:${DEFAULT_PORTS[name]}`,
      );
    }
  });

  it("builds the image's JavaScript and web client once, at image build time", () => {
    expect(dockerfile).toMatch(/RUN [^\n]*node packages\/devstack\/build\.mjs/);
    expect(dockerfile).toMatch(/RUN [^\n]*@junggo\/web build/);
    expect(dockerfile).not.toMatch(/tsx/);
  });

  it("pins a current NATS server that fsyncs every write", () => {
    expect(compose.services.nats.image).toMatch(/^nats:2\.1[2-9]/);
    expect(natsConf).toMatch(/sync_interval:\s*always/);
  });

  it("gives each context its own NATS user, and only its own password directory", () => {
    for (const name of SUBGRAPHS) {
      const svc = compose.services[name];
      expect(svc.environment.NATS_USER, name).toBe(name);
      expect(svc.environment.NATS_PASSWORD_FILE, name).toBe("/run/nats/password");
      expect(svc.environment.NATS_PASSWORD, name).toBeUndefined();
      const mounts = (svc.volumes ?? []).filter((v: string) => v.includes("secrets/nats"));
      expect(mounts, name).toEqual([`./secrets/nats/${name}:/run/nats:ro`]);
    }
    // The gateway has no business on NATS.
    expect(JSON.stringify(compose.services.gateway)).not.toMatch(/NATS|secrets\/nats/);
  });

  it("keeps NATS off the host and starts it with the generated authorization and every password", () => {
    const nats = compose.services.nats;
    // Published ports, if any, only on the loopback interface.
    for (const p of nats.ports ?? []) expect(String(p)).toMatch(/^127\.0\.0\.1:/);
    expect(nats.volumes).toContain("./deploy/nats-auth.conf:/etc/nats/nats-auth.conf:ro");
    expect(nats.volumes).toContain("./secrets/nats:/run/nats:ro");
    expect(natsConf).toMatch(/^include \.\/nats-auth\.conf$/m);
    expect(readFileSync(join(REPO_ROOT, "deploy/nats-auth.conf"), "utf8")).toBe(renderNatsAuthConf());
    const start = readFileSync(join(REPO_ROOT, "deploy/nats-start.sh"), "utf8");
    expect(start.match(/for user in ([a-z ]+);/)?.[1]?.split(" ")).toEqual([...NATS_USERS]);
  });
});
