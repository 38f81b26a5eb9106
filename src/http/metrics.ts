import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Prometheus metrics for one app instance (served at /metrics). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    webhookEvents: new Counter({
      name: "handoff_webhook_events_total",
      help: "Webhook events received, by CRM and outcome (stored, duplicate, ignored)",
      labelNames: ["crm", "outcome"] as const,
      registers: [registry],
    }),
    webhookRejected: new Counter({
      name: "handoff_webhook_rejected_total",
      help: "Webhook requests refused, by CRM and error code",
      labelNames: ["crm", "code"] as const,
      registers: [registry],
    }),
    ackSeconds: new Histogram({
      name: "handoff_webhook_ack_seconds",
      help: "Time from request to acknowledgement",
      labelNames: ["crm"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
