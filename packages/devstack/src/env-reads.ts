// Finds the environment reads of production source files, so that a test can hold every one of
// them to a declared setting (config-docs.ts) and none bypasses the schemas.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export interface EnvRead {
  file: string;
  line: number;
  /** The variable, or null for a read whose name is computed (`process.env[name]`). */
  name: string | null;
  /** A whole `process.env` handed on (allowed in entry points only: main.ts, *.cli.ts). */
  whole: boolean;
}

const NAMED = [
  /process\.env\.([A-Za-z_][A-Za-z0-9_]*)/g,
  /process\.env\[\s*["'`]([A-Za-z_][A-Za-z0-9_]*)["'`]\s*\]/g,
  // The former helpers, so that a revival of them is caught too.
  /\b(?:env|intEnv|boolEnv|numEnv)\(\s*["'`]([A-Za-z_][A-Za-z0-9_]*)["'`]/g,
];

/** The environment reads of one source text. */
export function envReads(file: string, source: string): EnvRead[] {
  const reads: EnvRead[] = [];
  const lineOf = (index: number) => source.slice(0, index).split("\n").length;
  for (const re of NAMED)
    for (const m of source.matchAll(re))
      reads.push({ file, line: lineOf(m.index), name: m[1]!, whole: false });
  for (const m of source.matchAll(/process\.env\[(?!\s*["'`][A-Za-z_][A-Za-z0-9_]*["'`]\s*\])/g))
    reads.push({ file, line: lineOf(m.index), name: null, whole: false });
  for (const m of source.matchAll(/process\.env(?![.[\w])/g))
    reads.push({ file, line: lineOf(m.index), name: null, whole: true });
  return reads;
}

/** Production sources: the gateway's, the runtime's and every subgraph's `src/` (generated code aside). */
export function productionSources(): string[] {
  const dirs = [
    "gateway/src",
    "packages/runtime/src",
    ...readdirSync(join(root, "subgraphs")).map((n) => `subgraphs/${n}/src`),
  ];
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== "generated" && name !== "node_modules") walk(path);
      } else if (/\.tsx?$/.test(name)) files.push(relative(root, path).split(sep).join("/"));
    }
  };
  for (const d of dirs) walk(join(root, d));
  return files.sort();
}

/** Test support shipped in src/ (never loaded by a service): its reads are the tests' settings. */
export const TEST_SUPPORT = new Set(["packages/runtime/src/testing.ts"]);

export const isEntryPoint = (file: string) => /(^|\/)main\.ts$|\.cli\.ts$/.test(file);

export function productionEnvReads(): EnvRead[] {
  return productionSources()
    .filter((f) => !TEST_SUPPORT.has(f))
    .flatMap((f) => envReads(f, readFileSync(join(root, f), "utf8")));
}
