// Import cycles of the server packages and the web client: every static import and re-export
// (type-only ones included: they still tie two modules together) between our own source files,
// workspace packages (`@junggo/<name>`) resolved to their entry file. `tsx import-cycles.ts` prints
// the cycles and exits 1 when there is one; the unit test runs `importCycles()`.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** The source roots checked: the gateway, every package and subgraph, the web client. */
export function sourceRoots(): string[] {
  const under = (dir: string) =>
    readdirSync(join(root, dir))
      .map((n) => `${dir}/${n}/src`)
      .filter((d) => existsSync(join(root, d)));
  return ["gateway/src", ...under("packages"), ...under("subgraphs"), "web/src"];
}

/** `@junggo/<name>` → the file its package exports as ".". */
function workspaceEntries(): Map<string, string> {
  const entries = new Map<string, string>();
  for (const dir of ["packages", "subgraphs"])
    for (const n of readdirSync(join(root, dir))) {
      const pkgFile = join(root, dir, n, "package.json");
      if (!existsSync(pkgFile)) continue;
      const pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as {
        name?: string;
        exports?: Record<string, string>;
      };
      const main = pkg.exports?.["."];
      if (pkg.name && typeof main === "string") entries.set(pkg.name, join(root, dir, n, main));
    }
  return entries;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== "node_modules" && name !== "generated" && name !== "dist") out.push(...sourceFiles(path));
    } else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

function resolveImport(from: string, spec: string, entries: Map<string, string>): string | null {
  if (entries.has(spec)) return entries.get(spec)!;
  if (!spec.startsWith(".")) return null;
  const base = resolve(dirname(from), spec);
  for (const candidate of [
    base,
    `${base}.ts`,
    `${base}.tsx`,
    join(base, "index.ts"),
    join(base, "index.tsx"),
  ])
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  return null;
}

/** The import graph of `roots`: file → files it imports (repository-relative paths). */
export function importGraph(roots = sourceRoots()): Map<string, string[]> {
  const entries = workspaceEntries();
  const rel = (p: string) => relative(root, p).split(sep).join("/");
  const graph = new Map<string, string[]>();
  const files = roots.flatMap((r) => sourceFiles(join(root, r)));
  const inScope = new Set(files);
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, false);
    const targets = info.importedFiles
      .map((f) => resolveImport(file, f.fileName, entries))
      .filter((t): t is string => t !== null && inScope.has(t));
    graph.set(rel(file), [...new Set(targets.map(rel))]);
  }
  return graph;
}

/** Every cycle, as the files of one strongly connected component (Tarjan), sorted. */
export function importCycles(graph = importGraph()): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return cycles;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cycles = importCycles();
  for (const c of cycles) console.error(`import cycle: ${c.join(" ↔ ")}`);
  process.exit(cycles.length ? 1 : 0);
}
