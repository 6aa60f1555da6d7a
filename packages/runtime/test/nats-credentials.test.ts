import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadServiceConfig } from "../src/config.ts";
import { ConfigError } from "../src/settings.ts";

/** The NATS credentials a subgraph's configuration gives for `env` (or the problems it lists). */
function credentials(context: "stock" | "dashboard" | "billing", env: Record<string, string>) {
  try {
    return loadServiceConfig(context, { INTERNAL_SECRET: "s", ...env }).nats;
  } catch (err) {
    if (err instanceof ConfigError) throw new Error(err.problems.join("\n"));
    throw err;
  }
}

describe("NATS credentials (NATS_USER, NATS_PASSWORD, NATS_PASSWORD_FILE)", () => {
  it("takes the password from the environment, the user defaulting to the context", () => {
    expect(credentials("stock", { NATS_PASSWORD: "nSecretSecretSecret1" })).toEqual({
      user: "stock",
      pass: "nSecretSecretSecret1",
    });
    expect(credentials("dashboard", { NATS_USER: "admin", NATS_PASSWORD: "nSecretSecretSecret1" })).toEqual({
      user: "admin",
      pass: "nSecretSecretSecret1",
    });
  });

  it("reads NATS_PASSWORD_FILE (a mounted secret), trimmed, and names an unreadable or empty file", () => {
    const dir = mkdtempSync(join(tmpdir(), "junggo-nats-cred-"));
    try {
      const file = join(dir, "password");
      writeFileSync(file, "nFromTheFile0000000\n");
      expect(credentials("billing", { NATS_USER: "billing", NATS_PASSWORD_FILE: file })).toEqual({
        user: "billing",
        pass: "nFromTheFile0000000",
      });
      writeFileSync(file, "\n");
      expect(() => credentials("billing", { NATS_PASSWORD_FILE: file })).toThrow(
        `NATS_PASSWORD_FILE ${file} is empty`,
      );
      expect(() => credentials("billing", { NATS_PASSWORD_FILE: join(dir, "missing") })).toThrow(
        /NATS_PASSWORD_FILE .*missing cannot be read/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("connects without authentication in development only, and refuses a user without a password", () => {
    expect(credentials("stock", {})).toBeUndefined();
    expect(() => credentials("stock", { NODE_ENV: "production" })).toThrow(
      "NATS_PASSWORD or NATS_PASSWORD_FILE must be set in production",
    );
    expect(() => credentials("stock", { NATS_USER: "stock" })).toThrow(
      "NATS_USER is set without NATS_PASSWORD or NATS_PASSWORD_FILE",
    );
  });

  it("keeps the password out of the configuration object (only the credentials built from it)", () => {
    const config = loadServiceConfig("stock", { NATS_PASSWORD: "nSecretSecretSecret1" });
    expect(Object.keys(config)).not.toContain("natsPassword");
    expect(Object.keys(config)).not.toContain("natsPasswordFile");
  });
});
