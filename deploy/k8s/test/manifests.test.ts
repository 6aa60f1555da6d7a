import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  DEFAULT_PORTS,
  gatewaySecrets,
  loadServiceConfig,
  SUBGRAPH_NAMES,
  type ContextName,
} from "@junggo/runtime";
import { EVENT_STREAM_SUBJECTS } from "@junggo/events";
import {
  APP_LABEL,
  generate,
  GRACE_SECONDS,
  internalCalls,
  natsPasswordVar,
  PRESTOP_SECONDS,
  SINGLE_REPLICA,
} from "../generate.ts";
import { containersOf, kustomize, referencedNames, type K8sObject } from "./kustomize.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const k8s = join(root, "deploy/k8s");
const read = (p: string) => readFileSync(join(root, p), "utf8");
type Dict = Record<string, unknown>;

const OVERLAYS = ["development", "production"] as const;
const rendered = Object.fromEntries(OVERLAYS.map((o) => [o, kustomize(join(k8s, "overlays", o))])) as Record<
  (typeof OVERLAYS)[number],
  K8sObject[]
>;
const compose = parseYaml(read("docker-compose.yml")).services as Record<
  string,
  { command?: string[]; environment?: Record<string, string> }
>;
const composeApps = Object.keys(compose).filter((n) =>
  compose[n]!.command?.some((c) => c.endsWith("dist/main.js")),
);

const ofKind = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind);
const named = (objs: K8sObject[], kind: string, name: string) =>
  objs.find((o) => o.kind === kind && o.metadata.name === name);
const podSpec = (o: K8sObject) => ((o.spec as Dict).template as Dict).spec as Dict;
const mainContainer = (o: K8sObject) => (podSpec(o).containers as Dict[])[0]!;

/**
 * The environment a container gets: envFrom ConfigMaps, then env with Secret values replaced by a
 * placeholder (their keys must exist in the rendered Secret when one is rendered) and $(VAR) expanded.
 */
function containerEnv(objs: K8sObject[], c: Dict): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of (c.envFrom as Dict[] | undefined) ?? []) {
    const name = (e.configMapRef as Dict).name as string;
    const cm = named(objs, "ConfigMap", name);
    if (!cm) throw new Error(`ConfigMap ${name} not rendered`);
    Object.assign(env, cm.data);
  }
  for (const e of (c.env as Dict[] | undefined) ?? []) {
    const name = e.name as string;
    if (typeof e.value === "string") {
      env[name] = e.value.replace(/\$\(([A-Z0-9_]+)\)/g, (m, v: string) => env[v] ?? m);
      continue;
    }
    const ref = (e.valueFrom as Dict).secretKeyRef as Dict | undefined;
    if (ref) {
      const secret = named(objs, "Secret", ref.name as string);
      if (secret) {
        const data = secret.data as Record<string, string>;
        if (!((ref.key as string) in data)) {
          if (ref.optional) continue;
          throw new Error(`Secret ${ref.name as string} has no key ${ref.key as string}`);
        }
        env[name] = Buffer.from(data[ref.key as string]!, "base64").toString();
      } else env[name] = `secret:${ref.name as string}/${ref.key as string}`;
      continue;
    }
    env[name] = "from-the-downward-api";
  }
  return env;
}

/** Runs `fn` with exactly `env` as the process environment. */
function withEnv<T>(env: Record<string, string>, fn: () => T): T {
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) delete process.env[k];
  Object.assign(process.env, env);
  try {
    return fn();
  } finally {
    for (const k of Object.keys(process.env)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

/** Why each service's Deployment would not start with the code's own configuration loader (production). */
function configProblems(objs: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const name of ["gateway", ...SUBGRAPH_NAMES]) {
    const d = named(objs, "Deployment", name);
    if (!d) {
      problems.push(`${name}: no Deployment`);
      continue;
    }
    for (const c of [...((podSpec(d).initContainers as Dict[]) ?? []), mainContainer(d)]) {
      const env = containerEnv(objs, c);
      try {
        withEnv(env, () => (name === "gateway" ? gatewaySecrets() : loadServiceConfig(name as ContextName)));
      } catch (err) {
        problems.push(`${name}/${c.name as string}: ${(err as Error).message}`);
      }
      for (const v of requiredByCode(name))
        if (!env[v]) problems.push(`${name}/${c.name as string}: ${v} unset`);
    }
  }
  return problems;
}

/** Source files of a service: the shared runtime plus its own. */
function sources(service: string): string[] {
  const dirs = ["packages/runtime/src", service === "gateway" ? "gateway/src" : `subgraphs/${service}/src`];
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(join(root, d), { withFileTypes: true })) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (p.endsWith(".ts") && !p.endsWith(".test.ts") && !p.endsWith(".cli.ts")) files.push(p);
    }
  };
  for (const d of dirs) walk(d);
  return files;
}

/**
 * Variables the code requires in production, read from the source: `env("X")` without a fallback,
 * `env("X", isProduction() ? undefined : …)` and `secret("X", …)` (refused in production when unset).
 * The runtime's service loader applies to the subgraphs, `gatewaySecrets` to the gateway.
 */
function requiredByCode(service: string): string[] {
  const required = new Set<string>();
  for (const f of sources(service)) {
    let text = read(f);
    if (f.endsWith("runtime/src/config.ts")) {
      const start = text.indexOf(
        service === "gateway" ? "export function gatewaySecrets" : "export function loadServiceConfig",
      );
      const end = text.indexOf("\n}\n", start);
      text = text.slice(start, end);
    }
    for (const m of text.matchAll(/\benv\("([A-Z0-9_]+)"\)/g)) required.add(m[1]!);
    for (const m of text.matchAll(/\benv\("([A-Z0-9_]+)",\s*isProduction\(\)\s*\?\s*undefined/g))
      required.add(m[1]!);
    for (const m of text.matchAll(/\bsecret\("([A-Z0-9_]+)"/g)) required.add(m[1]!);
  }
  return [...required].sort();
}

describe("deploy/k8s: the manifests", () => {
  it("base files are what deploy/k8s/generate.ts makes from docker-compose.yml (npm run k8s:generate)", () => {
    for (const [file, text] of Object.entries(generate())) {
      expect(readFileSync(join(k8s, "base", file), "utf8"), `deploy/k8s/base/${file} is stale`).toBe(text);
    }
  });

  it.each(OVERLAYS)(
    "%s renders: every object namespaced, every ConfigMap/Secret it names rendered or created by hand",
    (o) => {
      const objs = rendered[o];
      expect(objs.length).toBeGreaterThan(40);
      const ns = o === "production" ? "junggo" : "junggo-dev";
      for (const obj of objs) expect(obj.metadata.namespace, `${obj.kind}/${obj.metadata.name}`).toBe(ns);
      const keys = new Set(objs.map((x) => `${x.kind}/${x.metadata.name}`));
      expect(keys.size, "two objects with one kind and name").toBe(objs.length);
      const missing = new Set<string>();
      for (const obj of objs)
        for (const ref of referencedNames(obj))
          if (!keys.has(`${ref.kind}/${ref.name}`)) missing.add(`${ref.kind}/${ref.name}`);
      // Production: the Secrets made with kubectl (docs/kubernetes.md), and CloudNativePG's CA.
      const byHand = [
        "junggo-internal",
        "junggo-jwt-keys",
        "junggo-nats",
        "junggo-smtp",
        ...SUBGRAPH_NAMES.map((n) => `junggo-db-${n}`),
      ];
      const expected = o === "production" ? [...byHand, "junggo-postgres-ca"] : ["junggo-smtp"];
      expect([...missing].sort()).toEqual(expected.map((n) => `Secret/${n}`).sort());
      if (o === "production") {
        expect(ofKind(objs, "Secret"), "no Secret is committed for production").toEqual([]);
        const docs = read("docs/kubernetes.md");
        // One command per Secret, or one loop over the contexts for the per-context ones.
        expect(docs).toContain(`for c in ${SUBGRAPH_NAMES.join(" ")}; do`);
        for (const s of byHand)
          expect(docs, `docs/kubernetes.md creates ${s}`).toContain(
            `create secret generic ${s.replace(/^junggo-db-[a-z]+$/, "junggo-db-$c")}`,
          );
      }
    },
  );

  it.each(OVERLAYS)(
    "%s: every object validates against the Kubernetes schemas (kubernetes-models; CloudNativePG by its fields used)",
    async (o) => {
      for (const obj of rendered[o]) {
        const where = `${obj.kind}/${obj.metadata.name}`;
        if (obj.apiVersion === "postgresql.cnpg.io/v1") {
          expect(cnpgProblems(obj), where).toEqual([]);
          continue;
        }
        const mod = (await import(
          /* @vite-ignore */ `kubernetes-models/${obj.apiVersion}/${obj.kind}`
        )) as Record<string, new (o: unknown) => { validate(): void }>;
        const Model = mod[obj.kind];
        expect(Model, `${where}: no model for ${obj.apiVersion}`).toBeTypeOf("function");
        expect(() => new Model!(obj).validate(), where).not.toThrow();
      }
    },
  );

  it("production: one CloudNativePG Database per context, owned by its role, in the one Cluster", () => {
    const dbs = ofKind(rendered.production, "Database").map((d) => (d.spec as Dict).owner);
    expect(dbs).toEqual([...SUBGRAPH_NAMES]);
    expect(ofKind(rendered.production, "Cluster").map((c) => c.metadata.name)).toEqual(["junggo-postgres"]);
    // Compose's databases are the same names.
    for (const n of SUBGRAPH_NAMES)
      expect(compose[n]!.environment!.DATABASE_URL).toMatch(new RegExp(`/junggo_${n}$`));
  });

  it("the schema check catches a broken object (a port given as text)", async () => {
    const d = structuredClone(named(rendered.production, "Deployment", "stock")!);
    ((mainContainer(d).ports as Dict[])[0] as Dict).containerPort = "4002";
    const { Deployment } = await import("kubernetes-models/apps/v1/Deployment");
    expect(() => new Deployment(d as never).validate()).toThrow(/containerPort/);
  });

  it("the subgraphs are the runtime's list, the compose file's and the manifests', on DEFAULT_PORTS, with the code's probe paths", () => {
    const objs = rendered.production;
    expect(composeApps.sort()).toEqual(Object.keys(DEFAULT_PORTS).sort());
    expect(
      ofKind(objs, "Deployment")
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(Object.keys(DEFAULT_PORTS).sort());
    expect(subgraphProblems(objs)).toEqual([]);
    // The paths the probes use are the ones the services serve.
    for (const f of ["packages/runtime/src/subgraph.ts", "gateway/src/gateway.ts"])
      for (const p of ["/healthz", "/readyz"]) expect(read(f)).toContain(`app.get("${p}"`);
  });

  it("a subgraph missing from the manifests, or on another port, is caught", () => {
    const without = rendered.production.filter((o) => o.metadata.name !== "notification");
    expect(subgraphProblems(without)).toContain("notification: no Deployment");
    const moved = structuredClone(rendered.production);
    ((mainContainer(named(moved, "Deployment", "billing")!).ports as Dict[])[0] as Dict).containerPort = 4104;
    expect(subgraphProblems(moved).join("\n")).toMatch(/billing: container port 4104/);
  });

  it("every variable the code requires in production is set; each service's configuration loads with the code's own loader", () => {
    expect(requiredByCode("stock")).toEqual(expect.arrayContaining(["INTERNAL_SECRET"]));
    expect(requiredByCode("gateway")).toEqual(["INTERNAL_SECRET"]);
    for (const o of OVERLAYS) expect(configProblems(rendered[o]), o).toEqual([]);
    // Every variable the compose file gives a service, its pod has too.
    for (const name of composeApps) {
      const env = containerEnv(
        rendered.production,
        mainContainer(named(rendered.production, "Deployment", name)!),
      );
      for (const v of Object.keys(compose[name]!.environment ?? {}))
        expect(env[v], `${name}: ${v}`).toBeTruthy();
      if (name !== "gateway") {
        expect(env.NATS_USER).toBe(name);
        expect(env.NATS_PASSWORD).toBe(`secret:junggo-nats/${name}`);
        expect(env.MIGRATE_ON_START).toBe("false");
        expect(env.DATABASE_URL).toMatch(
          new RegExp(
            `^postgresql://secret:junggo-db-${name}/username:secret:junggo-db-${name}/password@junggo-postgres-rw:5432/junggo_${name}\\?sslmode=verify-full&sslrootcert=`,
          ),
        );
      }
    }
  });

  it("a missing required variable is caught (INTERNAL_SECRET taken out of one pod)", () => {
    const objs = structuredClone(rendered.production);
    const c = mainContainer(named(objs, "Deployment", "purchase")!);
    c.env = (c.env as Dict[]).filter((e) => e.name !== "INTERNAL_SECRET");
    const problems = configProblems(objs);
    expect(problems).toContain("purchase/purchase: INTERNAL_SECRET must be set in production");
    expect(problems).toContain("purchase/purchase: INTERNAL_SECRET unset");
  });

  it("graceful stop: preStop, then a grace period above the drain times found in the code", () => {
    const consumer = read("packages/runtime/src/consumer.ts");
    const fetchExpires = Number(/FETCH_EXPIRES_MS = ([\d_]+)/.exec(consumer)![1]!.replace(/_/g, ""));
    const handlerTx = Number(
      /HANDLER_TX_OPTIONS = \{ timeout: ([\d_]+)/.exec(consumer)![1]!.replace(/_/g, ""),
    );
    const flush = Number(
      /flush\(timeoutMs = ([\d_]+)\)/.exec(read("packages/runtime/src/outbox.ts"))![1]!.replace(/_/g, ""),
    );
    const queue = Number(
      /PURCHASE_MAX_WAIT_MS", ([\d_]+)/
        .exec(read("subgraphs/purchase/src/adapters/purchase.module.ts"))![1]!
        .replace(/_/g, ""),
    );
    // A charge: 3 attempts × the answer timeout (min(2 × 610, 610 + 1000) ms) + 5 s stall allowance + 0.5 s backoff.
    const charge = 3 * 1220 + 5000 + 500;
    const subgraphDrain = (queue + charge + handlerTx + fetchExpires + 1000 + flush) / 1000;
    const drainPlugin = readFileSync(
      join(
        dirname(
          createRequire(join(root, "gateway/package.json")).resolve("@apollo/server/plugin/drainHttpServer"),
        ),
        "index.js",
      ),
      "utf8",
    );
    const gatewayDrain =
      Number(/stopGracePeriodMillis \?\? ([\d_]+)/.exec(drainPlugin)![1]!.replace(/_/g, "")) / 1000;
    expect(GRACE_SECONDS.subgraph).toBeGreaterThan(PRESTOP_SECONDS + subgraphDrain);
    expect(GRACE_SECONDS.gateway).toBeGreaterThan(PRESTOP_SECONDS + gatewayDrain);
    for (const d of ofKind(rendered.production, "Deployment")) {
      const spec = podSpec(d);
      expect(spec.terminationGracePeriodSeconds).toBe(
        GRACE_SECONDS[d.metadata.name === "gateway" ? "gateway" : "subgraph"],
      );
      expect(((mainContainer(d).lifecycle as Dict).preStop as Dict).exec).toEqual({
        command: ["sleep", String(PRESTOP_SECONDS)],
      });
      expect((d.spec as Dict).strategy).toEqual({
        type: "RollingUpdate",
        rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
      });
    }
  });

  it.each(OVERLAYS)(
    "%s: every workload runs non-root, read-only, without privilege escalation or capabilities, with requests and limits",
    (o) => {
      for (const w of rendered[o].filter((x) => ["Deployment", "StatefulSet"].includes(x.kind))) {
        const spec = podSpec(w);
        expect((spec.securityContext as Dict).runAsNonRoot, w.metadata.name).toBe(true);
        for (const c of containersOf(w)) {
          const where = `${w.metadata.name}/${c.name as string}`;
          expect(c.securityContext, where).toMatchObject({
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
          });
          const r = c.resources as { requests: Dict; limits: Dict };
          expect(r.requests.cpu && r.requests.memory && r.limits.memory, where).toBeTruthy();
        }
        if (w.kind === "Deployment") {
          const tmp = (spec.volumes as Dict[]).find((v) => v.name === "tmp");
          expect(tmp?.emptyDir, `${w.metadata.name}: /tmp`).toBeTruthy();
          for (const c of containersOf(w))
            expect(c.volumeMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
        }
      }
    },
  );

  it("scaling: an HPA on CPU for the gateway and every context but billing (single replica); a PDB and spread for each", () => {
    const objs = rendered.production;
    expect(SINGLE_REPLICA).toEqual(["billing"]);
    for (const name of Object.keys(DEFAULT_PORTS)) {
      const hpa = named(objs, "HorizontalPodAutoscaler", name);
      if ((SINGLE_REPLICA as readonly string[]).includes(name)) {
        expect(hpa, name).toBeUndefined();
        expect((named(objs, "Deployment", name)!.spec as Dict).replicas).toBe(1);
      } else {
        // The autoscaler owns the count: a replicas field would reset it on every apply.
        expect((named(objs, "Deployment", name)!.spec as Dict).replicas, name).toBeUndefined();
        expect(hpa?.spec, name).toMatchObject({
          scaleTargetRef: { kind: "Deployment", name },
          minReplicas: 2,
          metrics: [{ type: "Resource", resource: { name: "cpu" } }],
        });
      }
      const pdb = named(objs, "PodDisruptionBudget", name)!;
      expect((pdb.spec as Dict).selector).toEqual({ matchLabels: { [APP_LABEL]: name } });
      expect(podSpec(named(objs, "Deployment", name)!).topologySpreadConstraints).toHaveLength(2);
    }
  });

  it("network: default deny; each subgraph only from the gateway and the services that call it (compose); NATS and PostgreSQL only from the contexts", () => {
    for (const o of OVERLAYS) {
      const objs = rendered[o];
      expect(networkProblems(objs), o).toEqual([]);
    }
    // Billing is called by purchase (charges) and dashboard (dead letters), by the code's own settings.
    const calls = internalCalls(compose);
    expect([...calls.get("billing")!].sort()).toEqual(["dashboard", "gateway", "purchase"]);
    expect(read("subgraphs/purchase/src/adapters/purchase.module.ts")).toContain('env("BILLING_URL"');
    expect(read("subgraphs/dashboard/src/adapters/dead-letters.client.ts")).toContain("_URL`");
    // A policy that lets stock call billing is caught.
    const open = structuredClone(rendered.production);
    const billing = named(open, "NetworkPolicy", "billing")!;
    ((((billing.spec as Dict).ingress as Dict[])[0] as Dict).from as Dict[]).push({
      podSelector: { matchLabels: { [APP_LABEL]: "stock" } },
    });
    expect(networkProblems(open)).toEqual([
      expect.stringMatching(/^billing: reachable from dashboard,gateway,purchase,stock/),
    ]);
  });

  it("NATS: three JetStream servers on file storage with fsync always, a user per context, the stream on 3 replicas", () => {
    const objs = rendered.production;
    const sts = named(objs, "StatefulSet", "nats")!;
    expect((sts.spec as Dict).replicas).toBe(3);
    const settings = ofKind(objs, "ConfigMap").find((c) => c.metadata.name.startsWith("junggo-settings-"))!;
    expect((settings.data as Dict).NATS_STREAM_REPLICAS).toBe("3");
    const conf = (
      ofKind(objs, "ConfigMap").find((c) => c.metadata.name.startsWith("nats-config-"))!.data as Dict
    )["nats.conf"] as string;
    expect(conf).toMatch(/jetstream \{[^}]*store_dir: \/data[^}]*sync_interval: always/);
    const users = [...conf.matchAll(/user: ([a-z]+)\n\s+password: \$([A-Z_]+)/g)].map((m) => [m[1], m[2]]);
    expect(users).toEqual(SUBGRAPH_NAMES.map((n) => [n, natsPasswordVar(n)]));
    const env = (mainContainer(sts).env as Dict[]).map((e) => e.name);
    for (const n of SUBGRAPH_NAMES) expect(env).toContain(natsPasswordVar(n));
    for (const s of EVENT_STREAM_SUBJECTS) expect(conf).toContain(`"${s}"`);
  });

  it.skipIf(!existsSync("/usr/sbin/nats-server"))(
    "NATS: the real nats-server accepts the cluster configuration, and refuses it without a context's password",
    () => {
      const conf = (
        ofKind(rendered.production, "ConfigMap").find((c) => c.metadata.name.startsWith("nats-config-"))!
          .data as Dict
      )["nats.conf"] as string;
      const dir = mkdtempSync(join(tmpdir(), "junggo-k8s-nats-"));
      try {
        // The Debian server (2.9) predates sync_interval (checked above); the rest is the server's to judge.
        const file = join(dir, "nats.conf");
        writeFileSync(file, conf.replace(/^\s*sync_interval: always\n/m, ""));
        const passwords = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [natsPasswordVar(n), `pw-${n}`]));
        const check = (env: Record<string, string>) =>
          execFileSync("/usr/sbin/nats-server", ["-t", "-c", file], {
            env: { PATH: process.env.PATH ?? "", POD_NAME: "nats-0", ...env },
            stdio: "pipe",
          }).toString();
        check(passwords);
        const { NATS_PASSWORD_BILLING: _, ...withoutBilling } = passwords;
        expect(() => check(withoutBilling)).toThrow(/NATS_PASSWORD_BILLING/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it("no secret in a ConfigMap; migrations run once per pod start in the migrate init container", () => {
    for (const o of OVERLAYS)
      for (const cm of ofKind(rendered[o], "ConfigMap"))
        for (const [k, v] of Object.entries((cm.data as Record<string, string>) ?? {})) {
          expect(k, `${o} ${cm.metadata.name}`).not.toMatch(/SECRET|PASSWORD|TOKEN|_KEY/);
          expect(String(v), `${o} ${cm.metadata.name}/${k}`).not.toMatch(/:\/\/[^/\s:@]+:[^/\s@]+@/);
        }
    for (const name of SUBGRAPH_NAMES) {
      const d = named(rendered.production, "Deployment", name)!;
      const init = (podSpec(d).initContainers as Dict[])[0]!;
      expect(init.command).toEqual([...(mainContainer(d).command as string[]), "migrate"]);
      expect(init.image).toBe(mainContainer(d).image);
      expect(init.image).toBe("registry.example.com/junggo:set-me");
    }
    expect(read("packages/runtime/src/subgraph.ts")).toContain('process.argv[2] === "migrate"');
    expect(read("packages/runtime/src/database.ts")).toContain("pg_advisory_lock");
  });
});

function subgraphProblems(objs: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const [name, port] of Object.entries(DEFAULT_PORTS)) {
    const d = named(objs, "Deployment", name);
    const svc = named(objs, "Service", name);
    if (!d || !svc) {
      problems.push(`${name}: no ${d ? "Service" : "Deployment"}`);
      continue;
    }
    const c = mainContainer(d);
    const cport = ((c.ports as Dict[])[0] as Dict).containerPort;
    if (cport !== port) problems.push(`${name}: container port ${String(cport)}, DEFAULT_PORTS says ${port}`);
    if (String(cport) !== compose[name]?.environment?.PORT)
      problems.push(`${name}: port differs from the compose file`);
    const sport = ((svc.spec as Dict).ports as Dict[])[0] as Dict;
    if (sport.port !== port) problems.push(`${name}: Service port ${String(sport.port)}`);
    if (JSON.stringify(c.command) !== JSON.stringify(compose[name]?.command))
      problems.push(`${name}: command differs from compose`);
    const ready = ((c.readinessProbe as Dict).httpGet as Dict).path;
    const live = ((c.livenessProbe as Dict).httpGet as Dict).path;
    // The gateway's /readyz fails when any subgraph is down: readiness on it would take all gateways out.
    if (ready !== (name === "gateway" ? "/healthz" : "/readyz"))
      problems.push(`${name}: readiness ${String(ready)}`);
    if (live !== "/healthz") problems.push(`${name}: liveness ${String(live)}`);
  }
  return problems;
}

/** Who may reach each app, from the rendered NetworkPolicies, against the calls the compose file wires. */
function networkProblems(objs: K8sObject[]): string[] {
  const problems: string[] = [];
  const policies = ofKind(objs, "NetworkPolicy");
  const deny = policies.find((p) => JSON.stringify((p.spec as Dict).podSelector) === "{}");
  if (!deny || (deny.spec as Dict).ingress) problems.push("no default-deny ingress policy");
  const sources = (selected: Dict) => {
    const from = new Set<string>();
    for (const p of policies) {
      const spec = p.spec as Dict;
      if (JSON.stringify(spec.podSelector) !== JSON.stringify(selected)) continue;
      for (const rule of (spec.ingress as Dict[]) ?? []) {
        if (!rule.from) from.add("*");
        for (const f of (rule.from as Dict[]) ?? []) {
          const labels = ((f.podSelector as Dict | undefined)?.matchLabels ?? {}) as Record<string, string>;
          const ns = (f.namespaceSelector as Dict | undefined)?.matchLabels as
            | Record<string, string>
            | undefined;
          from.add(
            ns
              ? `namespace:${ns["kubernetes.io/metadata.name"]}`
              : (labels[APP_LABEL] ??
                  labels["app.kubernetes.io/component"] ??
                  labels["cnpg.io/cluster"] ??
                  "?"),
          );
        }
      }
    }
    return [...from].sort().join(",");
  };
  const calls = internalCalls(compose);
  for (const name of Object.keys(DEFAULT_PORTS)) {
    const expected = name === "gateway" ? "*" : [...(calls.get(name) ?? [])].sort().join(",");
    const got = sources({ matchLabels: { [APP_LABEL]: name } });
    if (got !== expected) problems.push(`${name}: reachable from ${got}, expected ${expected}`);
  }
  const nats = sources({ matchLabels: { [APP_LABEL]: "nats" } });
  if (nats !== [...SUBGRAPH_NAMES, "nats"].sort().join(",")) problems.push(`nats: reachable from ${nats}`);
  const pg = named(objs, "StatefulSet", "postgres")
    ? sources({ matchLabels: { [APP_LABEL]: "postgres" } })
    : sources({ matchLabels: { "cnpg.io/cluster": "junggo-postgres" } });
  if (!["subgraph", "junggo-postgres,namespace:cnpg-system,subgraph"].includes(pg))
    problems.push(`postgres: reachable from ${pg}`);
  // The label the PostgreSQL policy admits is carried by the contexts' pods only.
  for (const d of ofKind(objs, "Deployment")) {
    const component = (((d.spec as Dict).template as Dict).metadata as Dict).labels as Record<string, string>;
    const isContext = (SUBGRAPH_NAMES as readonly string[]).includes(d.metadata.name);
    if ((component["app.kubernetes.io/component"] === "subgraph") !== isContext)
      problems.push(`${d.metadata.name}: component label`);
  }
  return problems;
}

/** The CloudNativePG fields these manifests rely on (no published schema package to validate against). */
function cnpgProblems(o: K8sObject): string[] {
  const p: string[] = [];
  const spec = (o.spec ?? {}) as Dict;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(o.metadata.name)) p.push("metadata.name is not a DNS label");
  if (o.kind === "Cluster") {
    if (!Number.isInteger(spec.instances) || (spec.instances as number) < 3) p.push("spec.instances < 3");
    if (!/^\d+[GM]i$/.test(String((spec.storage as Dict | undefined)?.size))) p.push("spec.storage.size");
    const sync = (spec.postgresql as Dict | undefined)?.synchronous as Dict | undefined;
    if (!sync || !["any", "first"].includes(sync.method as string) || !Number.isInteger(sync.number))
      p.push("spec.postgresql.synchronous");
    const roles = ((spec.managed as Dict | undefined)?.roles as Dict[] | undefined) ?? [];
    const names = roles.map((r) => r.name);
    if (JSON.stringify(names) !== JSON.stringify(SUBGRAPH_NAMES)) p.push(`roles ${names.join(",")}`);
    for (const r of roles)
      if (
        r.ensure !== "present" ||
        r.login !== true ||
        (r.passwordSecret as Dict)?.name !== `junggo-db-${String(r.name)}`
      )
        p.push(`role ${String(r.name)}`);
  } else if (o.kind === "Database") {
    const ctx = String(spec.owner);
    if (!(SUBGRAPH_NAMES as readonly string[]).includes(ctx)) p.push(`owner ${ctx}`);
    if (spec.name !== `junggo_${ctx}`) p.push(`name ${String(spec.name)}`);
    if ((spec.cluster as Dict | undefined)?.name !== "junggo-postgres") p.push("spec.cluster.name");
  } else p.push(`unexpected kind ${o.kind}`);
  return p;
}
