#!/usr/bin/env node
// Entry of `npm run up` and `npm test` on a fresh machine: plain Node, no dependencies.
// Installs what is missing (pnpm, workspace packages, nats-server via apt-get when root),
// generates the Prisma clients, then runs the requested command.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const [command = "prepare", ...rest] = process.argv.slice(2);
const say = (msg) => console.log(`\x1b[36m[junggo]\x1b[0m ${msg}`);
const has = (bin) => spawnSync("sh", ["-c", `command -v ${bin}`], { stdio: "ignore" }).status === 0;
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Node ${process.versions.node} is too old: Junggo needs Node 20.19 or newer.`);
  process.exit(1);
}

if (!has("pnpm")) {
  say("installing pnpm 10 (npm i -g pnpm@10)");
  run("npm", ["i", "-g", "pnpm@10"]);
}

/** Installs a Debian package as root, or stops with what to install (and what to set instead). */
const requirePackage = (pkg, why, otherwise) => {
  if (!isRoot) {
    console.error(
      `${why}. Install it (Debian: sudo apt-get install -y ${pkg})${otherwise ? ` or ${otherwise}` : ""}.`,
    );
    process.exit(1);
  }
  say(`installing ${pkg} (apt-get): ${why}`);
  run("apt-get", ["update", "-qq"]);
  run("apt-get", ["install", "-y", "-qq", pkg], {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
};

const natsCandidates = ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"];
if (!process.env.NATS_SERVER_BIN && !has("nats-server") && !natsCandidates.some(existsSync)) {
  requirePackage("nats-server", "nats-server is missing", "set NATS_SERVER_BIN");
}

// The browser tests (web/test/browser.int.test.ts) drive Debian's chromium through playwright-core,
// which cannot download a browser of its own here.
const chromiumBin = process.env.CHROMIUM_BIN || "/usr/bin/chromium";
if (command === "test" && !existsSync(chromiumBin)) {
  requirePackage("chromium", `${chromiumBin} is missing: the browser tests need it`, "set CHROMIUM_BIN");
}

// The integration tests and `npm run up` run the contexts' databases on a local PostgreSQL server.
const hasPostgresServer = () => {
  if (process.env.PGBIN) return existsSync(join(process.env.PGBIN, "initdb"));
  return spawnSync("sh", ["-c", "ls /usr/lib/postgresql/*/bin/initdb"], { stdio: "ignore" }).status === 0;
};
if (command === "test" && !process.env.JUNGGO_TEST_POSTGRES_URL && !hasPostgresServer()) {
  requirePackage(
    "postgresql",
    "PostgreSQL server binaries are missing: the integration tests run on a local PostgreSQL server",
    "set PGBIN or JUNGGO_TEST_POSTGRES_URL",
  );
}
// `npm run up` runs every context on one local PostgreSQL server unless told otherwise.
const upOwnDatabase =
  !rest.includes("--pglite") &&
  !rest.some((a) => a.startsWith("--postgres")) &&
  !process.env.JUNGGO_POSTGRES_URL &&
  !rest.includes("--help");
const benchOwnDatabase = !rest.includes("--pglite") && !rest.includes("--help");
if (
  ((command === "up" && upOwnDatabase) || (command === "bench" && benchOwnDatabase)) &&
  !hasPostgresServer()
) {
  requirePackage(
    "postgresql",
    `PostgreSQL server binaries are missing: npm run ${command} runs its databases on a local PostgreSQL server`,
    `run npm run ${command} -- --pglite, or set PGBIN`,
  );
}

// pnpm keeps a copy of the lockfile it installed: identical means nothing to install.
const installedLock = join(root, "node_modules/.pnpm/lock.yaml");
if (
  !existsSync(installedLock) ||
  readFileSync(installedLock, "utf8") !== readFileSync(join(root, "pnpm-lock.yaml"), "utf8")
) {
  say("installing workspace packages (pnpm install)");
  run("pnpm", ["install", "--frozen-lockfile", "--prefer-offline", "--reporter=silent"]);
}
say("generating Prisma clients");
// Prisma is chatty on stderr even when all is well: show its output only when it fails.
const gen = spawnSync(process.execPath, [join(root, "prisma/generate.mjs")], { cwd: root, encoding: "utf8" });
if (gen.status !== 0) {
  process.stderr.write(gen.stdout + gen.stderr);
  process.exit(gen.status ?? 1);
}

const tsx = ["--import", "tsx"];
// Services run as compiled JavaScript (dist/ next to each src/), never through a TypeScript loader.
const buildServices = () => {
  say("compiling the services (packages/devstack/build.mjs)");
  run(process.execPath, [join(root, "packages/devstack/build.mjs")]);
};
// The web client (web/dist), served by the gateway at /. Vite's output is shown only when it fails.
const newestMtime = (path) => {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((n) => newestMtime(join(path, n))));
};
const buildWeb = () => {
  const built = join(root, "web/dist/index.html");
  const inputs = [
    "web/src",
    "web/public",
    "web/index.html",
    "web/vite.config.ts",
    "web/package.json",
    "pnpm-lock.yaml",
  ].map((p) => newestMtime(join(root, p)));
  if (existsSync(built) && statSync(built).mtimeMs > Math.max(...inputs)) return;
  say("building the web client (web/dist)");
  const b = spawnSync("pnpm", ["--filter", "@junggo/web", "build"], { cwd: root, encoding: "utf8" });
  if (b.status !== 0) {
    process.stderr.write(b.stdout + b.stderr);
    process.exit(b.status ?? 1);
  }
};
switch (command) {
  case "prepare":
    break;
  case "up":
    buildWeb();
    buildServices();
    {
      // In this process, not a child: one Node process (~45 MB) fewer for the whole run.
      const up = join(root, "packages/devstack/dist/up.js");
      process.setSourceMapsEnabled(true);
      process.argv = [process.argv[0], up, ...rest];
      await import(pathToFileURL(up).href);
    }
    break;
  case "test":
    say("formatting and lint (biome)");
    run("pnpm", ["exec", "biome", "check", "--error-on-warnings", "."]);
    say("type-checking");
    run("pnpm", ["exec", "tsc", "-p", "tsconfig.json", "--noEmit"]);
    run("pnpm", ["exec", "tsc", "-p", "web/tsconfig.json", "--noEmit"]);
    say("checking the composed supergraph");
    run(process.execPath, [...tsx, join(root, "schema/compose.ts"), "--check"]);
    say("checking generated GraphQL types");
    run(process.execPath, [...tsx, join(root, "schema/codegen.ts"), "--check"]);
    buildWeb();
    buildServices();
    say("running all test suites (vitest)");
    run("pnpm", ["exec", "vitest", "run", ...rest]);
    break;
  case "bench": {
    // `npm run bench`: the benchmark starts its own stack from the working tree (bench/run.ts);
    // `bench compare` (bench:compare) and `bench pg-socket` (bench:pg-socket) are its companions.
    const tool = { compare: "bench/compare.ts", "pg-socket": "bench/pg-socket.ts" }[rest[0]];
    if (tool) run(process.execPath, [...tsx, join(root, tool), ...rest.slice(1)]);
    else run(process.execPath, [...tsx, join(root, "bench/run.ts"), ...rest]);
    break;
  }
  default:
    console.error(`unknown command ${command}`);
    process.exit(2);
}
