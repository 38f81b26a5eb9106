import type { DecisionExportLine, ReportReader } from "../../ports/report-reading";

/**
 * `GET /admin/api/decisions/export` and `handoff export decisions`: every decision of a connection since
 * `since`, oldest first, one page in memory at a time.
 * @example for await (const line of exportDecisions(reports, "hs-1", since)) out.write(JSON.stringify(line) + "\n")
 */
export function exportDecisions(
  reports: ReportReader,
  connectionId: string,
  since: Date,
): AsyncIterable<DecisionExportLine> {
  return reports.decisions(connectionId, since);
}
