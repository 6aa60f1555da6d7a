// A small kustomize, for the tests only (no kustomize binary here, none on npm or Debian that works
// offline). It supports exactly what deploy/k8s uses and refuses anything else, so a manifest
// cannot quietly rely on a feature it renders wrongly: resources (files and directories),
// namespace, labels (metadata only), images, configMapGenerator / secretGenerator (literals,
// files, type, behavior create/merge, name hash suffix with the references to it rewritten) and
// patches (inline or file; JSON 6902 add/replace/remove, or strategic merge by `name`; target by
// kind, name and label selector). Real kustomize computes a different hash suffix: only the names
// differ, never what refers to them.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments, parse as parseYaml } from "yaml";

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
};

/** A generated ConfigMap/Secret before its name gets the hash suffix. */
interface Generated {
  obj: K8sObject;
  hash: boolean;
}

interface Built {
  resources: K8sObject[];
  generated: Generated[];
}

const KNOWN_FIELDS = new Set([
  "apiVersion",
  "kind",
  "namespace",
  "labels",
  "resources",
  "images",
  "configMapGenerator",
  "secretGenerator",
  "generatorOptions",
  "patches",
]);

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === "object" && v !== null && !Array.isArray(v);

function readObjects(file: string): K8sObject[] {
  return parseAllDocuments(readFileSync(file, "utf8"))
    .map((d) => {
      if (d.errors.length) throw new Error(`${file}: ${d.errors[0]!.message}`);
      return d.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

function generatorData(dir: string, g: Dict): Record<string, string> {
  const data: Record<string, string> = {};
  for (const lit of (g.literals as string[] | undefined) ?? []) {
    const i = lit.indexOf("=");
    if (i < 1) throw new Error(`literal "${lit}" is not KEY=VALUE`);
    data[lit.slice(0, i)] = lit.slice(i + 1);
  }
  for (const f of (g.files as string[] | undefined) ?? []) {
    const i = f.indexOf("=");
    const [key, path] = i > 0 ? [f.slice(0, i), f.slice(i + 1)] : [f.split("/").pop()!, f];
    data[key] = readFileSync(join(dir, path), "utf8");
  }
  for (const k of Object.keys(g))
    if (!["name", "literals", "files", "type", "behavior", "options"].includes(k))
      throw new Error(`generator field ${k} is not supported`);
  return data;
}

function generate(dir: string, k: Dict, kind: "ConfigMap" | "Secret", into: Generated[]): void {
  const list =
    (k[kind === "ConfigMap" ? "configMapGenerator" : "secretGenerator"] as Dict[] | undefined) ?? [];
  const globalNoHash = (k.generatorOptions as Dict | undefined)?.disableNameSuffixHash === true;
  for (const g of list) {
    const name = g.name as string;
    const data = generatorData(dir, g);
    const noHash = globalNoHash || (g.options as Dict | undefined)?.disableNameSuffixHash === true;
    const behavior = (g.behavior as string | undefined) ?? "create";
    const existing = into.find((x) => x.obj.kind === kind && x.obj.metadata.name === name);
    const encode = (d: Record<string, string>) =>
      kind === "Secret"
        ? Object.fromEntries(Object.entries(d).map(([key, v]) => [key, Buffer.from(v).toString("base64")]))
        : d;
    if (behavior === "merge") {
      if (!existing) throw new Error(`${kind} ${name}: behavior merge, but no base generator has it`);
      const field = kind === "Secret" ? "data" : "data";
      existing.obj[field] = { ...(existing.obj[field] as Dict), ...encode(data) };
      continue;
    }
    if (behavior !== "create") throw new Error(`generator behavior ${behavior} is not supported`);
    if (existing) throw new Error(`${kind} ${name} is generated twice`);
    const obj: K8sObject = { apiVersion: "v1", kind, metadata: { name }, data: encode(data) };
    if (kind === "Secret") obj.type = (g.type as string | undefined) ?? "Opaque";
    into.push({ obj, hash: !noHash });
  }
}

function matchesSelector(obj: K8sObject, selector: string): boolean {
  return selector.split(",").every((term) => {
    const [key, value] = term.split("=");
    return obj.metadata.labels?.[key!.trim()] === value?.trim();
  });
}

function targets(all: K8sObject[], target: Dict | undefined, patch: unknown): K8sObject[] {
  if (!target) {
    if (!isDict(patch)) throw new Error("a JSON 6902 patch needs a target");
    const meta = patch.metadata as Dict;
    const found = all.filter((o) => o.kind === patch.kind && o.metadata.name === meta.name);
    if (!found.length) throw new Error(`patch target ${String(patch.kind)}/${String(meta.name)} not found`);
    return found;
  }
  for (const k of Object.keys(target))
    if (!["kind", "name", "labelSelector"].includes(k))
      throw new Error(`patch target field ${k} is not supported`);
  const found = all.filter(
    (o) =>
      (!target.kind || o.kind === target.kind) &&
      (!target.name || o.metadata.name === target.name) &&
      (!target.labelSelector || matchesSelector(o, target.labelSelector as string)),
  );
  if (!found.length) throw new Error(`patch target ${JSON.stringify(target)} matches nothing`);
  return found;
}

/** Strategic merge for the shapes used here: maps merge, lists of named items merge by name, other lists are replaced, null deletes. */
export function strategicMerge(base: unknown, patch: unknown): unknown {
  if (isDict(base) && isDict(patch)) {
    const out: Dict = { ...base };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k];
      else out[k] = k in base ? strategicMerge(base[k], v) : v;
    }
    return out;
  }
  if (Array.isArray(base) && Array.isArray(patch)) {
    const named = (l: unknown[]) => l.every((x) => isDict(x) && typeof x.name === "string");
    if (!named(base) || !named(patch)) return patch;
    const out = [...(base as Dict[])];
    for (const p of patch as Dict[]) {
      const i = out.findIndex((x) => x.name === p.name);
      if (p.$patch === "delete") {
        if (i >= 0) out.splice(i, 1);
      } else if (i >= 0) out[i] = strategicMerge(out[i], p) as Dict;
      else out.push(p);
    }
    return out;
  }
  return patch;
}

function pointer(path: string): string[] {
  if (!path.startsWith("/")) throw new Error(`JSON pointer ${path} must start with /`);
  return path
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

export function jsonPatch(obj: K8sObject, ops: Dict[]): void {
  for (const op of ops) {
    const parts = pointer(op.path as string);
    const last = parts.pop()!;
    let parent: unknown = obj;
    for (const p of parts) {
      parent = Array.isArray(parent) ? parent[Number(p)] : (parent as Dict)?.[p];
      if (parent === undefined) throw new Error(`${obj.kind}/${obj.metadata.name}: no ${op.path as string}`);
    }
    const value = structuredClone(op.value);
    if (Array.isArray(parent)) {
      const i = last === "-" ? parent.length : Number(last);
      if (op.op === "add") parent.splice(i, 0, value);
      else if (op.op === "replace" && i < parent.length) parent[i] = value;
      else if (op.op === "remove" && i < parent.length) parent.splice(i, 1);
      else
        throw new Error(`${obj.kind}/${obj.metadata.name}: cannot ${op.op as string} ${op.path as string}`);
    } else if (isDict(parent)) {
      if (op.op === "add") parent[last] = value;
      else if ((op.op === "replace" || op.op === "remove") && last in parent) {
        if (op.op === "replace") parent[last] = value;
        else delete parent[last];
      } else
        throw new Error(`${obj.kind}/${obj.metadata.name}: cannot ${op.op as string} ${op.path as string}`);
    } else throw new Error(`${obj.kind}/${obj.metadata.name}: ${op.path as string} is not in the object`);
  }
}

function podSpecs(o: K8sObject): Dict[] {
  const spec = o.spec as Dict | undefined;
  const template = spec?.template as Dict | undefined;
  const jobTemplate = (spec?.jobTemplate as Dict | undefined)?.spec as Dict | undefined;
  return [template?.spec, (jobTemplate?.template as Dict | undefined)?.spec].filter(isDict);
}

export function containersOf(o: K8sObject): Dict[] {
  return podSpecs(o).flatMap((s) => [
    ...((s.initContainers as Dict[] | undefined) ?? []),
    ...((s.containers as Dict[] | undefined) ?? []),
  ]);
}

/** Every place a pod names a ConfigMap or Secret: [kind, holder, field]. */
function references(o: K8sObject): [string, Dict, string][] {
  const refs: [string, Dict, string][] = [];
  for (const spec of podSpecs(o)) {
    for (const v of (spec.volumes as Dict[] | undefined) ?? []) {
      if (isDict(v.configMap)) refs.push(["ConfigMap", v.configMap, "name"]);
      if (isDict(v.secret)) refs.push(["Secret", v.secret, "secretName"]);
    }
  }
  for (const c of containersOf(o)) {
    for (const e of (c.envFrom as Dict[] | undefined) ?? []) {
      if (isDict(e.configMapRef)) refs.push(["ConfigMap", e.configMapRef, "name"]);
      if (isDict(e.secretRef)) refs.push(["Secret", e.secretRef, "name"]);
    }
    for (const e of (c.env as Dict[] | undefined) ?? []) {
      const from = e.valueFrom as Dict | undefined;
      if (isDict(from?.configMapKeyRef)) refs.push(["ConfigMap", from.configMapKeyRef, "name"]);
      if (isDict(from?.secretKeyRef)) refs.push(["Secret", from.secretKeyRef, "name"]);
    }
  }
  return refs;
}

/** The ConfigMap/Secret names a rendered object refers to, by kind. */
export function referencedNames(o: K8sObject): { kind: string; name: string }[] {
  return references(o).map(([kind, holder, field]) => ({ kind, name: holder[field] as string }));
}

function build(dir: string): Built {
  const file = join(dir, "kustomization.yaml");
  if (!existsSync(file)) throw new Error(`${dir} has no kustomization.yaml`);
  const k = parseYaml(readFileSync(file, "utf8")) as Dict;
  for (const key of Object.keys(k))
    if (!KNOWN_FIELDS.has(key)) throw new Error(`${file}: field ${key} is not supported by this renderer`);
  const out: Built = { resources: [], generated: [] };
  for (const r of (k.resources as string[] | undefined) ?? []) {
    const path = join(dir, r);
    if (statSync(path).isDirectory()) {
      const sub = build(path);
      out.resources.push(...sub.resources);
      out.generated.push(...sub.generated);
    } else out.resources.push(...readObjects(path));
  }
  generate(dir, k, "ConfigMap", out.generated);
  generate(dir, k, "Secret", out.generated);
  const all = () => [...out.resources, ...out.generated.map((g) => g.obj)];

  for (const p of (k.patches as Dict[] | undefined) ?? []) {
    const text = p.patch !== undefined ? String(p.patch) : readFileSync(join(dir, p.path as string), "utf8");
    const patch = parseYaml(text) as unknown;
    for (const o of targets(all(), p.target as Dict | undefined, patch)) {
      if (Array.isArray(patch)) jsonPatch(o, patch as Dict[]);
      else {
        const { metadata: _m, kind: _k, apiVersion: _a, ...body } = patch as Dict;
        Object.assign(o, strategicMerge(o, body));
      }
    }
  }
  for (const img of (k.images as Dict[] | undefined) ?? []) {
    for (const o of all())
      for (const c of containersOf(o)) {
        const image = c.image as string;
        const bare = image.replace(/[:@].*$/, "");
        if (bare !== img.name) continue;
        c.image = `${(img.newName as string | undefined) ?? bare}${img.newTag ? `:${img.newTag as string}` : ""}`;
      }
  }
  for (const l of (k.labels as Dict[] | undefined) ?? []) {
    if (l.includeSelectors || l.includeTemplates)
      throw new Error("labels: only metadata labels are supported");
    for (const o of all())
      o.metadata.labels = { ...o.metadata.labels, ...(l.pairs as Record<string, string>) };
  }
  if (k.namespace) for (const o of all()) o.metadata.namespace = k.namespace as string;
  return out;
}

/** Renders the kustomization in `dir` like `kubectl kustomize dir`. */
export function kustomize(dir: string): K8sObject[] {
  const { resources, generated } = build(dir);
  const renamed = new Map<string, string>();
  for (const g of generated) {
    if (!g.hash) continue;
    const content = JSON.stringify({ kind: g.obj.kind, type: g.obj.type, data: g.obj.data });
    const suffix = createHash("sha256").update(content).digest("hex").slice(0, 10);
    const name = `${g.obj.metadata.name}-${suffix}`;
    renamed.set(`${g.obj.kind}/${g.obj.metadata.name}`, name);
    g.obj.metadata.name = name;
  }
  for (const o of resources)
    for (const [kind, holder, field] of references(o)) {
      const to = renamed.get(`${kind}/${holder[field] as string}`);
      if (to) holder[field] = to;
    }
  return [...resources, ...generated.map((g) => g.obj)];
}
