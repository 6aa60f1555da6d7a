import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { natsCredentials } from "../src/config.ts";

const VARS = ["NATS_USER", "NATS_PASSWORD", "NATS_PASSWORD_FILE", "NODE_ENV"] as const;
const saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));

function withEnv(env: Partial<Record<(typeof VARS)[number], string>>) {
  for (const v of VARS) delete process.env[v];
  Object.assign(process.env, env);
}

afterEach(() => {
  for (const v of VARS) {
    if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
  }
});

describe("natsCredentials (NATS_USER, NATS_PASSWORD, NATS_PASSWORD_FILE)", () => {
  it("takes the password from the environment, the user defaulting to the context", () => {
    withEnv({ NATS_PASSWORD: "nSecretSecretSecret1" });
    expect(natsCredentials("stock")).toEqual({ user: "stock", pass: "nSecretSecretSecret1" });
    withEnv({ NATS_USER: "admin", NATS_PASSWORD: "nSecretSecretSecret1" });
    expect(natsCredentials("dashboard")).toEqual({ user: "admin", pass: "nSecretSecretSecret1" });
  });

  it("reads NATS_PASSWORD_FILE (a mounted secret), trimmed, and names an unreadable or empty file", () => {
    const dir = mkdtempSync(join(tmpdir(), "junggo-nats-cred-"));
    try {
      const file = join(dir, "password");
      writeFileSync(file, "nFromTheFile0000000\n");
      withEnv({ NATS_USER: "billing", NATS_PASSWORD_FILE: file });
      expect(natsCredentials("billing")).toEqual({ user: "billing", pass: "nFromTheFile0000000" });
      writeFileSync(file, "\n");
      expect(() => natsCredentials("billing")).toThrow(`NATS_PASSWORD_FILE ${file} is empty`);
      withEnv({ NATS_PASSWORD_FILE: join(dir, "missing") });
      expect(() => natsCredentials("billing")).toThrow(/NATS_PASSWORD_FILE .*missing cannot be read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("connects without authentication in development only, and refuses a user without a password", () => {
    withEnv({});
    expect(natsCredentials("stock")).toBeUndefined();
    withEnv({ NODE_ENV: "production" });
    expect(() => natsCredentials("stock")).toThrow(
      "NATS_PASSWORD or NATS_PASSWORD_FILE must be set in production",
    );
    withEnv({ NATS_USER: "stock" });
    expect(() => natsCredentials("stock")).toThrow(
      "NATS_USER is set without NATS_PASSWORD or NATS_PASSWORD_FILE",
    );
  });
});
