import type { ActiveSla, SlaVersionStore } from "../ports/sla-versions";
import type { FeedbackDeps } from "../app/record-feedback";
import type { ReplayResult } from "../app/replay-decision";
import type { Config } from "../config/read-config";
import type { Clock } from "../ports/clock";
import type { HolidayCalendar } from "../ports/holidays";
import type { RepAvailabilityStore } from "../ports/rep-availability";
import type { ReportReader } from "../ports/report-reading";

/**
 * What the `handoff` commands work with: use cases and ports on the app's database, opened on first use.
 * `src/composition/cli-services.ts` builds them from the validated config.
 */
export interface CliServices {
  readonly config: Config;
  readonly clock: Clock;
  /** The database the commands work on (named in hints). */
  readonly databaseUrl: string;
  /** The ids of the installed connections, sorted. */
  connectionIds(): Promise<string[]>;
  /**
   * The connection a command acts on: the one `--connection` names, or the only one there is.
   * @throws AppError `unknown_connection` listing the known ids, `connection_required` when several could be meant
   */
  connection(given: string | undefined): Promise<string>;
  /** Reps' availability and caps (audited). */
  reps(): RepAvailabilityStore;
  /** The SLA in force for a connection, read as the app reads it: the published version, else its file. */
  slaFor(connectionId: string): Promise<ActiveSla>;
  /** The connections' SLA versions and sign-offs. */
  slaVersions(): SlaVersionStore;
  /** What the reports, the forecast and the decision export read. */
  reports(): ReportReader;
  /** Public holidays, for `handoff sla lint`'s coverage check. */
  holidays(): HolidayCalendar;
  /** `handoff replay <decisionId> [--sla draft.yaml]`. */
  replayDecision(decisionId: string, draftFile?: string): Promise<ReplayResult>;
  /** `handoff replay --parked`: every parked event (of one connection) back on the queue, audited. */
  replayAllParked(connectionId: string | undefined, actor: string): Promise<number>;
  /** Applies the migrations. @returns the ones applied now */
  migrate(): Promise<string[]>;
  /** `handoff accept|reject`: the same stores and CRM adapters as the server. */
  feedback(): FeedbackDeps;
  /** Closes whatever the commands opened (pool, job queue, CRM clients). */
  close(): Promise<void>;
}
