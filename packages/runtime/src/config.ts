// Every setting comes from the environment (ConfigMap/Secret ready); defaults are for local development only.
import { readFileSync } from "node:fs";

export function env(name: string, fallback?: string): string {
  const v = process.env[name];
  if (v !== undefined && v !== "") return v;
  if (fallback !== undefined) return fallback;
  throw new Error(`missing required environment variable ${name}`);
}

export function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`environment variable ${name} must be a number, got "${raw}"`);
  return n;
}

export function boolEnv(name: string, fallback: boolean): boolean {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  return ["1", "true", "yes", "on"].includes(raw.toLowerCase());
}

export const isProduction = () => process.env.NODE_ENV === "production";

/** A secret with a development default that production refuses to use. */
function secret(name: string, devDefault: string): string {
  const v = process.env[name];
  if (v) return v;
  if (isProduction()) throw new Error(`${name} must be set in production`);
  return devDefault;
}

export const DEFAULT_PORTS = {
  gateway: 4000,
  identity: 4001,
  stock: 4002,
  purchase: 4003,
  billing: 4004,
  consignment: 4005,
  dashboard: 4006,
  notification: 4007,
} as const;

export type ContextName = Exclude<keyof typeof DEFAULT_PORTS, "gateway">;

/** Every bounded context that runs as a subgraph, in start-up order. */
export const SUBGRAPH_NAMES = (Object.keys(DEFAULT_PORTS) as (keyof typeof DEFAULT_PORTS)[]).filter(
  (n): n is ContextName => n !== "gateway",
);

export interface ServiceConfig {
  context: string;
  host: string;
  port: number;
  /** PGlite data directory, used when no DATABASE_URL is set. */
  dataDir: string;
  databaseUrl: string | undefined;
  natsUrl: string;
  /** NATS credentials of this context (deploy/nats-auth.conf); none for a server without authentication. */
  nats: NatsCredentials | undefined;
  /** HMAC secret shared by the gateway and subgraphs for forwarded identities and service tokens. */
  internalSecret: string;
  /**
   * ES256 key file for access tokens (identity signs with it); created in development when missing.
   * Required in production of identity alone: every other context trusts the gateway's forwarded
   * identity, and the gateway verifies tokens through identity's JWKS.
   */
  jwtKeysFile: string;
  seedDemo: boolean;
}

export function loadServiceConfig(context: ContextName): ServiceConfig {
  const upper = context.toUpperCase();
  return {
    context,
    host: env("HOST", "127.0.0.1"),
    port: intEnv("PORT", intEnv(`${upper}_PORT`, DEFAULT_PORTS[context])),
    dataDir: env("DATA_DIR", `.data/${context}`),
    databaseUrl: process.env.DATABASE_URL || undefined,
    natsUrl: env("NATS_URL", "nats://127.0.0.1:4222"),
    nats: natsCredentials(context),
    internalSecret: secret("INTERNAL_SECRET", "dev-only-internal-secret-change-me"),
    jwtKeysFile: env(
      "JWT_KEYS_FILE",
      isProduction() && context === "identity" ? undefined : ".data/jwt-keys.json",
    ),
    seedDemo: boolEnv("SEED_DEMO", false),
  };
}

export function gatewaySecrets() {
  return {
    internalSecret: secret("INTERNAL_SECRET", "dev-only-internal-secret-change-me"),
  };
}

export interface NatsCredentials {
  user: string;
  pass: string;
}

/**
 * NATS_USER (default: the context's name) with NATS_PASSWORD, or NATS_PASSWORD_FILE (a mounted
 * secret, read at start). Production refuses to run without them: an open NATS lets anyone publish
 * events or read them all.
 */
export function natsCredentials(defaultUser: string): NatsCredentials | undefined {
  const file = process.env.NATS_PASSWORD_FILE;
  let pass = process.env.NATS_PASSWORD || undefined;
  if (!pass && file) {
    try {
      pass = readFileSync(file, "utf8").trim();
    } catch (err) {
      throw new Error(`NATS_PASSWORD_FILE ${file} cannot be read: ${(err as Error).message}`);
    }
    if (!pass) throw new Error(`NATS_PASSWORD_FILE ${file} is empty`);
  }
  if (!pass) {
    if (process.env.NATS_USER)
      throw new Error("NATS_USER is set without NATS_PASSWORD or NATS_PASSWORD_FILE");
    if (isProduction()) throw new Error("NATS_PASSWORD or NATS_PASSWORD_FILE must be set in production");
    return undefined;
  }
  return { user: env("NATS_USER", defaultUser), pass };
}
