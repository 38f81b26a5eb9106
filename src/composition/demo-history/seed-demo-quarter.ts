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
import { planHubSpotQuarter } from "./hubspot-quarter";
import { travelClock } from "./travel-clock";

/** The demo history's fixed seed: every first start plays the same quarter. */
export const DEMO_HISTORY_SEED = 20_260_101;

export interface DemoQuarterOptions {
  core: Infrastructure;
  settings: HandoffSettings;
  sandbox: Pick<SandboxServer, "hubspot">;
  /** The app's clock: the history ends here. */
  now: Clock;
  /** @default 12 */
  weeks?: number;
}

export interface DemoQuarterResult {
  /** False when an earlier start played it already (nothing was added). */
  seeded: boolean;
  leads: number;
  events: number;
  parked: number;
  ms: number;
  /** CPU time this process spent (the sandbox and the pipeline; PostgreSQL is another process). */
  cpuMs: number;
}

/**
 * On the embedded default's first start, plays about a quarter of history into the demo portal and Handoff, so
 * every chart has shape and the forecast has history to replay. It runs the product's own intake and pipeline on
 * a clock sent back `weeks` weeks and moved forward event by event (the sandbox and the CRM rate windows follow
 * the same clock); follow-up timers still ahead when it reaches `now` go to the live timer queue. A marker per
 * connection makes it run once: a restart adds nothing.
 */
export async function seedDemoQuarter(options: DemoQuarterOptions): Promise<DemoQuarterResult> {
  const { core, sandbox } = options;
  const weeks = options.weeks ?? 12;
  const connectionId = DEMO.hubspot.connectionId;
  const markers = createDemoHistoryMarkers(core.pool);
  if ((await markers.get(connectionId)) !== null) {
    return { seeded: false, leads: 0, events: 0, parked: 0, ms: 0, cpuMs: 0 };
  }
  const started = performance.now();
  const cpu = process.cpuUsage();
  const until = options.now().getTime();
  const from = Math.floor((until - weeks * 7 * 86_400_000) / 86_400_000) * 86_400_000;
  const clock = travelClock(options.now);
  clock.travelTo(from);
  const agenda = new Agenda(clock);
  const liveTimers = createFollowUpScheduler({ boss: core.boss, now: options.now });
  let afterTimer: (job: FollowUpJob) => Promise<void> = () => Promise.resolve();
  const history = await composeHandoff(
    core,
    {
      ...options.settings,
      now: clock,
      notifyWorker: false,
      replay: {
        rateClock: clock.ms,
        followUpTimers: async (job, at, order) => {
          const due = Date.parse(at);
          // Timers still ahead when the history reaches today are the live clock's.
          if (due > until) return liveTimers(job, at, order);
          agenda.at(due, async () => {
            await history.runFollowUp(job);
            await afterTimer(job);
          });
        },
      },
    },
    clock,
  );
  const sandboxNow = sandbox.hubspot.now;
  sandbox.hubspot.now = clock.ms;
  try {
    const player = planHubSpotQuarter(
      {
        state: sandbox.hubspot,
        connectionId,
        clock,
        agenda,
        history,
        events: core.events,
        availability: new PostgresRepAvailabilityStore(core.pool, clock),
        random: mulberry32(DEMO_HISTORY_SEED),
        logger: core.logger,
      },
      { from, until },
    );
    afterTimer = async (job) => {
      const handoff = await history.deps.leads.getHandoff(job.connectionId, job.handoffId);
      if (handoff) await player.followHandoff(handoff.leadId);
    };
    await agenda.runUntil(until);
    const ms = Math.round(performance.now() - started);
    await markers.mark({
      connectionId,
      seededAt: options.now().toISOString(),
      weeks,
      leads: player.counts.leads,
      events: player.counts.events,
      ms,
    });
    const used = process.cpuUsage(cpu);
    return { seeded: true, ...player.counts, ms, cpuMs: Math.round((used.user + used.system) / 1000) };
  } finally {
    sandbox.hubspot.now = sandboxNow;
    clock.land();
    await history.stop();
  }
}
