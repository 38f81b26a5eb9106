import { once } from "node:events";
import express, { Router, type Request } from "express";
import { forecastDraftSla } from "../../app/forecast-sla";
import type { ActiveSla } from "../../app/pipeline-deps";
import {
  getChannelsReport,
  getComplianceReport,
  getFairnessReport,
  getFeedbackReport,
  getPaceReport,
  type ReportDeps,
  type ReportWindow,
} from "../../app/reports/build-reports";
import { exportDecisions } from "../../app/reports/export-decisions";
import { parseSince } from "../../app/reports/report-window";
import { AppError } from "../../domain/errors";
import type { Logger } from "../../ports/logger";
import type { ReportReader } from "../../ports/report-reading";
import { parseSla } from "../../sla/load-sla";
import type { Clock } from "../../ports/clock";

export interface ReportRouterDeps {
  /** The stored rows the reports, the forecast and the export read. */
  reports: ReportReader;
  /** The SLA in force for a connection (the SLA registry's `slaFor`). */
  slaFor: (connectionId: string) => Promise<ActiveSla>;
  logger: Logger;
  /** What time it is: the end of every report window. */
  now: Clock;
}

const CONNECTION = /^[A-Za-z0-9_.:-]{1,200}$/;

function connectionOf(req: Request): string {
  const value = req.query.connectionId;
  if (typeof value !== "string" || value === "") {
    throw new AppError("connection_required", "query parameter connectionId is required", {
      hint: "Add ?connectionId=<id> (see GET /admin/api/connections); every report is per connection.",
    });
  }
  if (!CONNECTION.test(value)) {
    throw new AppError("unknown_connection", "connectionId has characters a connection id never has", {
      hint: "Use the id exactly as listed by GET /admin/api/connections.",
    });
  }
  return value;
}

function queryText(req: Request, name: string): string | undefined {
  const v = req.query[name];
  return typeof v === "string" && v !== "" ? v : undefined;
}

/**
 * Reports, forecast and decision export for the admin dashboard and the warehouse, mounted under /admin/api
 * behind the admin auth: GET /reports/{pace,compliance,feedback,channels,fairness}?connectionId=&since=90d,
 * POST /forecast?connectionId=&since=90d (body: the draft SLA's YAML), GET /decisions/export?connectionId=&since=
 * (application/x-ndjson, one decision per line).
 * @example app.use("/admin/api", adminAuth, createReportRouter({ reports, slaFor, logger, now }))
 */
export function createReportRouter(deps: ReportRouterDeps): Router {
  const now = deps.now;
  const reportDeps: ReportDeps = { reports: deps.reports, slaFor: deps.slaFor, now };
  const router = Router();
  const windowOf = (req: Request): ReportWindow => {
    const to = now();
    return { from: parseSince(queryText(req, "since"), to), to };
  };

  router.get("/reports/pace", async (req, res) => {
    res.json(await getPaceReport(reportDeps, connectionOf(req)));
  });
  router.get("/reports/compliance", async (req, res) => {
    const connectionId = connectionOf(req);
    res.json(await getComplianceReport(reportDeps, connectionId, windowOf(req)));
  });
  router.get("/reports/feedback", async (req, res) => {
    const connectionId = connectionOf(req);
    res.json(await getFeedbackReport(reportDeps, connectionId, windowOf(req)));
  });
  router.get("/reports/channels", async (req, res) => {
    const connectionId = connectionOf(req);
    res.json(await getChannelsReport(reportDeps, connectionId, windowOf(req)));
  });
  router.get("/reports/fairness", async (req, res) => {
    const connectionId = connectionOf(req);
    res.json(await getFairnessReport(reportDeps, connectionId, windowOf(req)));
  });

  router.post(
    "/forecast",
    express.text({ type: ["text/*", "application/yaml", "application/x-yaml"], limit: "1mb" }),
    async (req, res) => {
      const connectionId = connectionOf(req);
      const since = parseSince(queryText(req, "since"), now());
      const text: unknown = req.body;
      if (typeof text !== "string" || text.trim() === "") {
        throw new AppError("missing_draft", "the request body must be the draft SLA as YAML text", {
          hint: "POST the file with Content-Type: application/yaml (curl --data-binary @sla.draft.yaml).",
        });
      }
      const { sla } = parseSla(text, "draft.yaml");
      const started = performance.now();
      const report = await forecastDraftSla(reportDeps, { connectionId, draft: sla, since });
      deps.logger.info("forecast computed", {
        connectionId,
        events: report.history.events,
        leads: report.history.leads,
        ms: Math.round(performance.now() - started),
      });
      res.json(report);
    },
  );

  router.get("/decisions/export", async (req, res) => {
    const connectionId = connectionOf(req);
    const since = parseSince(queryText(req, "since"), now());
    res.status(200).type("application/x-ndjson");
    let lines = 0;
    for await (const line of exportDecisions(deps.reports, connectionId, since)) {
      if (!res.write(`${JSON.stringify(line)}\n`)) await once(res, "drain");
      lines += 1;
    }
    res.end();
    deps.logger.info("decisions exported", { connectionId, lines });
  });

  return router;
}
