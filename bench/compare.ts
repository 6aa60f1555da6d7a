// `npm run bench:compare -- <revision> [--rounds N] [benchmark options]`: the benchmark on a commit
// and on the working tree, alternated, with one table of both. On this VM the same code measures
// up to ±20% apart a few minutes later, so only runs made side by side compare.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "@junggo/devstack";
import { compareTable, parseReport, roundOrder, type Figures } from "./compare-report.ts";
import { defaultCars, parseOptions, UsageError } from "./options.ts";

export const COMPARE_USAGE = `npm run bench:compare -- <revision> [--rounds N] [benchmark options]

Runs \`npm run bench\` on <revision> (a commit, branch or tag; checked out in a temporary git
worktree and prepared there) and on this working tree, N rounds of one run each (default 2, at
most 10), alternating which goes first, and prints both sides' figures with the median change.
Benchmark options (npm run bench -- --help) apply to both; --cars defaults to the same number for
both. The revision must have \`npm run bench\`.`;

export interface CompareArgs {
  revision: string;
  rounds: number;
  benchArgs: string[];
}

export function parseCompareArgs(argv: string[]): CompareArgs | "help" {
  if (argv.includes("--help") || argv.includes("-h")) return "help";
  const [revision, ...others] = argv;
  if (!revision || revision.startsWith("-"))
    throw new UsageError("which revision to compare with? e.g. npm run bench:compare -- HEAD~1");
  let rounds = 2;
  const rest: string[] = [];
  for (let i = 0; i < others.length; i++) {
    const a = others[i]!;
    if (a === "--rounds") {
      const v = others[++i];
      const n = Number(v);
      if (v === undefined || !Number.isInteger(n) || n < 1 || n > 10)
        throw new UsageError(`--rounds needs a whole number from 1 to 10, got ${v ?? "nothing"}`);
      rounds = n;
    } else rest.push(a);
  }
  const opts = parseOptions(rest);
  if (opts === "help") return "help";
  // Both sides buy from the same number of cars, whatever each revision's default.
  const benchArgs = rest.includes("--cars") ? rest : [...rest, "--cars", String(defaultCars(opts.duration))];
  return { revision, rounds, benchArgs };
}

function git(args: string[], cwd = REPO_ROOT): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** One `npm run bench` in `cwd`: its progress goes to stderr as it comes, its output is returned. */
function runBenchIn(cwd: string, args: string[], label: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["packages/devstack/bootstrap.mjs", "bench", ...args], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const relay = (chunk: Buffer) => {
      out += chunk.toString();
      for (const line of chunk.toString().split("\n"))
        if (line.startsWith("[bench")) process.stderr.write(`[${label}] ${line}\n`);
    };
    child.stdout.on("data", relay);
    child.stderr.on("data", relay);
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`the benchmark of ${label} exited with ${code}:\n${out.slice(-2000)}`)),
    );
  });
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parseCompareArgs>;
  try {
    args = parseCompareArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`bench:compare: ${err.message}\n\n${COMPARE_USAGE}`);
    process.exit(2);
  }
  if (args === "help") {
    console.log(COMPARE_USAGE);
    return;
  }
  let sha: string;
  try {
    sha = git(["rev-parse", "--verify", "--quiet", `${args.revision}^{commit}`]);
  } catch {
    console.error(`bench:compare: ${args.revision} is not a commit of this repository`);
    process.exit(2);
  }
  const short = sha.slice(0, 7);
  const tree = join(tmpdir(), `junggo-compare-${sha.slice(0, 12)}`);
  const logs = join(tmpdir(), `junggo-compare-logs-${Date.now().toString(36)}`);
  mkdirSync(logs, { recursive: true });
  const removeTree = () => {
    try {
      git(["worktree", "remove", "--force", tree]);
    } catch {
      /* not there */
    }
  };
  process.once("SIGINT", () => {
    removeTree();
    process.exit(130);
  });
  removeTree();
  console.error(`[compare] checking out ${short} in ${tree} and preparing it`);
  git(["worktree", "add", "--detach", tree, sha]);
  try {
    execFileSync(process.execPath, ["packages/devstack/bootstrap.mjs", "prepare"], {
      cwd: tree,
      stdio: "inherit",
    });
    const runs: Record<"base" | "work", Figures[]> = { base: [], work: [] };
    for (let round = 0; round < args.rounds; round++) {
      for (const side of roundOrder(round)) {
        const label = side === "base" ? short : "working tree";
        console.error(`[compare] round ${round + 1}/${args.rounds}: ${label}`);
        const out = await runBenchIn(side === "base" ? tree : REPO_ROOT, args.benchArgs, label);
        writeFileSync(join(logs, `round${round + 1}-${side === "base" ? short : "work"}.txt`), out);
        runs[side].push(parseReport(out));
      }
    }
    const head = existsSync(join(REPO_ROOT, ".git")) ? git(["rev-parse", "--short", "HEAD"]) : "?";
    console.log(
      `\nnpm run bench:compare -- ${process.argv.slice(2).join(" ")}\nbase ${short}, working tree at ${head}` +
        `${git(["status", "--porcelain"]) ? " with uncommitted changes" : ""}; benchmark options: ${args.benchArgs.join(" ")}; ` +
        `each run's whole output in ${logs}\n\n${compareTable(short, runs.base, runs.work)}`,
    );
  } finally {
    removeTree();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
