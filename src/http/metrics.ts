import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

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

/** What the backlog gauges read at scrape time. */
export interface QueueHealthSource {
  backlog(): Promise<{ connectionId: string; waiting: number; parked: number }[]>;
  breakers(): Promise<{ connectionId: string; state: "closed" | "open" | "half_open" }[]>;
}

/**
 * Backlog, parked and CRM breaker state per connection, read when /metrics is scraped (one grouped query
 * on a partial index), so the figures are always the database's, across every process.
 */
export function registerQueueHealth(metrics: Metrics, source: QueueHealthSource): void {
  let last: Promise<Awaited<ReturnType<QueueHealthSource["backlog"]>>> | undefined;
  // One query per scrape, shared by both gauges.
  const backlog = () => (last ??= source.backlog().finally(() => setImmediate(() => (last = undefined))));
  new Gauge({
    name: "handoff_events_waiting",
    help: "Events stored and not yet handled (pending or running), per connection",
    labelNames: ["connection"] as const,
    registers: [metrics.registry],
    async collect() {
      this.reset();
      for (const row of await backlog()) this.set({ connection: row.connectionId }, row.waiting);
    },
  });
  new Gauge({
    name: "handoff_events_parked",
    help: "Events parked for an admin (see /admin/api/parked), per connection",
    labelNames: ["connection"] as const,
    registers: [metrics.registry],
    async collect() {
      this.reset();
      for (const row of await backlog()) this.set({ connection: row.connectionId }, row.parked);
    },
  });
  new Gauge({
    name: "handoff_crm_breaker_open",
    help: "1 while a connection's CRM calls are paused after repeated outages (state: open or half_open)",
    labelNames: ["connection", "state"] as const,
    registers: [metrics.registry],
    async collect() {
      this.reset();
      for (const b of await source.breakers()) this.set({ connection: b.connectionId, state: b.state }, 1);
    },
  });
}
