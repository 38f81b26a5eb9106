import { forecastSla, type ForecastFigures } from "../domain/forecast";
import { funnelLabels } from "../domain/reports";
import type { Sla } from "../domain/sla";
import type { Clock } from "../ports/clock";
import type { ReportReader } from "../ports/report-reading";
import type { ActiveSla } from "./pipeline-deps";
import type { ForecastReport, ForecastSide } from "./reports/types";

export interface ForecastProgress {
  phase: "load" | "replay";
  /** Events read (load) or replayed across both SLAs (replay). */
  done: number;
  /** Known once loading is finished: 2 × events. */
  total: number | null;
}

export interface ForecastDeps {
  reports: ReportReader;
  slaFor: (connectionId: string) => Promise<ActiveSla>;
  now: Clock;
}

export interface ForecastRequest {
  connectionId: string;
  /** The draft, already parsed and validated (parseSla). */
  draft: Sla;
  since: Date;
  onProgress?: (progress: ForecastProgress) => void;
}

/**
 * The connection's stored history replayed under the SLA in force and under a draft, side by side: what a new
 * definition would have delivered (the history says in plain words what is replayed). Nothing is written.
 */
export async function forecastDraftSla(
  deps: ForecastDeps,
  request: ForecastRequest,
): Promise<ForecastReport> {
  const started = performance.now();
  const until = deps.now();
  const live = await deps.slaFor(request.connectionId);
  const progress = request.onProgress;
  const history = await deps.reports.leadHistory(request.connectionId, {
    since: request.since,
    until,
    onLoaded: (done) => progress?.({ phase: "load", done, total: null }),
  });
  const events = history.eventLead.length;
  const total = events * 2;
  const side = (sla: Sla, offset: number) =>
    forecastSla(history, {
      sla,
      since: request.since,
      until,
      onProgress: (done) => progress?.({ phase: "replay", done: offset + done, total }),
    });
  const liveFigures = side(live.sla, 0);
  const draftFigures = side(request.draft, events);
  return {
    connectionId: request.connectionId,
    generatedAt: until.toISOString(),
    from: request.since.toISOString(),
    to: until.toISOString(),
    timezone: live.sla.sla.timezone,
    slaVersion: live.sla.sla.version,
    labels: funnelLabels(live.sla.vocabulary),
    history: {
      description: history.description,
      since: request.since.toISOString(),
      until: until.toISOString(),
      leads: history.leads.length,
      events,
      activities: history.activities,
    },
    live: toSide("live", liveFigures),
    draft: toSide("draft", draftFigures),
    mqlDelta: draftFigures.mqls - liveFigures.mqls,
    elapsedMs: Math.round(performance.now() - started),
  };
}

function toSide(label: string, f: ForecastFigures): ForecastSide {
  return {
    label,
    slaName: f.slaName,
    slaVersion: f.slaVersion,
    mqlThreshold: f.mqlThreshold,
    mqls: f.mqls,
    weeks: f.weeks,
    pace: f.pace,
    load: f.load,
    unrouted: f.unrouted,
    breachRisk: f.breachRisk,
  };
}
