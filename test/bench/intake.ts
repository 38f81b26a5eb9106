import { Pool } from "pg";
import { hubSpotHeaders } from "../helpers/sign";
import { percentile, type BenchFigure } from "./figures";
import { startInstances } from "./scaling";

const SECRET = "bench-client-secret-0123456789";

/**
 * Intake throughput and acknowledgement latency: signed HubSpot batches of 100 events, 10 requests in
 * flight (HubSpot's default concurrency per account), against a real database. The app runs in its own
 * process (as in production) with workers off, so the figure is the webhook path alone: verify → parse →
 * INSERT … ON CONFLICT + enqueue → 200. Bodies are built and signed before the clock starts.
 */
export async function benchIntake(databaseUrl: string, totalEvents = 30_000): Promise<BenchFigure[]> {
  const { urls, children } = await startInstances(1, databaseUrl);
  const url = `${urls[0]}/webhooks/hubspot`;
  try {
    const pool = new Pool({ connectionString: databaseUrl, max: 1 });
    const portalId = 9_000_000 + Math.floor(Math.random() * 999_999);
    await pool.query(
      "INSERT INTO connections (id, crm, external_id, name) VALUES ($1, 'hubspot', $2, 'intake bench')",
      [`bench-${portalId}`, String(portalId)],
    );
    await pool.end();
    let eventId = 1;
    const requests = Array.from({ length: Math.ceil(totalEvents / 100) + 20 }, () => {
      const body = JSON.stringify(
        Array.from({ length: 100 }, () => ({
          eventId: eventId++,
          subscriptionId: 2001,
          portalId,
          appId: 424242,
          occurredAt: Date.now(),
          subscriptionType: "contact.propertyChange",
          attemptNumber: 0,
          objectId: 1000 + (eventId % 5000),
          propertyName: "recent_conversion_date",
          propertyValue: String(Date.now()),
          changeSource: "FORM",
          sourceId: "bench",
        })),
      );
      return { body, headers: hubSpotHeaders(SECRET, "https://bench.handoff.test/webhooks/hubspot", body) };
    });
    const latencies: number[] = [];
    let next = 0;
    const run = async (until: number) => {
      while (next < until) {
        const { body, headers } = requests[next++]!;
        const started = performance.now();
        const res = await fetch(url, { method: "POST", headers, body });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`intake answered ${res.status}`);
        latencies.push(performance.now() - started);
      }
    };
    // Warm up connections and query plans with 20 batches, then measure the rest.
    await Promise.all(Array.from({ length: 10 }, () => run(20)));
    latencies.length = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: 10 }, () => run(requests.length)));
    const seconds = (performance.now() - started) / 1000;
    const rate = ((requests.length - 20) * 100) / seconds;
    const p99 = percentile(latencies, 99);
    const raw = await rawInsertRate(
      databaseUrl,
      requests.slice(20).map((r) => r.body),
    );
    const ratio = rate / raw;
    return [
      {
        id: "intake.events_per_s",
        name: "intake throughput (batches of 100, 10 in flight, app in its own process)",
        value: Math.round(rate),
        unit: "events/s",
        target: ">= 5000",
        ok: rate >= 5000,
      },
      {
        id: "intake.p50_ms",
        name: "intake ack latency p50",
        value: round(percentile(latencies, 50)),
        unit: "ms",
        target: "-",
        ok: true,
      },
      {
        id: "intake.p99_ms",
        name: "intake ack latency p99",
        value: round(p99),
        unit: "ms",
        target: "≤ 50 (fsync on)",
        ok: p99 <= 50,
      },
      {
        id: "intake.raw_insert_events_per_s",
        name: "the same database, same run: raw 100-row INSERT … ON CONFLICT DO NOTHING of the same events, 10 clients",
        value: Math.round(raw),
        unit: "events/s",
        target: "-",
      },
      {
        id: "intake.ratio_to_raw",
        name: "intake throughput / raw batch-insert rate",
        value: Math.round(ratio * 1000) / 10,
        unit: "%",
        target: "≥ 25 %",
        ok: ratio >= 0.25,
      },
    ];
  } finally {
    // Wait for the instance to exit (and write its profile, with BENCH_CPU_PROF) before the database stops.
    await Promise.all(
      children.map((c) => new Promise((resolve) => (c.once("exit", resolve), c.kill("SIGTERM")))),
    );
  }
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * What the database alone does with the same events: 10 clients, each inserting a delivery's 100 events
 * (key columns + the JSON payload) in one `INSERT … ON CONFLICT DO NOTHING` per round trip, autocommit with
 * fsync on, into a table shaped like `events`. No HTTP, no signature, no validation, no job row.
 */
async function rawInsertRate(databaseUrl: string, bodies: string[]): Promise<number> {
  const pool = new Pool({ connectionString: databaseUrl, max: 10 });
  try {
    await pool.query(
      `CREATE TABLE IF NOT EXISTS raw_insert_bench (connection_id text, event_key text, kind text,
         object_type text, object_id text, occurred_at timestamptz, payload jsonb,
         received_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (connection_id, event_key))`,
    );
    const batches = bodies.map((body) => {
      const events = JSON.parse(body) as { eventId: number; objectId: number; occurredAt: number }[];
      return [
        events.map(() => "raw"),
        events.map((e) => `raw:${e.eventId}`),
        events.map(() => "form_submitted"),
        events.map(() => "contact"),
        events.map((e) => String(e.objectId)),
        events.map((e) => new Date(e.occurredAt).toISOString()),
        events.map((e) => JSON.stringify(e)),
      ];
    });
    let next = 0;
    const run = async () => {
      while (next < batches.length) {
        const values = batches[next++]!;
        await pool.query(
          `INSERT INTO raw_insert_bench (connection_id, event_key, kind, object_type, object_id, occurred_at, payload)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::jsonb[])
           ON CONFLICT DO NOTHING`,
          values,
        );
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: 10 }, run));
    return (batches.length * 100) / ((performance.now() - started) / 1000);
  } finally {
    await pool.end();
  }
}
