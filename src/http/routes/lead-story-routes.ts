import express, { Router, type Request } from "express";
import { z } from "zod";
import {
  findLeads,
  getLeadStory,
  replayLeadDecision,
  tryDraftOnLead,
  type LeadStoryDeps,
} from "../../app/lead-story";
import { InvalidPayloadError } from "../../domain/errors";
import { parseSla } from "../../sla/load-sla";
import { parsePayload } from "../../adapters/parse-payload";

const ID = /^[A-Za-z0-9_.:@+-]{1,200}$/;

function idParam(req: Request, name: string): string {
  const value: unknown = req.params[name];
  if (typeof value === "string" && ID.test(value)) return value;
  throw new InvalidPayloadError(
    `${name} has characters such an id never has`,
    [{ path: name, message: "letters, digits and _ . : @ + - (at most 200)" }],
    "Use the id exactly as the CRM or GET /admin/api/connections shows it.",
  );
}

const draftBody = z.object({ draft: z.string().min(1).max(1_000_000) });

function parse<T>(schema: z.ZodType<T>, body: unknown, hint: string): T {
  return parsePayload(schema, body, "the request body is not what this route takes", hint);
}

/**
 * The lead story, mounted under `/admin/api` behind the admin token. Every route names its connection and
 * reads only that connection's rows.
 * - `GET  /leads?connectionId=&q=` — leads found by CRM id or e-mail
 * - `GET  /leads/:connectionId/:leadId` — the whole story (see `getLeadStory`)
 * - `POST /leads/:connectionId/:leadId/decisions/:decisionId/replay` `{ draft? }` — bit for bit, or with a draft
 * - `POST /leads/:connectionId/:leadId/draft` `{ draft }` — what a draft SLA would do to this lead
 * @example adminApi.use(createLeadStoryRouter({ stories, replay, slaFor, now }));
 */
export function createLeadStoryRouter(deps: LeadStoryDeps): Router {
  const router = Router();
  router.use("/leads", express.json({ limit: "1mb" }));

  router.get("/leads", async (req, res) => {
    const connectionId = typeof req.query.connectionId === "string" ? req.query.connectionId : "";
    const q = typeof req.query.q === "string" ? req.query.q.trim() : "";
    if (!ID.test(connectionId) || q === "" || q.length > 320) {
      throw new InvalidPayloadError(
        "connectionId and q are required",
        [
          ...(ID.test(connectionId) ? [] : [{ path: "connectionId", message: "a connection id" }]),
          ...(q === "" || q.length > 320 ? [{ path: "q", message: "a CRM record id or an e-mail" }] : []),
        ],
        "GET /admin/api/leads?connectionId=<id>&q=<CRM id or e-mail>",
      );
    }
    res.json({ leads: await findLeads(deps, connectionId, q) });
  });

  router.get("/leads/:connectionId/:leadId", async (req, res) => {
    res.json(await getLeadStory(deps, idParam(req, "connectionId"), idParam(req, "leadId")));
  });

  router.post("/leads/:connectionId/:leadId/decisions/:decisionId/replay", async (req, res) => {
    const connectionId = idParam(req, "connectionId");
    const body = parse(
      z.object({ draft: z.string().max(1_000_000).optional() }),
      req.body ?? {},
      'POST {} to replay as stored, or { "draft": "<SLA YAML>" } to route with the draft.',
    );
    const draft = body.draft ? { ...parseSla(body.draft, "draft.yaml"), label: "the draft" } : undefined;
    const result = await replayLeadDecision(deps, connectionId, idParam(req, "decisionId"), draft);
    res.json({
      identical: result.identical,
      withDraft: draft !== undefined,
      stored: result.stored,
      replayed: result.replayed,
      lines: result.lines,
    });
  });

  router.post("/leads/:connectionId/:leadId/draft", async (req, res) => {
    const body = parse(draftBody, req.body, 'POST { "draft": "<SLA YAML>" }');
    const draft = { ...parseSla(body.draft, "draft.yaml"), label: "the draft" };
    res.json(await tryDraftOnLead(deps, idParam(req, "connectionId"), idParam(req, "leadId"), draft));
  });

  return router;
}
