import express, { Router, type Response } from "express";
import { z } from "zod";
import { assertKnownRep } from "../../app/assert-known-rep";
import type { ReplayResult } from "../../app/replay-decision";
import { AppError, InvalidPayloadError, UnknownConnectionError } from "../../domain/errors";
import {
  actorLabel,
  refusal,
  repsManagedBy,
  type RepAction,
  type RepActor,
} from "../../domain/rep-permissions";
import type { RoutingRules } from "../../domain/routing-rules";
import type { ConnectionStore } from "../../ports/connections";
import type { Logger } from "../../ports/logger";
import type { CapsChange, RepAvailabilityStore } from "../../ports/rep-availability";

export interface RepsRouterDeps {
  /** Availability and caps (the store reads "now" from its clock: whether a rep is still away, …). */
  reps: RepAvailabilityStore;
  connections: Pick<ConnectionStore, "get">;
  logger: Logger;
  /**
   * The routing rules of the SLA in force for a connection: which rep keys exist (a misspelt key is refused
   * with the closest one) and which pools a team lead leads.
   */
  loadRules: (connectionId: string) => Promise<RoutingRules>;
  /** Re-runs a stored routing decision on its stored inputs (app/replay-decision). */
  replayDecision: (connectionId: string, decisionId: string) => Promise<ReplayResult>;
}

/**
 * The authenticated caller, put in `res.locals.actor` by the auth in front of this router: a rep (self-service),
 * a team lead (their pools' members) or an admin. Without one the caller is the admin-token holder.
 */
export type RepsRouteActor = RepActor;

const REP = /^[A-Za-z0-9_.-]{1,64}$/;
const connection = z.string().min(1).max(200);
const isoDate = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), "expected a date such as 2026-11-30 or an ISO instant");

const awayBody = z.strictObject({
  connectionId: connection,
  reason: z.string().trim().min(1).max(200),
  until: isoDate.optional(),
});
const backBody = z.strictObject({ connectionId: connection });
const cap = z.number().int().min(0).max(100_000).nullable().optional();
const capsBody = z.strictObject({
  connectionId: connection,
  open: cap,
  perDay: cap,
  perWeek: cap,
  perMonth: cap,
});
const oooBody = z.strictObject({
  connectionId: connection,
  from: isoDate,
  to: isoDate,
  reason: z.string().trim().max(200).optional(),
});

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.join(".") || "(body)", message: i.message }));
  throw new InvalidPayloadError(
    `request body does not match: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
    issues,
    "See README: Admin API → reps.",
  );
}

function toDate(text: string): Date {
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
}

/**
 * `/admin/api/reps…`: rep self-service (away with reason and end date, back, out of office) and team-lead
 * management of their pools' availability and caps. Every change is audited in `audit_log`.
 *
 * - `GET  /reps?connectionId=` — reps with a state (a team lead sees their pools, a rep themselves)
 * - `POST /reps/:rep/away` `{ connectionId, reason, until? }`
 * - `POST /reps/:rep/back` `{ connectionId }`
 * - `POST /reps/:rep/ooo`  `{ connectionId, from, to, reason? }`
 * - `PUT  /reps/:rep/caps` `{ connectionId, open?, perDay?, perWeek?, perMonth? }` (null removes an override;
 *   `perMonth` holds for the current month in the rep's zone and may also be set by the rep's manager)
 * - `GET  /decisions/:id/replay?connectionId=` — why a lead went where it went, re-computed from the stored
 *   inputs and checked against the stored decision (admins only)
 *
 * @example adminApi.use(createRepsRouter({ reps, connections, logger, loadRules, replayDecision }));
 */
export function createRepsRouter(deps: RepsRouterDeps): Router {
  const store = deps.reps;
  const router = Router();
  router.use("/reps", express.json({ limit: "16kb" }));

  async function ensureConnection(connectionId: string): Promise<void> {
    if (!(await deps.connections.get(connectionId)))
      throw new UnknownConnectionError(connectionId, { hint: "Check the connectionId." });
  }

  async function authorize(
    res: Response,
    connectionId: string,
    rep: string,
    action: RepAction,
  ): Promise<RepActor> {
    if (!REP.test(rep)) {
      throw new InvalidPayloadError(
        `"${rep}" is not a rep key`,
        [{ path: "rep", message: "letters, digits, _ . -" }],
        "Use the rep's key from the SLA (e.g. anna).",
      );
    }
    await ensureConnection(connectionId);
    const rules = await deps.loadRules(connectionId);
    // A typo names nobody the router knows: refused before anything is written, with the closest key.
    assertKnownRep(rules, connectionId, rep);
    const actor = (res.locals.actor as RepActor | undefined) ?? { role: "admin" };
    const why = refusal(actor, action, rep, rules);
    if (why !== undefined) {
      throw new AppError("forbidden", `not allowed: ${why}`, {
        hint: "Reps manage their own availability; team leads their pools' availability and caps; admins everything.",
      });
    }
    return actor;
  }

  router.get("/reps", async (req, res) => {
    const connectionId = parse(connection, req.query.connectionId);
    await ensureConnection(connectionId);
    const actor = (res.locals.actor as RepActor | undefined) ?? { role: "admin" };
    let reps = await store.list(connectionId);
    if (actor.role === "rep") reps = reps.filter((r) => r.repKey === actor.rep);
    if (actor.role === "team_lead") {
      const managed = new Set(repsManagedBy(await deps.loadRules(connectionId), actor.rep));
      reps = reps.filter((r) => managed.has(r.repKey));
    }
    res.json({ reps });
  });

  router.post("/reps/:rep/away", async (req, res) => {
    const body = parse(awayBody, req.body);
    const actor = await authorize(res, body.connectionId, req.params.rep, "availability");
    const until = body.until === undefined ? undefined : toDate(body.until);
    const rep = await store.setAway(
      body.connectionId,
      req.params.rep,
      { reason: body.reason, ...(until ? { until } : {}) },
      actorLabel(actor),
    );
    deps.logger.info("rep set away", {
      connectionId: body.connectionId,
      rep: req.params.rep,
      actor: actor.role,
    });
    res.json({ rep });
  });

  router.post("/reps/:rep/back", async (req, res) => {
    const body = parse(backBody, req.body);
    const actor = await authorize(res, body.connectionId, req.params.rep, "availability");
    const rep = await store.setBack(body.connectionId, req.params.rep, actorLabel(actor));
    deps.logger.info("rep back", { connectionId: body.connectionId, rep: req.params.rep, actor: actor.role });
    res.json({ rep });
  });

  router.post("/reps/:rep/ooo", async (req, res) => {
    const body = parse(oooBody, req.body);
    const actor = await authorize(res, body.connectionId, req.params.rep, "availability");
    const rep = await store.addOutOfOffice(
      body.connectionId,
      req.params.rep,
      { from: toDate(body.from), to: toDate(body.to), ...(body.reason ? { reason: body.reason } : {}) },
      actorLabel(actor),
    );
    res.status(201).json({ rep });
  });

  router.put("/reps/:rep/caps", async (req, res) => {
    const body = parse(capsBody, req.body);
    const counts = Object.fromEntries(
      Object.entries({ open: body.open, perDay: body.perDay, perWeek: body.perWeek }).filter(
        ([, v]) => v !== undefined,
      ),
    );
    // The monthly cap of this month is the team lead's, the manager's or an admin's; the others the team lead's.
    const action = Object.keys(counts).length === 0 && body.perMonth !== undefined ? "month_cap" : "caps";
    const actor = await authorize(res, body.connectionId, req.params.rep, action);
    const caps: CapsChange = { ...counts };
    if (body.perMonth !== undefined) {
      const rules = await deps.loadRules(body.connectionId);
      caps.perMonth = { cap: body.perMonth, timezone: rules.reps[req.params.rep]?.timezone ?? "UTC" };
    }
    const rep = await store.setCaps(body.connectionId, req.params.rep, caps, actorLabel(actor));
    deps.logger.info("rep caps changed", {
      connectionId: body.connectionId,
      rep: req.params.rep,
      actor: actor.role,
    });
    res.json({ rep });
  });

  router.get("/decisions/:id/replay", async (req, res) => {
    const connectionId = parse(connection, req.query.connectionId);
    const actor = (res.locals.actor as RepActor | undefined) ?? { role: "admin" };
    if (actor.role !== "admin") {
      throw new AppError("forbidden", "not allowed: decisions carry lead data; admins only", {
        hint: "Ask an admin, or see the handoff card of the lead.",
      });
    }
    const result = await deps.replayDecision(connectionId, req.params.id);
    res.json({ identical: result.identical, decision: result.stored, lines: result.lines });
  });

  return router;
}
