import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

// graphql ships ESM and CJS builds; Node (and so the services) load the CJS one everywhere, vite
// would give test and source files the ESM one: two instances that refuse each other's schemas.
const graphqlCjs = createRequire(import.meta.url).resolve("graphql");
const resolve = { alias: [{ find: /^graphql$/, replacement: graphqlCjs }] };

// unit: fast, no processes. integration (*.int.test.ts): real NATS, databases and service
// processes; files run one at a time because each starts its own stack on this 2-core machine.
export default defineConfig({
  test: {
    projects: [
      {
        resolve,
        test: {
          name: "unit",
          include: [
            "packages/*/test/**/*.test.ts",
            "subgraphs/*/test/**/*.test.ts",
            "gateway/test/**/*.test.ts",
            "schema/**/*.test.ts",
            "web/test/**/*.test.ts",
            "deploy/**/*.test.ts",
            "bench/**/*.test.ts",
          ],
          exclude: ["**/*.int.test.ts", "**/node_modules/**"],
        },
      },
      {
        resolve,
        test: {
          name: "integration",
          include: ["**/*.int.test.ts"],
          exclude: ["**/node_modules/**"],
          fileParallelism: false,
          globalSetup: ["packages/devstack/src/integration.global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
