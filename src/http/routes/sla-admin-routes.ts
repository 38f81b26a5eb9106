import express, { Router } from "express";
import { z } from "zod";
import {
  checkDraft,
  previewDraft,
  PREVIEW_MAX_LEADS,
  publishVersion,
  liveSource,
  rollbackDraft,
  signDraft,
  versionSource,
  type SlaAdminDeps,
} from "../../app/sla-admin";
import { UnknownConnectionError } from "../../domain/errors";
import { parsePayload } from "../../adapters/parse-payload";

const connectionId = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,200}$/, "a connection id from GET /admin/api/connections");
const yamlText = z.string().min(1, "paste the SLA's YAML").max(1_000_000);
const hash = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, "a version hash (sha256:…) from GET /admin/api/sla/versions");

const bodies = {
  check: z.object({ source: z.string().max(1_000_000) }),
  preview: z.object({
    connectionId,
    draft: yamlText,
    last: z.number().int().min(0).max(PREVIEW_MAX_LEADS).default(25),
    samples: z.string().max(1_000_000).optional(),
  }),
  sign: z.object({
    connectionId,
    source: yamlText,
    team: z.enum(["marketing", "sales"]),
    name: z.string().max(200),
    email: z.string().max(320),
  }),
  publish: z.object({
    connectionId,
    hash,
    source: yamlText.optional(),
    by: z.string().min(1).max(200).default("admin"),
  }),
  rollback: z.object({ connectionId, hash }),
};

const NOT_THIS_ROUTE = "the request body is not what this route takes";

function parse<T>(schema: z.ZodType<T>, body: unknown, hint: string): T {
  return parsePayload(schema, body ?? {}, NOT_THIS_ROUTE, hint);
}

/**
 * The SLA page's API, mounted under `/admin/api` behind the admin token; it mirrors the CLI:
 * - `POST /sla/check` `{ source }` — every problem with line, column and field (`handoff sla lint`)
 * - `POST /sla/preview` `{ connectionId, draft, last?, samples? }` — draft vs live on the last N real leads
 *   and on pasted NDJSON sample leads (`handoff preview`)
 * - `POST /sla/sign` `{ connectionId, source, team, name, email }` (`handoff sla sign`)
 * - `POST /sla/publish` `{ connectionId, hash, source? }` (`handoff sla publish`: both signatures over this hash)
 * - `POST /sla/rollback` `{ connectionId, hash }` — an earlier version's text as the next version, to sign
 * - `GET  /sla/source?connectionId=&hash=` — a stored version's text
 * - `GET  /sla/live?connectionId=` — the text in force (published, or the file an unpublished connection runs on)
 * @example adminApi.use(createSlaAdminRouter({ versions, recentLeads, slaFor, now }));
 */
export function createSlaAdminRouter(deps: SlaAdminDeps): Router {
  const router = Router();
  router.use("/sla", express.json({ limit: "2mb" }));
  /** The request's fields once they match `schema` and name a connection this install has. */
  const forConnection = async <T extends { connectionId: string }>(
    schema: z.ZodType<T>,
    value: unknown,
    hint: string,
  ): Promise<T> => {
    const fields = parse(schema, value, hint);
    if (!(await deps.connectionExists(fields.connectionId))) {
      throw new UnknownConnectionError(fields.connectionId, {
        hint: "Pick a connection from GET /admin/api/connections.",
      });
    }
    return fields;
  };

  router.post("/sla/check", (req, res) => {
    const body = parse(bodies.check, req.body, 'POST { "source": "<SLA YAML>" }');
    res.json(checkDraft(body.source));
  });

  router.post("/sla/preview", async (req, res) => {
    const body = await forConnection(
      bodies.preview,
      req.body,
      'POST { "connectionId", "draft": "<YAML>", "last": 25, "samples": "<NDJSON>" }',
    );
    res.json(
      await previewDraft(deps, {
        connectionId: body.connectionId,
        draft: body.draft,
        last: body.last,
        ...(body.samples ? { samples: body.samples } : {}),
      }),
    );
  });

  router.post("/sla/sign", async (req, res) => {
    const body = await forConnection(
      bodies.sign,
      req.body,
      'POST { "connectionId", "source", "team": "marketing|sales", "name", "email" }',
    );
    res.status(201).json(await signDraft(deps, body));
  });

  router.post("/sla/publish", async (req, res) => {
    const body = await forConnection(bodies.publish, req.body, 'POST { "connectionId", "hash", "source" }');
    res.json(
      await publishVersion(deps, {
        connectionId: body.connectionId,
        hash: body.hash,
        by: body.by,
        ...(body.source === undefined ? {} : { source: body.source }),
      }),
    );
  });

  router.post("/sla/rollback", async (req, res) => {
    const body = await forConnection(bodies.rollback, req.body, 'POST { "connectionId", "hash" }');
    res.json(await rollbackDraft(deps, body));
  });

  router.get("/sla/source", async (req, res) => {
    const query = parse(
      z.object({ connectionId, hash }),
      req.query,
      "GET /admin/api/sla/source?connectionId=&hash=",
    );
    res.json(await versionSource(deps, query.connectionId, query.hash));
  });

  router.get("/sla/live", async (req, res) => {
    const query = await forConnection(
      z.object({ connectionId }),
      req.query,
      "GET /admin/api/sla/live?connectionId=",
    );
    res.json(await liveSource(deps, query.connectionId));
  });

  return router;
}
