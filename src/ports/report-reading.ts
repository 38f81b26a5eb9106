import type { ReplayHistory } from "../domain/forecast";
import type { AbsenceFact, HandoffFact } from "../domain/reports";

/** A connection's lead history as the forecast replays it, with what was read. */
export interface LeadHistory extends ReplayHistory {
  /** Lead ids, index-aligned with `leads`. */
  ids: string[];
  /** Leads whose fields come from a handoff snapshot. */
  snapshots: number;
  activities: number;
  /** What was replayed, in plain words (shown with every forecast). */
  description: string;
}

export interface LeadHistoryRequest {
  since: Date;
  until: Date;
  /** Called after each batch of events read, with the count so far. */
  onLoaded?: (events: number) => void;
  /** @default 50000 */
  batchSize?: number;
}

/** A lead with events in a window, at its first event there. */
export interface LeadSighting {
  leadId: string;
  at: string;
}

/** One line of GET /decisions/export (application/x-ndjson) and `handoff export decisions`. */
export interface DecisionExportLine {
  id: string;
  connectionId: string;
  leadId: string;
  eventKey: string | null;
  slaHash: string | null;
  createdAt: string;
  inputs: unknown;
  outcome: unknown;
}

/**
 * What the reports, the forecast and the decision export read. Every method takes the connection id first and
 * reads only that connection's rows; windows are [from, to).
 */
export interface ReportReader {
  /** Instants at which leads became MQLs: stage changes to MQL by Handoff or by a person. */
  mqlInstants(connectionId: string, from: Date, to: Date): Promise<string[]>;
  /** Handoffs started in the window, oldest first, with the pool their routing decision used. */
  handoffFacts(connectionId: string, from: Date, to: Date): Promise<HandoffFact[]>;
  /** The lead of each handoff started in the window (handoff id → lead id). */
  handoffLeads(connectionId: string, from: Date, to: Date): Promise<Map<string, string>>;
  /** Away spans and out-of-office entries overlapping the window. */
  absences(connectionId: string, from: Date, to: Date): Promise<AbsenceFact[]>;
  /** Every lead with contact/lead events in the window, at its first one. */
  leadSightings(connectionId: string, from: Date, to: Date): Promise<LeadSighting[]>;
  /** The history the forecast replays: every lead event in [since, until] and each lead as last seen. */
  leadHistory(connectionId: string, request: LeadHistoryRequest): Promise<LeadHistory>;
  /**
   * Every decision since `since`, oldest first, read a page at a time so that a warehouse export of millions of
   * rows never holds more than one page.
   */
  decisions(connectionId: string, since: Date, pageSize?: number): AsyncIterable<DecisionExportLine>;
}
