import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { composeServices } from "@apollo/composition";
import { LoneAnonymousOperationRule, parse, specifiedRules, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { SUBGRAPH_NAMES } from "@junggo/runtime";

// The README and docs/ are read by people who cannot ask: every relative link must lead to a file
// (and heading) that exists, and every GraphQL example must run against the composed schema.

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const markdownUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return markdownUnder(path);
    return name.endsWith(".md") ? [path] : [];
  });
const files = [join(root, "README.md"), ...markdownUnder(join(root, "docs"))];
const text = new Map(files.map((f) => [f, readFileSync(f, "utf8")]));
const fenced = /^```[^\n]*\n[\s\S]*?^```/gm;

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const [, heading] of markdown.replace(fenced, "").matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const base = heading!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    let slug = base;
    for (let n = 1; anchors.has(slug); n++) slug = `${base}-${n}`;
    anchors.add(slug);
  }
  return anchors;
}

/** Relative link targets outside code: `[text](target)` and `![alt](target)`. */
function linksOf(markdown: string): string[] {
  const prose = markdown.replace(fenced, "").replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map(([, target]) => target!)
    .filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

describe("documentation", () => {
  it("finds the README and the docs", () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it("has only relative links that lead to an existing file and heading", () => {
    const broken: string[] = [];
    for (const file of files) {
      for (const link of linksOf(text.get(file)!)) {
        const [path = "", anchor] = link.split("#");
        const target = path ? resolve(dirname(file), decodeURI(path)) : file;
        const where = `${relative(root, file)}: ${link}`;
        if (!existsSync(target)) {
          broken.push(`${where} (no such file)`);
          continue;
        }
        if (anchor && target.endsWith(".md")) {
          const markdown = text.get(target) ?? readFileSync(target, "utf8");
          if (!anchorsOf(markdown).has(anchor)) broken.push(`${where} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it("shows only GraphQL operations that are valid against the composed schema", () => {
    const composed = composeServices(
      SUBGRAPH_NAMES.map((name) => ({
        name,
        url: `http://${name}/graphql`,
        typeDefs: parse(readFileSync(join(root, "subgraphs", name, "schema.graphql"), "utf8")),
      })),
    );
    if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join("\n"));
    const api = composed.schema.toAPISchema().toGraphQLJSSchema();
    // Examples put several anonymous operations in one block; each is valid on its own.
    const rules = specifiedRules.filter((rule) => rule !== LoneAnonymousOperationRule);
    const invalid: string[] = [];
    let examples = 0;
    for (const file of files) {
      for (const [, source] of text.get(file)!.matchAll(/^```graphql\n([\s\S]*?)^```/gm)) {
        examples++;
        for (const error of validate(api, parse(source!), rules))
          invalid.push(`${relative(root, file)}: ${error.message}`);
      }
    }
    expect(invalid).toEqual([]);
    expect(examples).toBeGreaterThan(10);
  });
});
