// Writes deploy/k8s/base/apps.yaml and base/network-policies.yaml from docker-compose.yml (command,
// environment and ports per service, hostnames = Service names) and the figures below. Run
// `npm run k8s:generate` after changing either; deploy/k8s/test/manifests.test.ts fails while the
// committed files differ from what this prints.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import { NATS_USERS, natsPasswordVariable, renderNatsAuthConf } from "@junggo/runtime";
// Typed with the Kubernetes models, so a misspelt field fails the typecheck (their validate() does not see it).
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import type { IService } from "kubernetes-models/v1/Service";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";

const root = fileURLToPath(new URL("../../", import.meta.url));
const base = fileURLToPath(new URL("./base/", import.meta.url));

export const APP_LABEL = "app.kubernetes.io/name";
const PART_OF = { "app.kubernetes.io/part-of": "junggo" };

/**
 * Requests and limits. Basis: README "Performance" (npm run bench, 32 buyers, 53 purchases/s, on
 * PostgreSQL): CPU request = the process's CPU per purchase × 53/s, rounded up, plus headroom for
 * the queries each serves (so one replica per context carries that load and the HPA, at 70 % of
 * the request, adds replicas above it); memory request = the peak RSS under that benchmark
 * (subgraphs 150–249 MB, gateway 300 MB; idle 95–130 MB and 152 MB), limit = twice that. CPU limit
 * one core: a Node process runs JavaScript on one thread, so more would only be borrowed by GC.
 */
export const RESOURCES: Record<string, { cpu: string; memory: string; memoryLimit: string; why: string }> = {
  gateway: { cpu: "250m", memory: "320Mi", memoryLimit: "640Mi", why: "2.6 ms/purchase + queries" },
  identity: { cpu: "100m", memory: "256Mi", memoryLimit: "512Mi", why: "0.1 ms/purchase; logins hash" },
  stock: { cpu: "150m", memory: "256Mi", memoryLimit: "512Mi", why: "2.1 ms/purchase + vehicle queries" },
  purchase: { cpu: "300m", memory: "256Mi", memoryLimit: "512Mi", why: "5.5 ms/purchase × 53/s = 0.29" },
  billing: { cpu: "200m", memory: "256Mi", memoryLimit: "512Mi", why: "3.1 ms/purchase × 53/s = 0.16" },
  consignment: { cpu: "250m", memory: "256Mi", memoryLimit: "512Mi", why: "4.3 ms/purchase × 53/s = 0.23" },
  dashboard: { cpu: "150m", memory: "256Mi", memoryLimit: "512Mi", why: "2.4 ms/purchase + staff polling" },
  notification: { cpu: "200m", memory: "256Mi", memoryLimit: "512Mi", why: "3.0 ms/purchase × 53/s = 0.16" },
  acquisition: {
    cpu: "100m",
    memory: "256Mi",
    memoryLimit: "512Mi",
    why: "not on the purchase path; quotes",
  },
  maintenance: {
    cpu: "100m",
    memory: "192Mi",
    memoryLimit: "384Mi",
    why: "staff repair orders; not on the purchase path",
  },
};

/**
 * Contexts pinned to one replica (no HPA). Every background pass of the contexts is replica-safe
 * (conditional writes or leases), and replicas share the context's durable consumer
 * (gateway/test/chaos/replicas.int.test.ts). Billing is the exception: its payment provider is the
 * in-process sandbox, whose idempotency memory (a repeated charge returns the first outcome) and
 * fault-injection controls live in one process; with replicas a retried charge reaching another
 * replica would be charged again at the "provider". Lift this with a real provider.
 */
export const SINGLE_REPLICA = ["billing"] as const;

/** SIGTERM → preStop sleep first: the pod leaves the Service endpoints everywhere before it stops accepting. */
export const PRESTOP_SECONDS = 10;
/**
 * Drain after SIGTERM, from the code: gateway = Apollo's drain plugin (stopGracePeriodMillis 10 s
 * default); subgraph = in-flight HTTP requests (a purchase: PURCHASE_MAX_WAIT_MS 10 s in the queue +
 * a charge ≤ 3 × 1.22 s + 5 s stall allowance) then the consumer's event in hand (transaction
 * timeout 20 s, + FETCH_EXPIRES_MS 2 s + 1 s) then the outbox flush (5 s): ≤ 47 s.
 */
export const DRAIN_SECONDS = { gateway: 10, subgraph: 47 } as const;
export const GRACE_SECONDS = {
  gateway: PRESTOP_SECONDS + DRAIN_SECONDS.gateway + 10,
  subgraph: PRESTOP_SECONDS + DRAIN_SECONDS.subgraph + 13,
} as const;

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  expose?: string[];
  ports?: string[];
}

const SECRET_ENV: Record<string, { name: string; key: string; optional?: boolean }> = {
  INTERNAL_SECRET: { name: "junggo-internal", key: "INTERNAL_SECRET" },
  SMTP_URL: { name: "junggo-smtp", key: "SMTP_URL", optional: true },
};

/** `${VAR:-default}` → default; `${VAR:?msg}` has no value here (a Secret provides it). */
function composeDefault(v: string): string {
  const m = /^\$\{[A-Z0-9_]+:-(.*)\}$/.exec(v);
  return m ? m[1]! : v;
}

function envFor(name: string, compose: Record<string, string>): { env: IEnvVar[]; jwtKeys: boolean } {
  const env: IEnvVar[] = [];
  let jwtKeys = false;
  const isSubgraph = "DATABASE_URL" in compose;
  if (isSubgraph) {
    // The database role and password come from the context's Secret; the URL is put together here.
    env.push(
      { name: "DATABASE_USER", valueFrom: { secretKeyRef: { name: `junggo-db-${name}`, key: "username" } } },
      {
        name: "DATABASE_PASSWORD",
        valueFrom: { secretKeyRef: { name: `junggo-db-${name}`, key: "password" } },
      },
    );
  }
  if (isSubgraph && !("JWT_KEYS_FILE" in compose)) {
    // packages/runtime/src/config.ts requires JWT_KEYS_FILE of every context in production although
    // only identity reads it (the compose file omits it and so fails there); no key is mounted here.
    env.push({ name: "JWT_KEYS_FILE", value: "/nonexistent/only-identity-reads-signing-keys" });
  }
  for (const [key, raw] of Object.entries(compose)) {
    if (key === "DATABASE_URL") {
      const db = new URL(raw).pathname.slice(1);
      env.push({
        name: key,
        value: `postgresql://$(DATABASE_USER):$(DATABASE_PASSWORD)@$(DATABASE_HOST):5432/${db}?$(DATABASE_PARAMS)`,
      });
    } else if (key === "NATS_URL") {
      // NATS_URL is a shared setting (ConfigMap); each context connects as its own NATS user (compose's
      // NATS_USER) with the password of that user's key only (compose mounts it as NATS_PASSWORD_FILE).
      const user = compose.NATS_USER ?? name;
      env.push(
        { name: "NATS_USER", value: user },
        { name: "NATS_PASSWORD", valueFrom: { secretKeyRef: { name: "junggo-nats", key: user } } },
      );
    } else if (key === "NATS_USER" || key === "NATS_PASSWORD_FILE") {
      // Given with NATS_URL above.
    } else if (key in SECRET_ENV) {
      const s = SECRET_ENV[key]!;
      env.push({
        name: key,
        valueFrom: { secretKeyRef: { name: s.name, key: s.key, ...(s.optional ? { optional: true } : {}) } },
      });
    } else if (key === "JWT_KEYS_FILE") {
      // A directory mount (no subPath), so a rotated Secret reaches the running pod.
      env.push({ name: key, value: "/run/secrets/jwt/jwt-keys.json" });
      jwtKeys = true;
    } else {
      env.push({ name: key, value: composeDefault(String(raw)) });
    }
  }
  return { env, jwtKeys };
}

const labels = (name: string) => ({ [APP_LABEL]: name, ...PART_OF });
const tier = (name: string) => (name === "gateway" ? "gateway" : "subgraph");

function deployment(name: string, svc: ComposeService, port: number): IDeployment {
  const { env, jwtKeys } = envFor(name, svc.environment ?? {});
  const r = RESOURCES[name];
  if (!r) throw new Error(`no resources for ${name} in deploy/k8s/generate.ts`);
  const isGateway = name === "gateway";
  const probe = (path: string, periodSeconds: number) => ({
    httpGet: { path, port: "http" },
    periodSeconds,
    timeoutSeconds: 2,
    failureThreshold: 3,
  });
  const securityContext = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
  };
  const volumeMounts = [
    { name: "tmp", mountPath: "/tmp" },
    ...(jwtKeys ? [{ name: "jwt-keys", mountPath: "/run/secrets/jwt", readOnly: true }] : []),
  ];
  const envFrom = [{ configMapRef: { name: "junggo-settings" } }];
  const containers: IContainer[] = [
    {
      name,
      image: "junggo",
      command: svc.command,
      ports: [{ name: "http", containerPort: port }],
      envFrom,
      env,
      // The gateway's /readyz is 503 while any subgraph is down: as readiness it would take every
      // gateway out of the Service (the whole site down, web client included) for one subgraph.
      readinessProbe: probe(isGateway ? "/healthz" : "/readyz", 5),
      livenessProbe: probe("/healthz", 10),
      startupProbe: { ...probe("/healthz", 2), failureThreshold: 60 },
      lifecycle: { preStop: { exec: { command: ["sleep", String(PRESTOP_SECONDS)] } } },
      resources: {
        requests: { cpu: r.cpu, memory: r.memory },
        limits: { cpu: "1", memory: r.memoryLimit },
      },
      securityContext,
      volumeMounts,
    },
  ];
  // Migrations run in an init container (`main.js migrate`, under the runtime's advisory lock), so
  // they finish before the new version serves; the service itself skips them (MIGRATE_ON_START=false).
  const initContainers: IContainer[] | undefined = isGateway
    ? undefined
    : [
        {
          name: "migrate",
          image: "junggo",
          command: [...(svc.command ?? []), "migrate"],
          envFrom,
          env,
          resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "1", memory: "256Mi" } },
          securityContext,
          volumeMounts,
        },
      ];
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels: { ...labels(name), "app.kubernetes.io/component": tier(name) } },
    spec: {
      // Only where no autoscaler owns the count: a `replicas` here would reset the HPA's choice on every apply.
      ...((SINGLE_REPLICA as readonly string[]).includes(name) ? { replicas: 1 } : {}),
      revisionHistoryLimit: 5,
      selector: { matchLabels: { [APP_LABEL]: name } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { ...labels(name), "app.kubernetes.io/component": tier(name) } },
        spec: {
          terminationGracePeriodSeconds: isGateway ? GRACE_SECONDS.gateway : GRACE_SECONDS.subgraph,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            fsGroup: 1000,
            seccompProfile: { type: "RuntimeDefault" },
          },
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "topology.kubernetes.io/zone",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: { [APP_LABEL]: name } },
            },
            {
              maxSkew: 1,
              topologyKey: "kubernetes.io/hostname",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: { [APP_LABEL]: name } },
            },
          ],
          ...(initContainers ? { initContainers } : {}),
          containers,
          volumes: [
            { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
            ...(jwtKeys
              ? [{ name: "jwt-keys", secret: { secretName: "junggo-jwt-keys", defaultMode: 0o440 } }]
              : []),
          ],
        },
      },
    },
  };
}

function service(name: string, port: number): IService {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, labels: labels(name) },
    spec: {
      selector: { [APP_LABEL]: name },
      ports: [{ name: "http", port, targetPort: "http" }],
    },
  };
}

function hpa(name: string): IHorizontalPodAutoscaler {
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name, labels: labels(name) },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
      minReplicas: 2,
      maxReplicas: name === "gateway" ? 6 : 4,
      metrics: [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
        },
      ],
      behavior: {
        // Scale in slowly: a consumer replica leaving hands its batch back (nak), which is work redone.
        scaleDown: {
          stabilizationWindowSeconds: 300,
          policies: [{ type: "Pods", value: 1, periodSeconds: 60 }],
        },
      },
    },
  };
}

function pdb(name: string): IPodDisruptionBudget {
  const single = (SINGLE_REPLICA as readonly string[]).includes(name);
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name, labels: labels(name) },
    // One replica: a drain may evict it (minAvailable 1 would block node drains for good); the
    // Deployment's surge brings a new pod up first only on rollouts, so a drain is a short outage.
    spec: {
      ...(single ? { maxUnavailable: 1 } : { minAvailable: 1 }),
      selector: { matchLabels: { [APP_LABEL]: name } },
    },
  };
}

/** Internal HTTP calls, from the compose file: `http://<service>:<port>` in another service's environment. */
export function internalCalls(compose: Record<string, ComposeService>): Map<string, Set<string>> {
  const callers = new Map<string, Set<string>>();
  for (const [caller, svc] of Object.entries(compose)) {
    for (const v of Object.values(svc.environment ?? {})) {
      const m = /^https?:\/\/([a-z0-9-]+):\d+/.exec(String(v));
      if (!m || !(m[1]! in compose)) continue;
      if (!callers.has(m[1]!)) callers.set(m[1]!, new Set());
      callers.get(m[1]!)!.add(caller);
    }
  }
  return callers;
}

function networkPolicies(compose: Record<string, ComposeService>, apps: [string, number][]) {
  const calls = internalCalls(compose);
  const from = (names: string[]) =>
    names.sort().map((n) => ({ podSelector: { matchLabels: { [APP_LABEL]: n } } }));
  const policies: INetworkPolicy[] = [
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "default-deny-ingress" },
      spec: { podSelector: {}, policyTypes: ["Ingress"] },
    },
  ];
  for (const [name, port] of apps) {
    const callers = [...(calls.get(name) ?? [])];
    policies.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name, labels: labels(name) },
      spec: {
        podSelector: { matchLabels: { [APP_LABEL]: name } },
        policyTypes: ["Ingress"],
        ingress: [
          // The gateway is the public door (an Ingress controller or load balancer in front of it).
          name === "gateway"
            ? { ports: [{ port, protocol: "TCP" }] }
            : { from: from(callers), ports: [{ port, protocol: "TCP" }] },
        ],
      },
    });
  }
  return policies;
}

function natsConf(): string {
  return `# Generated by deploy/k8s/generate.ts. JetStream cluster of three (StatefulSet \`nats\`, headless
# Service \`nats-headless\`). Same durability as deploy/nats.conf: fsync on every write (Jepsen,
# Dec 2025: the default 2-minute sync interval lost acknowledged writes on power failure).
server_name: $POD_NAME
port: 4222
http_port: 8222
pid_file: /var/run/nats/nats.pid
# On the preStop hook's signal (lame-duck mode): stop accepting, move clients to the other servers over this long, then exit.
lame_duck_duration: 30s
lame_duck_grace_period: 10s

jetstream {
  store_dir: /data
  sync_interval: always
  max_file_store: 8G
}

cluster {
  name: junggo
  port: 6222
  routes: [
    nats://nats-0.nats-headless:6222
    nats://nats-1.nats-headless:6222
    nats://nats-2.nats-headless:6222
  ]
  connect_retries: 120
}

# The users and permissions of deploy/nats-auth.conf, rendered from packages/runtime/src/nats-auth.ts
# into the same ConfigMap: one user per bounded context (NATS_USER = the context) and \`admin\` for
# operators, each password from its key of the Secret junggo-nats through the environment
# ($NATS_PASSWORD_<USER>; docs/nats-security.md).
include ./nats-auth.conf
`;
}

/** NATS: three JetStream servers with their own volumes, a client Service and the route (headless) Service. */
function natsManifests(): (IStatefulSet | IService | IPodDisruptionBudget)[] {
  const sel = { [APP_LABEL]: "nats" };
  const lbl = labels("nats");
  const statefulSet: IStatefulSet = {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "nats", labels: lbl },
    spec: {
      serviceName: "nats-headless",
      replicas: 3,
      // All three start together: a JetStream cluster needs a quorum to elect its meta leader.
      podManagementPolicy: "Parallel",
      selector: { matchLabels: sel },
      template: {
        metadata: { labels: lbl },
        spec: {
          // Lame-duck mode (30 s) plus its grace period, then the server flushes and exits.
          terminationGracePeriodSeconds: 60,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            fsGroup: 1000,
            seccompProfile: { type: "RuntimeDefault" },
          },
          // One server per node (and zone where there are zones): losing one loses no quorum.
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "kubernetes.io/hostname",
              whenUnsatisfiable: "DoNotSchedule",
              labelSelector: { matchLabels: sel },
            },
            {
              maxSkew: 1,
              topologyKey: "topology.kubernetes.io/zone",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: sel },
            },
          ],
          containers: [
            {
              name: "nats",
              image: "nats:2.12-alpine",
              args: ["-c", "/etc/nats/nats.conf"],
              ports: [
                { name: "client", containerPort: 4222 },
                { name: "cluster", containerPort: 6222 },
                { name: "monitor", containerPort: 8222 },
              ],
              env: [
                { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                // Every user's password (deploy/nats-auth.conf reads NATS_PASSWORD_<USER>), each from its own key.
                ...NATS_USERS.map((u) => ({
                  name: natsPasswordVariable(u),
                  valueFrom: { secretKeyRef: { name: "junggo-nats", key: u } },
                })),
              ],
              // Ready once JetStream is current with the cluster (not before: a rollout moves on to the next server only then).
              readinessProbe: {
                httpGet: { path: "/healthz?js-enabled-only=true", port: "monitor" },
                periodSeconds: 5,
                failureThreshold: 3,
              },
              livenessProbe: {
                httpGet: { path: "/healthz?js-enabled-only=true", port: "monitor" },
                periodSeconds: 10,
                failureThreshold: 6,
              },
              startupProbe: {
                httpGet: { path: "/healthz", port: "monitor" },
                periodSeconds: 2,
                failureThreshold: 90,
              },
              // Lame-duck mode on the way out; the hook waits for the server to leave (SIGTERM would stop it at once).
              lifecycle: {
                preStop: {
                  exec: {
                    command: ["sh", "-c", "nats-server --signal ldm=/var/run/nats/nats.pid && sleep 45"],
                  },
                },
              },
              // README "Performance": NATS 3.0 ms CPU per purchase (53/s ≈ 0.16 core); memory ~60 MB idle.
              resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
              },
              volumeMounts: [
                { name: "config", mountPath: "/etc/nats", readOnly: true },
                { name: "data", mountPath: "/data" },
                { name: "pid", mountPath: "/var/run/nats" },
              ],
            },
          ],
          volumes: [
            { name: "config", configMap: { name: "nats-config" } },
            { name: "pid", emptyDir: { sizeLimit: "1Mi" } },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "data" },
          spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } },
        },
      ],
    },
  };
  return [
    statefulSet,
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "nats-headless", labels: lbl },
      spec: {
        clusterIP: "None",
        // Routes resolve each other's names before they are ready (a cluster forms before it is ready).
        publishNotReadyAddresses: true,
        selector: sel,
        ports: [
          { name: "client", port: 4222, targetPort: "client" },
          { name: "cluster", port: 6222, targetPort: "cluster" },
        ],
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "nats", labels: lbl },
      spec: { selector: sel, ports: [{ name: "client", port: 4222, targetPort: "client" }] },
    },
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "nats", labels: lbl },
      // Two of three keep the JetStream quorum (and the R3 stream writable).
      spec: { maxUnavailable: 1, selector: { matchLabels: sel } },
    },
  ];
}

function natsNetworkPolicy(contexts: string[]): INetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "nats", labels: labels("nats") },
    spec: {
      podSelector: { matchLabels: { [APP_LABEL]: "nats" } },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [...contexts].sort().map((n) => ({ podSelector: { matchLabels: { [APP_LABEL]: n } } })),
          ports: [{ port: 4222, protocol: "TCP" }],
        },
        {
          from: [{ podSelector: { matchLabels: { [APP_LABEL]: "nats" } } }],
          ports: [{ port: 6222, protocol: "TCP" }],
        },
      ],
    },
  };
}

export function generate(composeText = readFileSync(`${root}docker-compose.yml`, "utf8")) {
  const compose = parse(composeText).services as Record<string, ComposeService>;
  const apps = Object.entries(compose)
    .filter(([, s]) => s.command?.some((c) => c.endsWith("/dist/main.js")))
    .map(([name, s]) => [name, Number(s.environment?.PORT)] as [string, number]);
  const contexts = apps.map(([n]) => n).filter((n) => n !== "gateway");
  const docs: unknown[] = [];
  for (const [name, port] of apps) {
    docs.push(deployment(name, compose[name]!, port), service(name, port), pdb(name));
    if (!(SINGLE_REPLICA as readonly string[]).includes(name)) docs.push(hpa(name));
  }
  const header =
    "# Generated by deploy/k8s/generate.ts from docker-compose.yml: edit those, then npm run k8s:generate.\n";
  const yaml = (list: unknown[]) =>
    header + list.map((d) => `---\n${stringify(d, { lineWidth: 0, aliasDuplicateObjects: false })}`).join("");
  return {
    "apps.yaml": yaml(docs),
    "network-policies.yaml": yaml([...networkPolicies(compose, apps), natsNetworkPolicy(contexts)]),
    "nats.yaml": yaml(natsManifests()),
    "nats/nats.conf": natsConf(),
    // The single source of the NATS users and permissions, as deploy/nats-auth.conf.
    "nats/nats-auth.conf": renderNatsAuthConf(),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [file, text] of Object.entries(generate())) writeFileSync(`${base}${file}`, text);
  console.log(`wrote ${Object.keys(generate()).join(", ")} in deploy/k8s/base`);
}
