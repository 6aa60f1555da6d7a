import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { kustomize, type K8sObject } from "./kustomize.ts";

// The renderer the manifest tests rely on: each feature deploy/k8s uses, as kustomize does it.
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "junggo-kustomize-"));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  labels: { tier: web }
spec:
  selector: { matchLabels: { app: app } }
  template:
    metadata: { labels: { app: app } }
    spec:
      containers:
        - name: app
          image: junggo
          envFrom: [{ configMapRef: { name: settings } }]
          env:
            - name: A
              valueFrom: { secretKeyRef: { name: creds, key: a } }
      volumes:
        - name: keys
          secret: { secretName: creds }
`;

const base = {
  "base/kustomization.yaml": `resources: [app.yaml]
labels:
  - pairs: { part-of: junggo }
configMapGenerator:
  - name: settings
    literals: [X=1, Y=2]
`,
  "base/app.yaml": deployment,
};

const find = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind);

describe("the test kustomize renderer", () => {
  it("generates with a content hash, rewrites the references, merges an overlay's literals, sets namespace, labels and images", () => {
    const root = tree({
      ...base,
      "overlay/kustomization.yaml": `namespace: ns
resources: [../base]
images:
  - { name: junggo, newName: reg/junggo, newTag: "1.2" }
configMapGenerator:
  - name: settings
    behavior: merge
    literals: [Y=3]
secretGenerator:
  - name: creds
    type: kubernetes.io/basic-auth
    literals: [a=secret]
    options: { disableNameSuffixHash: true }
`,
    });
    const baseOut = kustomize(join(root, "base"));
    const out = kustomize(join(root, "overlay"));
    const [cm] = find(out, "ConfigMap");
    expect(cm!.data).toEqual({ X: "1", Y: "3" });
    expect(cm!.metadata.name).toMatch(/^settings-[0-9a-f]{10}$/);
    // Other content, other name: a changed setting rolls the pods.
    expect(cm!.metadata.name).not.toBe(find(baseOut, "ConfigMap")[0]!.metadata.name);
    const [secret] = find(out, "Secret");
    expect(secret).toMatchObject({
      metadata: { name: "creds", namespace: "ns" },
      type: "kubernetes.io/basic-auth",
      data: { a: Buffer.from("secret").toString("base64") },
    });
    const [d] = find(out, "Deployment");
    type Spec = { containers: { image: string; envFrom: { configMapRef: { name: string } }[] }[] };
    const spec = (d!.spec as { template: { spec: Spec } }).template.spec;
    expect(spec.containers[0]!.envFrom[0]!.configMapRef.name).toBe(cm!.metadata.name);
    expect(spec.containers[0]!.image).toBe("reg/junggo:1.2");
    expect(d!.metadata).toMatchObject({ namespace: "ns", labels: { tier: "web", "part-of": "junggo" } });
  });

  it("applies JSON 6902 patches to every target of a label selector, and strategic merges by name", () => {
    const root = tree({
      ...base,
      "overlay/kustomization.yaml": `resources: [../base]
patches:
  - target: { kind: Deployment, labelSelector: tier=web }
    patch: |-
      - op: add
        path: /spec/template/spec/volumes/-
        value: { name: tmp, emptyDir: {} }
  - path: more.yaml
`,
      "overlay/more.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: { name: app }
spec:
  template:
    spec:
      containers:
        - name: app
          env: [{ name: B, value: b }]
`,
    });
    const [d] = find(kustomize(join(root, "overlay")), "Deployment");
    const spec = (d!.spec as { template: { spec: { volumes: { name: string }[]; containers: unknown[] } } })
      .template.spec;
    expect(spec.volumes.map((v) => v.name)).toEqual(["keys", "tmp"]);
    // Merged into the container named app (not a second container), env merged by name.
    expect(spec.containers).toHaveLength(1);
    expect(spec.containers[0]).toMatchObject({
      name: "app",
      image: "junggo",
      env: [{ name: "A" }, { name: "B", value: "b" }],
    });
  });

  it("refuses what it does not support, and a patch whose target or path is missing", () => {
    const unsupported = tree({
      ...base,
      "o/kustomization.yaml": "resources: [../base]\ncommonAnnotations: { a: b }\n",
    });
    expect(() => kustomize(join(unsupported, "o"))).toThrow(/commonAnnotations is not supported/);
    const noTarget = tree({
      ...base,
      "o/kustomization.yaml": `resources: [../base]
patches:
  - target: { kind: StatefulSet }
    patch: "- { op: replace, path: /spec/replicas, value: 1 }"
`,
    });
    expect(() => kustomize(join(noTarget, "o"))).toThrow(/matches nothing/);
    const noPath = tree({
      ...base,
      "o/kustomization.yaml": `resources: [../base]
patches:
  - target: { kind: Deployment }
    patch: "- { op: replace, path: /spec/replicas, value: 1 }"
`,
    });
    expect(() => kustomize(join(noPath, "o"))).toThrow(/cannot replace \/spec\/replicas/);
  });
});
