#!/usr/bin/env node
// Compiles every service and command-line entry point to JavaScript (dist/ next to its src/), so
// processes start as plain `node --enable-source-maps dist/main.js`: no TypeScript compiler and no
// esbuild helper process at run time. Our own workspace code (@junggo/*) is bundled; every other
// package stays a separate module, resolved here, at build time, from the importing source file's
// own node_modules (pnpm's strict layout) and written into the bundle as a relative path.
// `node packages/devstack/build.mjs [--check]` — about a second for all entries.
import { readFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
// Every context, from the one list (packages/runtime/contexts.json; config.ts reads it too).
const SUBGRAPHS = Object.keys(
  JSON.parse(readFileSync(join(root, "packages/runtime/contexts.json"), "utf8")).ports,
);

/** source → output, both relative to the repository root. dist/ keeps src/'s depth, so paths relative to the file still hold. */
export const ENTRIES = [
  ...SUBGRAPHS.map((name) => [`subgraphs/${name}/src/main.ts`, `subgraphs/${name}/dist/main.js`]),
  ["gateway/src/main.ts", "gateway/dist/main.js"],
  ["packages/devstack/src/up.ts", "packages/devstack/dist/up.js"],
  ["subgraphs/identity/src/keys.cli.ts", "subgraphs/identity/dist/keys.cli.js"],
  ["subgraphs/identity/src/admin.cli.ts", "subgraphs/identity/dist/admin.cli.js"],
  ["subgraphs/dashboard/src/rebuild-dashboard.cli.ts", "subgraphs/dashboard/dist/rebuild-dashboard.cli.js"],
];

/** Bare imports of third-party packages stay external, pointing at the file the source would load. */
const externalPackages = (outDir) => ({
  name: "external-packages",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData?.resolving || args.path.startsWith("@junggo/")) return undefined;
      if (isBuiltin(args.path)) return { path: args.path, external: true };
      const r = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: { resolving: true },
      });
      if (r.errors.length) return { errors: r.errors };
      let rel = relative(outDir, r.path).split(sep).join("/");
      if (!rel.startsWith(".")) rel = `./${rel}`;
      // No package of ours is imported for its side effects alone: an import whose bindings the
      // bundle does not use is dropped, so e.g. the supervisor does not load Apollo or PGlite.
      return { path: rel, external: true, sideEffects: false };
    });
  },
});

export async function buildAll({ quiet = false } = {}) {
  const started = Date.now();
  await Promise.all(
    ENTRIES.map(([src, out]) =>
      build({
        entryPoints: [join(root, src)],
        outfile: join(root, out),
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node20",
        sourcemap: true,
        logLevel: "warning",
        // Bundled CommonJS helpers (if any) need require in an ES module.
        banner: {
          js: "import { createRequire as __junggoRequire } from 'node:module'; const require = __junggoRequire(import.meta.url);",
        },
        plugins: [externalPackages(dirname(join(root, out)))],
      }),
    ),
  );
  if (!quiet) console.log(`built ${ENTRIES.length} entry points in ${Date.now() - started} ms`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildAll();
}
