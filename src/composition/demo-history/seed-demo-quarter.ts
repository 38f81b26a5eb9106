import { createDemoHistoryMarkers } from "../../adapters/postgres/demo-history-store";
import { PostgresRepAvailabilityStore } from "../../adapters/postgres/rep-availability-store";
import type { FollowUpJob } from "../../app/follow-up";
import { createFollowUpScheduler } from "../../jobs/follow-up-worker";
import type { Clock } from "../../ports/clock";
import { mulberry32 } from "../../sandbox/hubspot/state";
import type { SandboxServer } from "../../sandbox/server";
import { composeHandoff, type HandoffSettings } from "../compose";
import type { Infrastructure } from "../runtime";
import { DEMO } from "../seed-demo";
import { Agenda } from "./agenda";
import { hubSpotQuarterPlayer } from "./hubspot-quarter";
import { planQuarter, type QuarterPlayer } from "./quarter-plan";
import { replayIntake, type QuarterCounts } from "./replay-intake";
import { salesforceQuarterPlayer } from "./salesforce-quarter";
import { travelClock } from "./travel-clock";

/** The demo history's fixed seed: every first start plays the same quarter (the Salesforce org's from seed + 1). */
export const DEMO_HISTORY_SEED = 20_260_101;

export interface DemoQuarterOptions {
  core: Infrastructure;
  settings: HandoffSettings;
  sandbox: Pick<SandboxServer, "hubspot" | "salesforce" | "salesforceInstanceUrl">;
  /** The app's clock: the history ends here. */
  now: Clock;
  /** @default 12 */
  weeks?: number;
  /** Called after each moment of the past is played (tests stop the play here, as a crash would). */
  onMoment?: (played: number) => void;
}

export interface DemoQuarterResult {
  /** False when earlier starts played every connection's history already (nothing was added). */
  seeded: boolean;
  /** What was played, per connection played now. */
  connections: Record<string, QuarterCounts>;
  leads: number;
  events: number;
  parked: number;
  /** Rows an earlier, unfinished play had left and that were removed before playing again. */
  discarded: number;
  ms: number;
  /** CPU time this process spent (the sandbox and the pipeline; PostgreSQL is another process). */
  cpuMs: number;
}

const DAY = 86_400_000;

/**
 * On the embedded default's first start, plays about a quarter of history into the demo HubSpot portal, the demo
 * Salesforce org and Handoff, so every chart has shape for both connections and the forecast has history to
 * replay. It runs the product's own intake and pipeline on a clock sent back `weeks` weeks and moved forward event
 * by event (the sandbox and the CRM rate windows follow the same clock); follow-up timers still ahead when it
 * reaches `now` go to the live timer queue. Per connection, all or nothing: a marker says it was played (a
 * restart adds nothing), and a play the process did not live to finish is removed and played again.
 */
export async function seedDemoQuarter(options: DemoQuarterOptions): Promise<DemoQuarterResult> {
  const { core, sandbox } = options;
  const weeks = options.weeks ?? 12;
  const markers = createDemoHistoryMarkers(core.pool);
  const started = performance.now();
  const cpu = process.cpuUsage();
  let discarded = 0;
  const due: string[] = [];
  for (const connectionId of [DEMO.hubspot.connectionId, DEMO.salesforce.connectionId]) {
    const marker = await markers.get(connectionId);
    if (marker?.finished) continue;
    if (marker) {
      discarded += await markers.discardUnfinished(connectionId);
      core.logger.warn("demo quarter: an unfinished play was removed; playing it again", { connectionId });
    }
    due.push(connectionId);
  }
  const result: DemoQuarterResult = {
    seeded: due.length > 0,
    connections: {},
    leads: 0,
    events: 0,
    parked: 0,
    discarded,
    ms: 0,
    cpuMs: 0,
  };
  if (due.length === 0) return result;

  const until = options.now().getTime();
  const from = Math.floor((until - weeks * 7 * DAY) / DAY) * DAY;
  const clock = travelClock(options.now);
  clock.travelTo(from);
  const agenda = new Agenda(clock);
  const liveTimers = createFollowUpScheduler({ boss: core.boss, now: options.now });
  const followers = new Map<string, (leadId: string) => Promise<void>>();
  const history = await composeHandoff(
    core,
    {
      ...options.settings,
      now: clock,
      notifyWorker: false,
      replay: {
        rateClock: clock.ms,
        // In the past a full rate window is waited for by moving the clock on (the sandbox counts on it too).
        rateWait: (ms, then) => {
          clock.advance(ms);
          return setTimeout(then, 0);
        },
        followUpTimers: async (job, at, order) => {
          const when = Date.parse(at);
          // Timers still ahead when the history reaches today are the live clock's.
          if (when > until) return liveTimers(job, at, order);
          agenda.at(when, async () => {
            await history.runFollowUp(job);
            await afterTimer(job);
          });
        },
      },
    },
    clock,
  );
  /** A timer may have handed the lead to another rep: that rep answers it too. */
  async function afterTimer(job: FollowUpJob): Promise<void> {
    const handoff = await history.deps.leads.getHandoff(job.connectionId, job.handoffId);
    if (handoff) await followers.get(job.connectionId)?.(handoff.leadId);
  }

  const clocks = { hubspot: sandbox.hubspot.now, salesforce: sandbox.salesforce.now };
  sandbox.hubspot.now = clock.ms;
  sandbox.salesforce.now = clock.ms;
  await markers.begin(due, options.now().toISOString(), weeks);
  try {
    const availability = new PostgresRepAvailabilityStore(core.pool, clock);
    for (const connectionId of due) {
      const counts: QuarterCounts = { leads: 0, events: 0, parked: 0 };
      result.connections[connectionId] = counts;
      const intake = replayIntake({
        connectionId,
        events: core.events,
        history,
        logger: core.logger,
        counts,
      });
      const hubspot = connectionId === DEMO.hubspot.connectionId;
      // Each connection has its own seed, so one connection's quarter is the same whether or not the other plays.
      const random = mulberry32(DEMO_HISTORY_SEED + (hubspot ? 0 : 1));
      const player: QuarterPlayer = hubspot
        ? hubSpotQuarterPlayer({ state: sandbox.hubspot, connectionId, clock, random, intake })
        : salesforceQuarterPlayer({
            state: sandbox.salesforce,
            connectionId,
            instanceUrl: sandbox.salesforceInstanceUrl,
            clock,
            random,
            intake,
          });
      const plan = planQuarter(
        { connectionId, clock, agenda, history, availability, random, counts },
        player,
        { from, until },
      );
      followers.set(connectionId, plan.followHandoff);
    }
    let moments = 0;
    let week = 0;
    await agenda.runUntil(until, () => {
      options.onMoment?.(++moments);
      const now = Math.floor((clock.ms() - from) / (7 * DAY));
      if (now > week) {
        week = now;
        core.logger.info("demo quarter: week played", { week, of: weeks, moments });
      }
    });
    const ms = Math.round(performance.now() - started);
    for (const [connectionId, counts] of Object.entries(result.connections)) {
      await markers.finish({ connectionId, seededAt: options.now().toISOString(), weeks, ...counts, ms });
      result.leads += counts.leads;
      result.events += counts.events;
      result.parked += counts.parked;
    }
    const used = process.cpuUsage(cpu);
    return { ...result, ms, cpuMs: Math.round((used.user + used.system) / 1000) };
  } finally {
    sandbox.hubspot.now = clocks.hubspot;
    sandbox.salesforce.now = clocks.salesforce;
    clock.land();
    await history.stop();
  }
}
