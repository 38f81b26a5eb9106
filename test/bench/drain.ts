/**
 * Drain: a burst of signed HubSpot deliveries (batches of 100, 10 in flight) where 99 % of the events need
 * no CRM call (company property changes) and 1 % are form submissions of qualifying contacts, into one
 * Handoff process (intake + workers, the real pipeline) against the sandbox with its real limits.
 * Measured: how long until every event that needs no CRM call is settled, and how fast the form
 * submissions mixed into the burst are handed over (owner + task in the CRM) while the rest drains.
 * Run alone: `npx tsx test/bench/drain.ts [events]` (needs BENCH_DATABASE_URL).
 */
import { DEMO } from "../../src/composition/seed-demo";
import { addQualifyingContact, formSubmittedEvent } from "../helpers/sandbox-leads";
import { percentile, type BenchFigure } from "./figures";
import { runAlone, startBenchStack, type BenchStack } from "./harness";

/** How long the forms get after the rest has drained before the run stops counting. */
const LIVE_GRACE_MS = 30_000;

export async function benchDrain(databaseUrl: string, total = 100_000): Promise<BenchFigure[]> {
  const stack = await startBenchStack(databaseUrl);
  const { sandbox, rt } = stack;
  try {
    const portal = Number(DEMO.hubspot.portalId);
    const batches = Math.ceil(total / 100);
    const base = 880_000 + Math.floor(Math.random() * 50_000);
    let eventId = base * 1000;
    const forms: string[] = [];
    const requests = Array.from({ length: batches }, (_, b) => {
      const leadId = String(base + b);
      const now = Date.now();
      addQualifyingContact(sandbox, leadId, now, b);
      forms.push(leadId);
      const events: Record<string, unknown>[] = Array.from({ length: 99 }, (_, i) => ({
        eventId: eventId++,
        subscriptionId: 3001,
        portalId: portal,
        appId: 424242,
        occurredAt: now,
        subscriptionType: "company.propertyChange",
        attemptNumber: 0,
        objectId: 40_000 + ((b * 99 + i) % 20_000),
        propertyName: "numberofemployees",
        propertyValue: String(10 + i),
        changeSource: "CRM_UI",
        sourceId: "userId:123",
      }));
      events.splice(b % 100, 0, formSubmittedEvent(portal, leadId, eventId++, now - 1000));
      return stack.signed(events);
    });
    const noCrmEvents = batches * 99;
    const acked = new Map<string, number>();
    const handedOver = new Map<string, number>();
    let next = 0;
    const started = performance.now();
    const send = async () => {
      while (next < requests.length) {
        const i = next++;
        const { body, headers } = requests[i]!;
        const res = await fetch(stack.webhookUrl, { method: "POST", headers, body });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`intake answered ${res.status}`);
        acked.set(forms[i]!, performance.now());
      }
    };
    const sending = Promise.all(Array.from({ length: 10 }, send));
    let drainedAt: number | undefined;
    const deadline = () => (drainedAt ?? Number.POSITIVE_INFINITY) + LIVE_GRACE_MS;
    for (;;) {
      await new Promise((r) => setTimeout(r, 200));
      const t = performance.now();
      if (drainedAt === undefined) {
        const r = await rt.pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM events WHERE connection_id = $1 AND object_type = 'company' AND status = 'ignored'",
          [DEMO.hubspot.connectionId],
        );
        if (r.rows[0]!.n >= noCrmEvents) drainedAt = t;
      }
      const h = await rt.pool.query<{ lead_id: string }>(
        "SELECT lead_id FROM handoffs WHERE connection_id = $1 AND task_id IS NOT NULL AND lead_id = ANY($2)",
        [DEMO.hubspot.connectionId, forms.filter((f) => !handedOver.has(f))],
      );
      for (const row of h.rows) handedOver.set(row.lead_id, t);
      if ((drainedAt !== undefined && handedOver.size === forms.length) || t > deadline()) break;
      if (t - started > 600_000) break;
    }
    await sending;
    const drainSeconds = ((drainedAt ?? performance.now()) - started) / 1000;
    const waited = forms.map((f) => {
      const done = handedOver.get(f);
      // A form not handed over by the end of the run counts as waiting until then (a lower bound).
      return (done ?? deadline()) - (acked.get(f) ?? started);
    });
    const p95 = percentile(waited, 95);
    const stages = await liveStages(stack, forms);
    const byRoute = Object.entries(sandbox.hubspot.stats.byRoute).sort((a, b) => b[1] - a[1]);
    process.stderr.write(
      `drain: HubSpot calls by route (set-up included): ${byRoute.map(([r, n]) => `${r} ${n}`).join(", ")}\n`,
    );
    const complete = drainedAt !== undefined;
    const rate = noCrmEvents / drainSeconds;
    const stats = sandbox.hubspot.stats;
    return [
      {
        id: "drain.burst_100k_s",
        name: `burst of ${total.toLocaleString("en-US")} events (99 % need no CRM call): until all of those are settled`,
        value: complete ? Number(drainSeconds.toFixed(1)) : Number.NaN,
        unit: "s",
        target: "≤ 60",
        ok: complete && drainSeconds <= 60,
      },
      {
        id: "drain.events_per_s",
        name: "events that need no CRM call settled per second, one process (intake included)",
        value: Math.round(rate),
        unit: "events/s",
        target: "≥ 2,000",
        ok: rate >= 2000,
      },
      {
        id: "drain.live_handed_over",
        name: `form submissions in the burst handed over (owner + task) by ${LIVE_GRACE_MS / 1000} s after the drain`,
        value: handedOver.size,
        unit: `of ${forms.length}`,
        target: "-",
      },
      {
        id: "drain.live_p95_ms",
        name: "form submission in the burst: ack → handed over, p95 (not handed over = waited to the end)",
        value: Math.round(p95),
        unit: "ms",
        target: "-",
      },
      {
        id: "drain.live_fan_out_p95_ms",
        name: "of which: stored → its job queued (the delivery fanned out), p95",
        value: stages.fanOut,
        unit: "ms",
        target: "-",
      },
      {
        id: "drain.live_queue_p95_ms",
        name: "of which: job queued → a worker starts it, p95",
        value: stages.queue,
        unit: "ms",
        target: "-",
      },
      {
        id: "drain.live_work_p95_ms",
        name: "of which: worker start → handed over (CRM reads, routing, writes, task), p95",
        value: stages.work,
        unit: "ms",
        target: "-",
      },
      {
        id: "drain.rate_limited",
        name: "HubSpot 429s during the burst",
        value: stats.rateLimited,
        unit: "",
        target: "0",
        ok: stats.rateLimited === 0,
      },
    ];
  } finally {
    await stack.stop();
  }
}

/**
 * Where the burst's form submissions spent their time, from the database's own clock: stored → lead-event job
 * created (fan-out) → job started (queue) → job completed (the pipeline). Each a p95 over the forms that got
 * that far.
 */
async function liveStages(
  stack: BenchStack,
  forms: string[],
): Promise<{ fanOut: number; queue: number; work: number }> {
  const r = await stack.rt.pool.query<{ fan_out: number | null; queue: number | null; work: number | null }>(
    `SELECT extract(epoch FROM j.created_on - e.received_at) * 1000 AS fan_out,
            extract(epoch FROM j.started_on - j.created_on) * 1000 AS queue,
            extract(epoch FROM j.completed_on - j.started_on) * 1000 AS work
       FROM events e
       LEFT JOIN pgboss.job j ON j.name = 'lead-event' AND j.data->>'eventKey' = e.event_key
      WHERE e.connection_id = $1 AND e.object_type = 'contact' AND e.object_id = ANY($2)`,
    [DEMO.hubspot.connectionId, forms],
  );
  const p95 = (key: "fan_out" | "queue" | "work") => {
    const values = r.rows.flatMap((row) => (row[key] === null ? [] : [Number(row[key])]));
    return values.length > 0 ? Math.round(percentile(values, 95)) : Number.NaN;
  };
  return { fanOut: p95("fan_out"), queue: p95("queue"), work: p95("work") };
}

if (require.main === module) runAlone(benchDrain, 100_000);
