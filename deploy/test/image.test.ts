import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "@junggo/devstack";
import { ENTRIES } from "../../packages/devstack/build.mjs";
import { loadCompose, requiredVariables, type ComposeFile } from "./support/compose-stack.ts";

// The image build checked without Docker (none runs on the build machines): what the Dockerfile
// copies and runs exists, the build context holds every source and no secret, and every command
// compose or the docs run in a container is a file the build produces. The image's run time is
// checked by production.int.test.ts.
const dockerfile = readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8").replace(/\\\n/g, " ");
const dockerignore = readFileSync(join(REPO_ROOT, ".dockerignore"), "utf8");
const composeText = readFileSync(join(REPO_ROOT, "docker-compose.yml"), "utf8");
const compose: ComposeFile = loadCompose(
  Object.fromEntries(requiredVariables(composeText).map((v) => [v, "x"])),
);
const deploymentDoc = readFileSync(join(REPO_ROOT, "docs/deployment.md"), "utf8");
const BUILT = ENTRIES.map(([, out]) => out);
const tracked = execFileSync("git", ["ls-files"], { cwd: REPO_ROOT, encoding: "utf8" }).trim().split("\n");

/** Docker's .dockerignore rules: Go path patterns plus `**`, `!` exceptions, last match wins, a directory's match covers its files. */
function dockerIgnored(path: string, rules = dockerignore): boolean {
  let ignored = false;
  for (const raw of rules.split("\n").map((l) => l.trim())) {
    if (!raw || raw.startsWith("#")) continue;
    const negate = raw.startsWith("!");
    const pattern = (negate ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, "");
    const re = new RegExp(
      `^${pattern
        .split("**")
        .map((part) =>
          part
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, "[^/]*")
            .replace(/\?/g, "[^/]"),
        )
        .join(".*")}$`,
    );
    const parts = path.split("/");
    if (parts.some((_, i) => re.test(parts.slice(0, i + 1).join("/")))) ignored = !negate;
  }
  return ignored;
}

const gitIgnored = (path: string) =>
  spawnSync("git", ["check-ignore", "--no-index", "-q", path], { cwd: REPO_ROOT }).status === 0;

const runSteps = [...dockerfile.matchAll(/^RUN\s+(.+)$/gm)].flatMap((m) => m[1]!.split(/\s*&&\s*/));

describe(".dockerignore", () => {
  it("follows Docker's matching rules", () => {
    expect(dockerIgnored("gateway/node_modules/x/index.js", "**/node_modules")).toBe(true);
    expect(dockerIgnored("secrets/jwt/jwt-keys.json", "secrets")).toBe(true);
    expect(dockerIgnored("subgraphs/stock/dist/main.js", "subgraphs/*/dist")).toBe(true);
    expect(dockerIgnored("subgraphs/stock/src/main.ts", "subgraphs/*/dist")).toBe(false);
    expect(dockerIgnored("a/keep.txt", "a\n!a/keep.txt")).toBe(false);
  });
});

describe("secrets", () => {
  it("never reach the repository or the image: what compose mounts and the docs name is ignored by git and Docker", () => {
    const paths = new Set<string>([".env", ".data/jwt-keys.json"]);
    for (const svc of Object.values(compose.services)) {
      for (const v of svc.volumes ?? []) {
        const source = typeof v === "string" ? v.split(":")[0]! : v.type === "bind" ? v.source : undefined;
        if (!source?.startsWith(".")) continue;
        const rel = source.replace(/^\.\//, "");
        // Mounted files of the repository (deploy/nats.conf...) are not secrets; everything else is the operator's.
        if (!tracked.some((t) => t === rel || t.startsWith(`${rel}/`))) paths.add(rel);
      }
      for (const f of [svc.env_file ?? []].flat()) paths.add(f.replace(/^\.\//, ""));
    }
    for (const s of Object.values(compose.secrets ?? {})) if (s.file) paths.add(s.file.replace(/^\.\//, ""));
    for (const m of deploymentDoc.matchAll(/`(?:\.\/)?((?:secrets\/|\.env\b)[^`\s]*)`/g)) paths.add(m[1]!);
    expect([...paths].some((p) => p.startsWith("secrets/"))).toBe(true);
    for (const p of paths) {
      expect(gitIgnored(p), `${p} in .gitignore`).toBe(true);
      expect(dockerIgnored(p), `${p} in .dockerignore`).toBe(true);
      expect(
        tracked.filter((t) => t === p || t.startsWith(`${p}/`)),
        p,
      ).toEqual([]);
    }
  });
});

describe("Dockerfile", () => {
  it("copies sources that exist into a build context that holds every tracked source file", () => {
    const copies = [...dockerfile.matchAll(/^COPY\s+(?!--from)(.+)$/gm)].map((m) =>
      m[1]!.trim().split(/\s+/),
    );
    expect(copies.length).toBeGreaterThan(0);
    for (const args of copies) {
      for (const src of args.slice(0, -1).filter((a) => !a.startsWith("--"))) {
        expect(existsSync(join(REPO_ROOT, src)), src).toBe(true);
        if (src !== ".") expect(dockerIgnored(src), src).toBe(false);
      }
    }
    // Documentation aside, the image needs everything the repository holds (sources, schemas,
    // migrations, the lockfile); .dockerignore may only drop what is generated or local.
    const dropped = tracked.filter((t) => !t.startsWith("docs/") && !t.endsWith(".md") && dockerIgnored(t));
    expect(dropped).toEqual([]);
  });

  it("runs build steps whose files and scripts exist", () => {
    expect(runSteps.length).toBeGreaterThan(0);
    for (const step of runSteps) {
      const node = /^node\s+(\S+)/.exec(step);
      if (node) {
        expect(existsSync(join(REPO_ROOT, node[1]!)), step).toBe(true);
        expect(dockerIgnored(node[1]!), step).toBe(false);
      }
      const filter = /^pnpm\s+--filter\s+(\S+)\s+(\S+)/.exec(step);
      if (filter) {
        const manifests = tracked.filter((t) => t.endsWith("package.json"));
        const pkg = manifests
          .map((m) => JSON.parse(readFileSync(join(REPO_ROOT, m), "utf8")))
          .find((p) => p.name === filter[1]);
        expect(pkg?.scripts?.[filter[2]!], step).toBeDefined();
      }
      if (/^pnpm install\b.*--frozen-lockfile/.test(step))
        expect(dockerIgnored("pnpm-lock.yaml")).toBe(false);
    }
    // The JavaScript services run is compiled once, at build time.
    expect(runSteps).toContain("node packages/devstack/build.mjs");
  });

  it("builds every entry compose starts and the docs run in a container", () => {
    const commands = Object.values(compose.services)
      .filter((s) => s.build !== undefined)
      .map((s) => (Array.isArray(s.command) ? s.command : String(s.command).split(/\s+/)));
    for (const c of commands) {
      expect(c[0]).toBe("node");
      expect(BUILT).toContain(c.slice(1).find((a) => !a.startsWith("-")));
    }
    const documented = [
      ...deploymentDoc.matchAll(
        /\bnode\s+(?:--\S+\s+)*((?:subgraphs|gateway|packages)\/\S+\/dist\/\S+\.js)/g,
      ),
    ].map((m) => m[1]!);
    expect(documented).toContain("subgraphs/identity/dist/admin.cli.js");
    for (const d of documented) expect(BUILT, d).toContain(d);
  });

  it("runs as the unprivileged node user (uid 1000) the docs give the secrets to", () => {
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(deploymentDoc).toMatch(/uid 1000/);
    expect(dockerfile).toMatch(/^ENV .*NODE_ENV=production/m);
  });
});
