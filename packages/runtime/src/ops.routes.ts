import type { Express } from "express";

/** Prometheus text exposition of a flat set of gauges/counters. */
export function prometheus(service: string, values: Record<string, number>): string {
  return `${Object.entries(values)
    .map(([k, v]) => `${k}{service="${service}"} ${v}`)
    .join("\n")}\n`;
}

/**
 * The operations routes of a process: /healthz (alive; the pid lets a supervisor tell its own child
 * from another process that holds the port), /readyz (503 unless `ready`), /metrics (Prometheus).
 */
export function opsRoutes(
  app: Express,
  o: {
    service: string;
    readiness: () => Promise<{ ready: boolean; body: Record<string, unknown> }>;
    metrics: () => Promise<Record<string, number>> | Record<string, number>;
  },
): void {
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok", service: o.service, pid: process.pid });
  });
  app.get("/readyz", async (_req, res) => {
    const { ready, body } = await o.readiness();
    res.status(ready ? 200 : 503).json(body);
  });
  app.get("/metrics", async (_req, res) => {
    res.type("text/plain; version=0.0.4").send(prometheus(o.service, await o.metrics()));
  });
}
