/**
 * JSON shapes of the report and forecast endpoints under /admin/api (and of `handoff report … --json`): the
 * domain's figures (src/domain/{pace,reports,forecast}.ts, which document each member) in an envelope that
 * says which connection, window and SLA they were computed for. The dashboard charts are built against these;
 * add optional members rather than changing existing ones. Instants are ISO-8601 strings; ISO weeks are
 * "2026-W48" in the SLA's timezone.
 */
import type { ForecastFigures } from "../../domain/forecast";
import type { PaceFigures } from "../../domain/pace";
import type {
  ChannelWeekFigure,
  ComplianceFigures,
  FeedbackFigures,
  FunnelLabels,
  PoolFairnessFigure,
} from "../../domain/reports";

/** Every report carries the connection, the window it covers and the SLA it was read under. */
export interface ReportEnvelope {
  connectionId: string;
  /** When the report was computed. */
  generatedAt: string;
  /** Inclusive window start and exclusive end. */
  from: string;
  to: string;
  timezone: string;
  slaVersion: number;
  labels: FunnelLabels;
}

/** Weekly MQLs vs the quarterly commitment. */
export interface PaceReport extends ReportEnvelope {
  pace: PaceFigures;
}

/** Follow-up compliance: time to first touch and breaches, overall and by rep. */
export interface ComplianceReport extends ReportEnvelope, ComplianceFigures {
  /** Configured first-touch deadline, e.g. "30m". */
  firstTouch: string;
}

/** Sales feedback: acceptance, reject reasons, per-rule precision and conversions. */
export interface FeedbackReport extends ReportEnvelope, FeedbackFigures {}

/** Qualified rate and acceptance by source / medium / campaign per week. */
export interface ChannelsReport extends ReportEnvelope {
  rows: ChannelWeekFigure[];
}

/** Expected vs actual share per pool. */
export interface FairnessReport extends ReportEnvelope {
  pools: PoolFairnessFigure[];
}

/** One SLA's side of a forecast. */
export interface ForecastSide extends Omit<ForecastFigures, "events"> {
  /** "live" or "draft". */
  label: string;
}

export interface ForecastHistory {
  /** What was replayed, in plain words: where the snapshots came from. */
  description: string;
  since: string;
  until: string;
  leads: number;
  events: number;
  activities: number;
}

/** A draft SLA replayed next to the live one on the same stored history. */
export interface ForecastReport extends ReportEnvelope {
  history: ForecastHistory;
  live: ForecastSide;
  draft: ForecastSide;
  /** draft.mqls − live.mqls. */
  mqlDelta: number;
  elapsedMs: number;
}
