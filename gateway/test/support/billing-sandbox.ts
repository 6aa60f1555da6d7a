// Fault injection into billing's sandbox payment provider of a running test stack
// (billing's PUT /internal/sandbox, open to a "test" service token outside production).
import { signServiceToken } from "@junggo/runtime";
import type { TestSystem } from "./harness.ts";
import { serviceUrl } from "./live.ts";

export interface SandboxBehaviour {
  latencyMs: number;
  declineRate: number;
  errorRate: number;
  declineAboveKrw: number | null;
}

/** The INTERNAL_SECRET billing runs with: the stack's override, this process's, or the development default. */
export function stackInternalSecret(sys: TestSystem): string {
  const o = sys.stack.opts;
  return (
    o.serviceEnv?.billing?.INTERNAL_SECRET ??
    o.env?.INTERNAL_SECRET ??
    process.env.INTERNAL_SECRET ??
    "dev-only-internal-secret-change-me"
  );
}

async function sandboxCall(
  sys: TestSystem,
  method: "GET" | "PUT",
  patch?: Partial<SandboxBehaviour>,
): Promise<SandboxBehaviour> {
  const res = await fetch(`${serviceUrl(sys, "billing")}/internal/sandbox`, {
    method,
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${await signServiceToken("test", stackInternalSecret(sys))}`,
    },
    body: patch ? JSON.stringify(patch) : undefined,
  });
  if (res.status !== 200)
    throw new Error(`billing sandbox ${method}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as SandboxBehaviour;
}

/** Changes the running sandbox (fields left out keep their value) and returns its new behaviour. */
export const setBillingSandbox = (sys: TestSystem, patch: Partial<SandboxBehaviour>) =>
  sandboxCall(sys, "PUT", patch);
export const billingSandbox = (sys: TestSystem) => sandboxCall(sys, "GET");
