import { randomUUID } from "node:crypto";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { searchRecords, searchRequestProblem, type SearchRequest } from "./search";
import { LIFECYCLE_STAGES } from "./seed";
import {
  admitCall,
  associate,
  checkAccessToken,
  emptyStats,
  expireHubSpotTokens,
  HUBSPOT_OBJECT_TYPES,
  HUBSPOT_SANDBOX_DEMO,
  isoNow,
  issueTokens,
  nextObjectId,
  noFaults,
  revokeHubSpotTokens,
  setWithHistory,
  SINGULAR,
  type HubSpotFaults,
  type HubSpotProperty,
  type HubSpotRecord,
  type HubSpotSandboxState,
} from "./state";

export interface HubSpotSandboxRouterOptions {
  /** When set, `/__sandbox/*` admin calls need header `x-sandbox-admin-token`. @default undefined (open) */
  adminToken?: string;
  /** @default "5mb" */
  bodyLimit?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const DEFAULT_PROPERTIES: Record<string, string[]> = {
  contacts: ["createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"],
  companies: ["createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"],
};
const ALWAYS = ["createdate", "hs_object_id", "lastmodifieddate"];

/** HubSpot association type ids (reference §5.4) → the object type they point to. */
const ASSOCIATION_TARGET: Record<number, string> = {
  204: "contacts",
  192: "companies",
  279: "companies",
  1: "companies",
  280: "contacts",
  194: "contacts",
  200: "contacts",
  202: "contacts",
  578: "contacts",
  580: "companies",
};
// Lead → contact 578 and lead → company 580 are the primary associations a Lead must be created with
// (https://developers.hubspot.com/docs/api-reference/crm-leads-v3/guide); their inverses 579/581 (unverified).
const INVERSE_TYPE: Record<string, number> = { contacts: 204, companies: 192, leads: 579 };
const LEADS_PIPELINE = "lead-pipeline-id";
const LEADS_FIRST_STAGE = "new-stage-id";

/**
 * Whether this call may touch the Leads object: the portal must have it and the token must carry the leads scope
 * the method needs. HubSpot answers 403 MISSING_SCOPES with the scopes required
 * (https://developers.hubspot.com/docs/api-reference/latest/crm/objects/leads/guide.md lists them).
 */
function leadsRefusal(
  state: HubSpotSandboxState,
  method: string,
  what: "objects" | "schemas" = "objects",
): Record<string, unknown> | undefined {
  const needed = `crm.${what}.leads.${method === "GET" ? "read" : "write"}`;
  if (state.leadsObject && state.grantedScopes.includes(needed)) return undefined;
  return missingScopes([needed]);
}

/**
 * The scopes (any one of them) an endpoint needs, from HubSpot's scope list
 * (https://developers.hubspot.com/docs/api/working-with-oauth ; reference §4): activities (tasks, calls, e-mails,
 * meetings, notes) use the contacts scopes. Undefined: a valid token is enough, or the route checks its own
 * (Leads, web-analytics events).
 */
export function requiredScopes(method: string, path: string): string[] | undefined {
  const access = method === "GET" || /\/(search|batch\/read)\/?$/.test(path) ? "read" : "write";
  const object = /^\/crm\/v[34]\/objects\/([a-z_]+)/.exec(path)?.[1];
  if (object === "leads") return undefined;
  if (object === "companies") return [`crm.objects.companies.${access}`];
  if (object) return [`crm.objects.contacts.${access}`];
  const schema = /^\/crm\/v3\/properties\/([a-z_]+)/.exec(path)?.[1];
  if (schema === "leads") return undefined;
  if (schema) return [`crm.schemas.${schema === "companies" ? "companies" : "contacts"}.${access}`];
  if (path.startsWith("/crm/v3/owners")) return ["crm.objects.owners.read"];
  if (path.startsWith("/marketing/v3/forms") || path.startsWith("/form-integrations/")) return ["forms"];
  return undefined;
}

/** HubSpot's refusal of a call the granted scopes do not cover (https://developers.hubspot.com/docs/api/scopes). */
function missingScopes(needed: string[]): Record<string, unknown> {
  return errorBody(
    "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
    "MISSING_SCOPES",
    {
      errors: [
        {
          message: "One or more of the following scopes are required.",
          context: { requiredGranularScopes: needed },
        },
      ],
      links: { scopes: "https://developers.hubspot.com/scopes" },
    },
  );
}

function correlationId(): string {
  return randomUUID();
}

function errorBody(
  message: string,
  category: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { status: "error", message, correlationId: correlationId(), category, ...extra };
}

/**
 * Scopes an install grants: the required ones, plus each optional one the portal can give. The Leads object
 * exists only from Sales Hub Professional (reference §0b); optional scopes it cannot give are left out, never
 * refused (https://developers.hubspot.com/docs/api/working-with-oauth, `optional_scope`).
 */
function grantedScopes(
  state: HubSpotSandboxState,
  scope: string | undefined,
  optional: string | undefined,
): string[] {
  const split = (v: string | undefined) => (v ?? "").split(/[\s+]+/).filter(Boolean);
  const available = (s: string) =>
    !(s.startsWith("crm.objects.leads.") || s.startsWith("crm.schemas.leads.")) || state.tier !== "starter";
  return [...new Set(["oauth", ...split(scope), ...split(optional).filter(available)])];
}

/** What a portal below Enterprise gets from the web-analytics Events API. */
export function eventsRefusal(): Record<string, unknown> {
  return errorBody(
    "Your app doesn't the have scopes needed to make this call. Do you have access to the 'business-intelligence' scope?  Missing auth details: event-detail-read,web-analytics-api-access",
    "MISSING_SCOPES",
  );
}

function bearer(req: Request): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(req.get("authorization") ?? "")?.[1]?.trim();
}

/** A property's versions, newest first; a value set without history counts as one version. */
function versionsOf(record: HubSpotRecord, name: string): Record<string, string>[] {
  const kept = record.history?.[name];
  if (kept && kept.length > 0) return kept.map((v) => ({ ...v }));
  const value = record.properties[name];
  return value === null || value === undefined || value === ""
    ? []
    : [{ value, timestamp: record.updatedAt, sourceType: "API" }];
}

function render(
  record: HubSpotRecord,
  objectType: string,
  requested: string[] | undefined,
  withHistory: string[] = [],
): Record<string, unknown> {
  const names = new Set([
    ...(requested && requested.length > 0 ? requested : (DEFAULT_PROPERTIES[objectType] ?? [])),
    ...ALWAYS,
  ]);
  const properties: Record<string, string | null> = {};
  for (const name of names) {
    if (name === "hs_object_id") properties[name] = record.id;
    else if (name === "createdate") properties[name] = record.properties.createdate ?? record.createdAt;
    else if (name === "lastmodifieddate" || name === "hs_lastmodifieddate")
      properties[name] = record.updatedAt;
    else properties[name] = record.properties[name] ?? null;
  }
  return {
    id: record.id,
    properties,
    ...(withHistory.length > 0
      ? { propertiesWithHistory: Object.fromEntries(withHistory.map((n) => [n, versionsOf(record, n)])) }
      : {}),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    archived: record.archived,
  };
}

/** Batch reads that ask for property history take at most 50 inputs (HubSpot's message, PipedreamHQ/pipedream#8462). */
const HISTORY_BATCH_MAX = 50;

function asList(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v.flatMap((x) => String(x).split(","));
  return String(v).split(",");
}

interface PropertyProblem {
  isValid: false;
  message: string;
  error: string;
  name: string;
}

/** Checks written values the way HubSpot does (unknown property, option not allowed, not a number). */
function propertyProblems(
  state: HubSpotSandboxState,
  objectType: string,
  values: Record<string, unknown>,
): PropertyProblem[] {
  const defs = state.properties.get(objectType) ?? new Map<string, HubSpotProperty>();
  const problems: PropertyProblem[] = [];
  for (const [name, raw] of Object.entries(values)) {
    const def = defs.get(name);
    const value = raw === null || raw === undefined ? "" : String(raw);
    if (!def) {
      problems.push({
        isValid: false,
        message: `Property "${name}" does not exist`,
        error: "PROPERTY_DOESNT_EXIST",
        name,
      });
      continue;
    }
    if (value === "") continue;
    if (name === "hubspot_owner_id") {
      if (!state.owners.some((o) => o.id === value && !o.archived)) {
        problems.push({
          isValid: false,
          message: `${value} is not a valid owner id`,
          error: "INVALID_OWNER_ID",
          name,
        });
      }
    } else if (def.type === "enumeration" && def.options.length > 0 && def.fieldType !== "checkbox") {
      if (!def.options.some((o) => o.value === value)) {
        problems.push({
          isValid: false,
          message: `${value} was not one of the allowed options: [${def.options.map((o) => o.value).join(", ")}]`,
          error: "INVALID_OPTION",
          name,
        });
      }
    } else if (def.type === "number" && !Number.isFinite(Number(value))) {
      problems.push({
        isValid: false,
        message: `${value} is not a valid number`,
        error: "INVALID_INTEGER",
        name,
      });
    } else if (
      (def.type === "datetime" || def.type === "date") &&
      !/^\d+$/.test(value) &&
      !Number.isFinite(Date.parse(value))
    ) {
      problems.push({ isValid: false, message: `${value} is not a valid date`, error: "INVALID_DATE", name });
    }
  }
  return problems;
}

function validationError(res: Response, problems: PropertyProblem[]): void {
  res
    .status(400)
    .json(errorBody(`Property values were not valid: ${JSON.stringify(problems)}`, "VALIDATION_ERROR"));
}

/** Writes values onto a record as HubSpot does: "" clears, lifecycle stage never moves backwards. */
function applyProperties(
  state: HubSpotSandboxState,
  record: HubSpotRecord,
  values: Record<string, unknown>,
): void {
  for (const [name, raw] of Object.entries(values)) {
    const value = raw === null || raw === undefined ? "" : String(raw);
    if (name === "lifecyclestage" && value !== "") {
      const current = record.properties.lifecyclestage;
      const from = current ? LIFECYCLE_STAGES.indexOf(current) : -1;
      const to = LIFECYCLE_STAGES.indexOf(value);
      // A direct set to an earlier stage is ignored (reference §6): clear first, then set.
      if (from >= 0 && to >= 0 && to < from) continue;
    }
    if (name === "hubspot_owner_id" && value !== (record.properties.hubspot_owner_id ?? "")) {
      record.properties.hubspot_owner_assigneddate = value === "" ? null : isoNow(state);
    }
    if (record.history?.[name] && value !== "")
      setWithHistory(record, name, value, isoNow(state), "INTEGRATION");
    record.properties[name] = value === "" ? null : value;
  }
  record.updatedAt = isoNow(state);
  record.properties.lastmodifieddate = record.updatedAt;
  state.stats.recordsUpdated += 1;
}

function findBy(
  records: Map<string, HubSpotRecord>,
  id: string,
  idProperty: string | undefined,
): HubSpotRecord | undefined {
  if (!idProperty || idProperty === "hs_object_id") {
    const r = records.get(id);
    return r && !r.archived ? r : undefined;
  }
  const wanted = id.toLowerCase();
  for (const r of records.values()) {
    if (!r.archived && (r.properties[idProperty] ?? "").toLowerCase() === wanted) return r;
  }
  return undefined;
}

function createRecord(
  state: HubSpotSandboxState,
  objectType: string,
  properties: Record<string, unknown>,
): HubSpotRecord {
  const id = nextObjectId(state);
  const now = isoNow(state);
  const record: HubSpotRecord = { id, properties: {}, createdAt: now, updatedAt: now, archived: false };
  applyProperties(state, record, properties);
  record.properties.createdate ??= now;
  record.properties.hs_createdate ??= now;
  record.properties.hs_object_id = id;
  state.stats.recordsUpdated -= 1;
  state.objects.get(objectType)!.set(id, record);
  return record;
}

function renderProperty(p: HubSpotProperty): Record<string, unknown> {
  return {
    ...p,
    displayOrder: -1,
    hasUniqueValue: false,
    formField: false,
    calculated: false,
    externalOptions: false,
    modificationMetadata: {
      archivable: !p.hubspotDefined,
      readOnlyDefinition: p.hubspotDefined,
      readOnlyValue: false,
    },
  };
}

/**
 * The HubSpot half of the CRM sandbox: the API subset the adapter uses (contacts/companies/tasks objects,
 * batch read/update, search at 5/s, owners incl. archived, associations v4, properties and groups, web
 * analytics events, form submissions, OAuth), with HubSpot's real limits (110 requests per rolling 10 s per
 * portal for OAuth apps; per tier for private apps, with a daily cap — see `hubspotRateLimits` → 429 with
 * `X-HubSpot-RateLimit-*` and the RATE_LIMIT body), and fault injection under
 * `/__sandbox`. Mount it at `/hubspot`; that URL is the adapter's `basePath`.
 *
 * @example app.use("/hubspot", createHubSpotSandboxRouter(createHubSpotSandboxState()))
 */
export function createHubSpotSandboxRouter(
  state: HubSpotSandboxState,
  options: HubSpotSandboxRouterOptions = {},
): Router {
  const router = express.Router();
  const bodyLimit = options.bodyLimit ?? "5mb";
  router.use(express.json({ limit: bodyLimit }));
  router.use(express.urlencoded({ extended: false, limit: "64kb" }));

  // ---- Admin: faults, limits, tokens, stats (never counted, never rate-limited) ----
  const admin = express.Router();
  admin.use((req, res, next) => {
    if (options.adminToken && req.get("x-sandbox-admin-token") !== options.adminToken) {
      res.status(401).json({
        error: "unauthorized",
        message: "sandbox admin token required",
        hint: "Send x-sandbox-admin-token.",
      });
      return;
    }
    next();
  });
  admin.post("/faults", (req, res) => {
    const b = (req.body ?? {}) as Partial<Record<keyof HubSpotFaults, unknown>>;
    const f = state.faults;
    if (b.latencyMs !== undefined) f.latencyMs = Math.max(0, Number(b.latencyMs) || 0);
    if (b.failRate !== undefined) f.failRate = Math.min(1, Math.max(0, Number(b.failRate) || 0));
    if (b.count !== undefined) f.count = Math.max(0, Math.floor(Number(b.count) || 0));
    if (b.status !== undefined) f.status = Number(b.status) || 503;
    if (b.pathIncludes !== undefined) f.pathIncludes = b.pathIncludes ? String(b.pathIncludes) : undefined;
    res.json(f);
  });
  admin.delete("/faults", (_req, res) => {
    state.faults = noFaults();
    res.json(state.faults);
  });
  admin.get("/stats", (_req, res) => {
    res.json({
      ...state.stats,
      tenSecondWindow: state.windows.tenSecond.length,
      limit: state.tenSecondLimit,
    });
  });
  admin.post("/stats/reset", (_req, res) => {
    state.stats = emptyStats();
    res.json(state.stats);
  });
  admin.post("/limits", (req, res) => {
    const b = (req.body ?? {}) as { tenSecondLimit?: unknown; searchPerSecond?: unknown };
    if (b.tenSecondLimit !== undefined)
      state.tenSecondLimit = Math.max(1, Math.floor(Number(b.tenSecondLimit) || 1));
    if (b.searchPerSecond !== undefined)
      state.searchPerSecond = Math.max(1, Math.floor(Number(b.searchPerSecond) || 1));
    res.json({ tenSecondLimit: state.tenSecondLimit, searchPerSecond: state.searchPerSecond });
  });
  admin.post("/tokens/expire", (req, res) => {
    const token = (req.body as { token?: string } | undefined)?.token;
    res.json({ expired: expireHubSpotTokens(state, token) });
  });
  admin.post("/tokens/revoke", (_req, res) => {
    revokeHubSpotTokens(state);
    res.json({ revoked: true });
  });
  router.use("/__sandbox", admin);

  // ---- OAuth ----
  const authorize = (req: Request, res: Response): void => {
    const q = req.query as Record<string, string | undefined>;
    if (q.client_id !== state.clientId || !q.redirect_uri) {
      res
        .status(400)
        .type("text/plain")
        .send("Authorization failed: unknown client_id or missing redirect_uri.");
      return;
    }
    const code = `sandbox-code-${randomUUID()}`;
    state.authCodes.set(code, {
      redirectUri: q.redirect_uri,
      expiresAt: state.now() + 10 * 60_000,
      scopes: grantedScopes(state, q.scope, q.optional_scope),
    });
    const target = new URL(q.redirect_uri);
    target.searchParams.set("code", code);
    if (q.state !== undefined) target.searchParams.set("state", q.state);
    res.redirect(302, target.toString());
  };
  router.get("/oauth/authorize", authorize);
  router.get("/oauth/:portalId/authorize", authorize);

  router.post("/oauth/v1/token", (req, res) => {
    const b = (req.body ?? {}) as Record<string, string | undefined>;
    const fail = (status: string, message: string): void => {
      res.status(400).json({ status, message, correlationId: correlationId() });
    };
    if (b.client_id !== state.clientId) return fail("BAD_CLIENT_ID", "missing or invalid client_id");
    if (b.client_secret !== state.clientSecret)
      return fail("BAD_CLIENT_SECRET", "missing or invalid client_secret");
    let refresh: string | undefined;
    let scopes: readonly string[] = HUBSPOT_SANDBOX_DEMO.scopes;
    if (b.grant_type === "authorization_code") {
      const code = b.code ? state.authCodes.get(b.code) : undefined;
      if (!code || code.expiresAt < state.now()) return fail("BAD_AUTH_CODE", "missing or unknown auth code");
      if (code.redirectUri !== b.redirect_uri) return fail("BAD_REDIRECT_URI", "redirect_uri does not match");
      state.authCodes.delete(b.code!);
      scopes = code.scopes;
    } else if (b.grant_type === "refresh_token") {
      const entry = b.refresh_token ? state.refreshTokens.get(b.refresh_token) : undefined;
      if (!entry || entry.revoked) return fail("BAD_REFRESH_TOKEN", "missing or unknown refresh token");
      refresh = b.refresh_token;
    } else {
      return fail("BAD_GRANT_TYPE", "grant_type must be authorization_code or refresh_token");
    }
    const tokens = issueTokens(state, refresh);
    res.json({
      token_type: "bearer",
      refresh_token: tokens.refresh,
      access_token: tokens.access,
      expires_in: Math.round(state.tokenTtlMs / 1000),
      hub_id: state.portalId,
      scopes,
    });
  });

  router.get("/oauth/v1/access-tokens/:token", (req, res) => {
    const entry = state.accessTokens.get(req.params.token);
    if (!entry || entry.revoked || entry.expiresAt <= state.now()) {
      res.status(404).json(errorBody("Token not found or expired", "OBJECT_NOT_FOUND"));
      return;
    }
    res.json({
      token: req.params.token,
      user: "admin@handoff-demo.example",
      hub_domain: "handoff-demo.example",
      scopes: state.grantedScopes,
      hub_id: state.portalId,
      app_id: state.appId,
      expires_in: Number.isFinite(entry.expiresAt)
        ? Math.round((entry.expiresAt - state.now()) / 1000)
        : 1800,
      user_id: 5100007,
      token_type: "access",
    });
  });

  router.delete("/oauth/v1/refresh-tokens/:token", (req, res) => {
    const entry = state.refreshTokens.get(req.params.token);
    if (entry) entry.revoked = true;
    res.status(204).end();
  });

  // ---- The API gate: latency, auth, the real limits, injected faults, counting ----
  const gate =
    (search: boolean) =>
    async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      const f = state.faults;
      if (f.latencyMs > 0) await sleep(f.latencyMs);
      const auth = checkAccessToken(state, bearer(req));
      if (!auth.ok) {
        res.status(401).json(errorBody(auth.message, auth.category));
        return;
      }
      const needed = requiredScopes(req.method, req.path);
      if (needed && !needed.some((scope) => state.grantedScopes.includes(scope))) {
        res.status(403).json(missingScopes(needed));
        return;
      }
      state.stats.apiCalls += 1;
      if (search) state.stats.searchCalls += 1;
      const route = `${req.method} ${req.route ? String((req.route as { path: string }).path) : req.path}`;
      state.stats.byRoute[route] = (state.stats.byRoute[route] ?? 0) + 1;
      const admitted = admitCall(state, search);
      if (!admitted.ok) {
        state.stats.rateLimited += 1;
        if (!search) {
          res.set({
            ...dailyHeaders(state, admitted.policy === "DAILY" ? 0 : undefined),
            "X-HubSpot-RateLimit-Interval-Milliseconds": String(state.rateWindowMs),
            "X-HubSpot-RateLimit-Max": String(state.tenSecondLimit),
            "X-HubSpot-RateLimit-Remaining": admitted.policy === "DAILY" ? String(state.tenSecondLimit) : "0",
          });
        }
        res.status(429).json({
          status: "error",
          message: search
            ? "You have reached your secondly limit."
            : admitted.policy === "DAILY"
              ? "You have reached your daily limit."
              : "You have reached your ten_secondly_rolling limit.",
          errorType: "RATE_LIMIT",
          correlationId: correlationId(),
          policyName: admitted.policy,
          requestId: randomUUID(),
        });
        return;
      }
      if (!search) {
        res.set({
          ...dailyHeaders(state, admitted.dailyRemaining),
          "X-HubSpot-RateLimit-Interval-Milliseconds": String(state.rateWindowMs),
          "X-HubSpot-RateLimit-Max": String(state.tenSecondLimit),
          "X-HubSpot-RateLimit-Remaining": String(admitted.remaining),
        });
      }
      const pathHit = f.pathIncludes === undefined || req.originalUrl.includes(f.pathIncludes);
      const inject = pathHit && (f.count > 0 || (f.failRate > 0 && state.random() < f.failRate));
      if (inject) {
        if (f.count > 0) f.count -= 1;
        state.stats.faultsInjected += 1;
        if (f.status === 429) {
          res.status(429).json({
            status: "error",
            message: "You have reached your ten_secondly_rolling limit.",
            errorType: "RATE_LIMIT",
            correlationId: correlationId(),
            policyName: "TEN_SECONDLY_ROLLING",
            requestId: randomUUID(),
          });
        } else {
          res
            .status(f.status)
            .json(errorBody("internal error", f.status >= 500 ? "INTERNAL_ERROR" : "VALIDATION_ERROR"));
        }
        return;
      }
      next();
    };
  const api = gate(false);

  const objectsFor = (req: Request, res: Response): Map<string, HubSpotRecord> | undefined => {
    const type = String(req.params.objectType);
    // Search and batch read are POSTs that only read.
    const reads = req.method === "GET" || /\/(search|batch\/read)$/.test(req.path);
    const refused = type === "leads" ? leadsRefusal(state, reads ? "GET" : req.method) : undefined;
    if (refused) {
      res.status(403).json(refused);
      return undefined;
    }
    const records = state.objects.get(type);
    if (!records) {
      res.status(400).json(errorBody(`Unable to infer object type from: ${type}`, "VALIDATION_ERROR"));
      return undefined;
    }
    return records;
  };

  // ---- Objects ----
  router.post("/crm/v3/objects/:objectType/search", gate(true), (req, res) => {
    const records = objectsFor(req, res);
    if (!records) return;
    const body = (req.body ?? {}) as SearchRequest;
    const problem = searchRequestProblem(body);
    if (problem) {
      res.status(400).json(errorBody(problem, "VALIDATION_ERROR"));
      return;
    }
    const type = String(req.params.objectType);
    const result = searchRecords(state, type, records.values(), body);
    res.json({
      total: result.total,
      results: result.page.map((r) => render(r, type, body.properties)),
      ...(result.nextAfter ? { paging: { next: { after: result.nextAfter, link: "" } } } : {}),
    });
  });

  router.post("/crm/v3/objects/:objectType/batch/read", api, (req, res) => {
    const records = objectsFor(req, res);
    if (!records) return;
    const type = String(req.params.objectType);
    const body = (req.body ?? {}) as {
      properties?: string[];
      propertiesWithHistory?: string[];
      inputs?: { id: string }[];
      idProperty?: string;
    };
    const inputs = body.inputs ?? [];
    if (inputs.length > 100) {
      res.status(400).json(errorBody("Batch size of 100 exceeded", "VALIDATION_ERROR"));
      return;
    }
    const withHistory = body.propertiesWithHistory ?? [];
    if (withHistory.length > 0 && inputs.length > HISTORY_BATCH_MAX) {
      res
        .status(400)
        .json(
          errorBody(
            `The maximum number of inputs supported in a batch request for property histories is ${HISTORY_BATCH_MAX}. Please reduce the number of items and try again`,
            "VALIDATION_ERROR",
          ),
        );
      return;
    }
    const startedAt = isoNow(state);
    const found: HubSpotRecord[] = [];
    const missing: string[] = [];
    for (const input of inputs) {
      const r = findBy(records, String(input.id), body.idProperty);
      if (r) found.push(r);
      else missing.push(String(input.id));
    }
    const results = found.map((r) => render(r, type, body.properties, withHistory));
    const done = { status: "COMPLETE", results, startedAt, completedAt: isoNow(state) };
    if (missing.length === 0) {
      res.status(200).json(done);
      return;
    }
    res.status(207).json({
      ...done,
      numErrors: 1,
      errors: [
        {
          status: "error",
          category: "OBJECT_NOT_FOUND",
          message: `Could not get some ${SINGULAR[type]?.toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`,
          context: { ids: missing },
        },
      ],
    });
  });

  router.post("/crm/v3/objects/:objectType/batch/update", api, (req, res) => {
    const records = objectsFor(req, res);
    if (!records) return;
    const type = String(req.params.objectType);
    const inputs =
      ((req.body ?? {}) as { inputs?: { id: string; properties?: Record<string, unknown> }[] }).inputs ?? [];
    if (inputs.length > 100) {
      res.status(400).json(errorBody("Batch size of 100 exceeded", "VALIDATION_ERROR"));
      return;
    }
    const ids = inputs.map((i) => String(i.id));
    if (new Set(ids).size !== ids.length) {
      res.status(400).json(errorBody("Duplicate IDs found in batch input", "VALIDATION_ERROR"));
      return;
    }
    const problems = inputs.flatMap((i) => propertyProblems(state, type, i.properties ?? {}));
    if (problems.length > 0) {
      validationError(res, problems);
      return;
    }
    const startedAt = isoNow(state);
    const updated: HubSpotRecord[] = [];
    const missing: string[] = [];
    for (const input of inputs) {
      const r = findBy(records, String(input.id), undefined);
      if (!r) {
        missing.push(String(input.id));
        continue;
      }
      applyProperties(state, r, input.properties ?? {});
      updated.push(r);
    }
    const results = updated.map((r) =>
      render(r, type, Object.keys(inputs.find((i) => String(i.id) === r.id)?.properties ?? {})),
    );
    const done = { status: "COMPLETE", results, startedAt, completedAt: isoNow(state) };
    if (missing.length === 0) {
      res.json(done);
      return;
    }
    res.status(207).json({
      ...done,
      numErrors: missing.length,
      errors: missing.map((id) => ({
        status: "error",
        category: "OBJECT_NOT_FOUND",
        message: `Object not found. objectId are usually numeric.`,
        context: { id: [id] },
      })),
    });
  });

  router.get("/crm/v3/objects/:objectType/:id", api, (req, res) => {
    const records = objectsFor(req, res);
    if (!records) return;
    const r = findBy(records, String(req.params.id), req.query.idProperty as string | undefined);
    if (!r) {
      res.status(404).json(errorBody("Object not found.  objectId are usually numeric.", "OBJECT_NOT_FOUND"));
      return;
    }
    res.json(
      render(
        r,
        String(req.params.objectType),
        asList(req.query.properties),
        asList(req.query.propertiesWithHistory) ?? [],
      ),
    );
  });

  router.patch("/crm/v3/objects/:objectType/:id", api, (req, res) => {
    const records = objectsFor(req, res);
    if (!records) return;
    const type = String(req.params.objectType);
    const r = findBy(records, String(req.params.id), undefined);
    if (!r) {
      res.status(404).json(errorBody("Object not found.  objectId are usually numeric.", "OBJECT_NOT_FOUND"));
      return;
    }
    const values = ((req.body ?? {}) as { properties?: Record<string, unknown> }).properties ?? {};
    const problems = propertyProblems(state, type, values);
    if (problems.length > 0) {
      validationError(res, problems);
      return;
    }
    applyProperties(state, r, values);
    res.json(render(r, type, Object.keys(values)));
  });

  type CreateInput = {
    properties?: Record<string, unknown>;
    associations?: {
      to?: { id?: string };
      types?: { associationCategory?: string; associationTypeId?: number }[];
    }[];
  };
  type Prepared = { ok: true; commit: () => HubSpotRecord } | { ok: false; status: number; body: unknown };

  /** Validates one create (properties, required hs_timestamp, unique e-mail, associations) without writing. */
  const prepareCreate = (type: string, records: Map<string, HubSpotRecord>, input: CreateInput): Prepared => {
    const values = input.properties ?? {};
    const invalid = (problems: PropertyProblem[]): Prepared => ({
      ok: false,
      status: 400,
      body: errorBody(`Property values were not valid: ${JSON.stringify(problems)}`, "VALIDATION_ERROR"),
    });
    const problems = propertyProblems(state, type, values);
    if (problems.length > 0) return invalid(problems);
    if (["tasks", "calls", "emails", "meetings", "notes"].includes(type) && !values.hs_timestamp) {
      return invalid([
        {
          isValid: false,
          message: "hs_timestamp is required",
          error: "REQUIRED_FIELD",
          name: "hs_timestamp",
        },
      ]);
    }
    if (type === "leads") {
      // A Lead needs a name and an existing contact (https://developers.hubspot.com/docs/api-reference/crm-leads-v3/guide).
      if (!values.hs_lead_name) {
        return invalid([
          {
            isValid: false,
            message: "hs_lead_name is required",
            error: "REQUIRED_FIELD",
            name: "hs_lead_name",
          },
        ]);
      }
      const toContact = (input.associations ?? []).some(
        (a) =>
          state.objects.get("contacts")?.has(String(a.to?.id ?? "")) &&
          (a.types ?? []).some((t) => t.associationTypeId === 578),
      );
      if (!toContact) {
        return {
          ok: false,
          status: 400,
          body: errorBody(
            "A lead must be associated with an existing contact (associationTypeId 578).",
            "VALIDATION_ERROR",
          ),
        };
      }
      values.hs_pipeline ??= LEADS_PIPELINE;
      values.hs_pipeline_stage ??= LEADS_FIRST_STAGE;
    }
    if (type === "contacts" && values.email) {
      const existing = findBy(records, String(values.email), "email");
      if (existing) {
        return {
          ok: false,
          status: 409,
          body: errorBody(`Contact already exists. Existing ID: ${existing.id}`, "CONFLICT"),
        };
      }
    }
    const links: { toType: string; toId: string; typeId: number }[] = [];
    for (const a of input.associations ?? []) {
      for (const t of a.types ?? []) {
        const toType = ASSOCIATION_TARGET[t.associationTypeId ?? -1];
        const toId = String(a.to?.id ?? "");
        if (!toType || !state.objects.get(toType)?.get(toId)) {
          return {
            ok: false,
            status: 400,
            body: errorBody(`Invalid association: ${t.associationTypeId} to ${toId}`, "VALIDATION_ERROR"),
          };
        }
        links.push({ toType, toId, typeId: t.associationTypeId! });
      }
    }
    return {
      ok: true,
      commit: () => {
        const r = createRecord(state, type, values);
        for (const l of links) {
          associate(state, { type, id: r.id }, { type: l.toType, id: l.toId }, l.typeId);
          associate(
            state,
            { type: l.toType, id: l.toId },
            { type, id: r.id },
            INVERSE_TYPE[type] ?? l.typeId,
          );
        }
        return r;
      },
    };
  };

  router.post("/crm/v3/objects/:objectType/batch/create", api, (req, res) => {
    const records = objectsFor(req, res);
    if (!records) return;
    const type = String(req.params.objectType);
    const inputs = ((req.body ?? {}) as { inputs?: CreateInput[] }).inputs ?? [];
    if (inputs.length > 100) {
      res.status(400).json(errorBody("Batch size of 100 exceeded", "VALIDATION_ERROR"));
      return;
    }
    // All or nothing, like HubSpot's batch create without objectWriteTraceId.
    const prepared = inputs.map((input) => prepareCreate(type, records, input));
    const failed = prepared.find((p): p is Extract<Prepared, { ok: false }> => !p.ok);
    if (failed) {
      res.status(failed.status).json(failed.body);
      return;
    }
    const startedAt = isoNow(state);
    const created = prepared.map((p, i) =>
      render((p as Extract<Prepared, { ok: true }>).commit(), type, Object.keys(inputs[i]?.properties ?? {})),
    );
    res.status(201).json({ status: "COMPLETE", results: created, startedAt, completedAt: isoNow(state) });
  });

  router.post("/crm/v3/objects/:objectType", api, (req, res) => {
    const records = objectsFor(req, res);
    if (!records) return;
    const type = String(req.params.objectType);
    const input = (req.body ?? {}) as CreateInput;
    const prepared = prepareCreate(type, records, input);
    if (!prepared.ok) {
      res.status(prepared.status).json(prepared.body);
      return;
    }
    res.status(201).json(render(prepared.commit(), type, Object.keys(input.properties ?? {})));
  });

  // ---- Associations v4 ----
  router.get("/crm/v4/objects/:fromType/:fromId/associations/:toType", api, (req, res) => {
    const refused =
      req.params.fromType === "leads" || req.params.toType === "leads"
        ? leadsRefusal(state, "GET")
        : undefined;
    if (refused) {
      res.status(403).json(refused);
      return;
    }
    const list = (state.associations.get(`${req.params.fromType}/${req.params.fromId}`) ?? []).filter(
      (a) => a.toType === req.params.toType,
    );
    const byId = new Map<string, { category: string; typeId: number; label: null }[]>();
    for (const a of list)
      byId.set(a.toId, [
        ...(byId.get(a.toId) ?? []),
        { category: a.category, typeId: a.typeId, label: null },
      ]);
    res.json({
      results: [...byId].map(([toObjectId, associationTypes]) => ({
        toObjectId: Number(toObjectId),
        associationTypes,
      })),
    });
  });

  router.put("/crm/v4/objects/:fromType/:fromId/associations/default/:toType/:toId", api, (req, res) => {
    const fromType = String(req.params.fromType);
    const fromId = String(req.params.fromId);
    const toType = String(req.params.toType);
    const toId = String(req.params.toId);
    if (!state.objects.get(fromType)?.get(fromId) || !state.objects.get(toType)?.get(toId)) {
      res.status(404).json(errorBody("Object not found.", "OBJECT_NOT_FOUND"));
      return;
    }
    associate(state, { type: fromType, id: fromId }, { type: toType, id: toId }, INVERSE_TYPE[toType] ?? 0);
    associate(state, { type: toType, id: toId }, { type: fromType, id: fromId }, INVERSE_TYPE[fromType] ?? 0);
    res.json({ status: "COMPLETE", results: [{ from: { id: fromId }, to: { id: toId } }] });
  });

  // ---- Owners ----
  const renderOwner = (o: (typeof state.owners)[number]): Record<string, unknown> => ({ ...o });
  router.get("/crm/v3/owners", api, (req, res) => {
    const archived = String(req.query.archived ?? "false") === "true";
    const email = req.query.email ? String(req.query.email).toLowerCase() : undefined;
    const limit = Math.min(500, Number(req.query.limit ?? 100) || 100);
    const after = Number(req.query.after ?? 0) || 0;
    const all = state.owners.filter((o) => o.archived === archived && (!email || o.email === email));
    const page = all.slice(after, after + limit);
    res.json({
      results: page.map(renderOwner),
      ...(after + limit < all.length ? { paging: { next: { after: String(after + limit), link: "" } } } : {}),
    });
  });
  router.get("/crm/v3/owners/:ownerId", api, (req, res) => {
    const byUser = req.query.idProperty === "userId";
    const archived = String(req.query.archived ?? "false") === "true";
    const o = state.owners.find(
      (x) =>
        (byUser ? String(x.userIdIncludingInactive) === req.params.ownerId : x.id === req.params.ownerId) &&
        x.archived === archived,
    );
    if (!o) {
      res.status(404).json(errorBody(`Owner ${req.params.ownerId} not found`, "OBJECT_NOT_FOUND"));
      return;
    }
    res.json(renderOwner(o));
  });

  // ---- Properties and groups ----
  // Lead properties and groups need the leads schema scopes (and a portal with Leads).
  router.use("/crm/v3/properties/leads", (req, res, next) => {
    const reads = req.method === "GET" || req.path.endsWith("/batch/read");
    const refused = leadsRefusal(state, reads ? "GET" : req.method, "schemas");
    if (refused && checkAccessToken(state, bearer(req)).ok) {
      res.status(403).json(refused);
      return;
    }
    next();
  });
  const propsFor = (req: Request, res: Response): Map<string, HubSpotProperty> | undefined => {
    const props = state.properties.get(String(req.params.objectType));
    if (!props)
      res
        .status(400)
        .json(errorBody(`Unable to infer object type from: ${req.params.objectType}`, "VALIDATION_ERROR"));
    return props;
  };
  router.get("/crm/v3/properties/:objectType/groups", api, (req, res) => {
    const groups = state.groups.get(String(req.params.objectType));
    res.json({ results: [...(groups?.values() ?? [])] });
  });
  router.get("/crm/v3/properties/:objectType/groups/:groupName", api, (req, res) => {
    const group = state.groups.get(String(req.params.objectType))?.get(String(req.params.groupName));
    if (!group) {
      res
        .status(404)
        .json(errorBody(`Unable to find property group ${req.params.groupName}`, "OBJECT_NOT_FOUND"));
      return;
    }
    res.json(group);
  });
  router.post("/crm/v3/properties/:objectType/groups", api, (req, res) => {
    const groups = state.groups.get(String(req.params.objectType));
    const b = (req.body ?? {}) as { name?: string; label?: string; displayOrder?: number };
    if (!groups || !b.name || !b.label) {
      res.status(400).json(errorBody("name and label are required", "VALIDATION_ERROR"));
      return;
    }
    if (groups.has(b.name)) {
      res
        .status(409)
        .json(errorBody(`Property group named '${b.name}' already exists.`, "OBJECT_ALREADY_EXISTS"));
      return;
    }
    const group = {
      name: b.name,
      label: b.label,
      displayOrder: b.displayOrder ?? groups.size,
      archived: false,
    };
    groups.set(b.name, group);
    res.status(201).json(group);
  });

  const newProperty = (
    objectType: string,
    b: Partial<HubSpotProperty>,
  ): { property: HubSpotProperty } | { problem: string; status: number; category: string } => {
    const props = state.properties.get(objectType)!;
    if (!b.name || !b.label || !b.type || !b.fieldType || !b.groupName) {
      return {
        problem: "name, label, type, fieldType and groupName are required",
        status: 400,
        category: "VALIDATION_ERROR",
      };
    }
    if (!state.groups.get(objectType)?.has(b.groupName)) {
      return {
        problem: `Property group ${b.groupName} does not exist`,
        status: 400,
        category: "VALIDATION_ERROR",
      };
    }
    if (props.has(b.name)) {
      return {
        problem: `Property named '${b.name}' already exists.`,
        status: 409,
        category: "OBJECT_ALREADY_EXISTS",
      };
    }
    const now = isoNow(state);
    const property: HubSpotProperty = {
      name: b.name,
      label: b.label,
      type: b.type,
      fieldType: b.fieldType,
      groupName: b.groupName,
      description: b.description ?? "",
      options: b.options ?? [],
      hidden: b.hidden ?? false,
      hubspotDefined: false,
      createdAt: now,
      updatedAt: now,
    };
    props.set(property.name, property);
    return { property };
  };

  router.post("/crm/v3/properties/:objectType/batch/create", api, (req, res) => {
    if (!propsFor(req, res)) return;
    const inputs = ((req.body ?? {}) as { inputs?: Partial<HubSpotProperty>[] }).inputs ?? [];
    const results: Record<string, unknown>[] = [];
    const errors: Record<string, unknown>[] = [];
    for (const input of inputs) {
      const made = newProperty(String(req.params.objectType), input);
      if ("property" in made) results.push(renderProperty(made.property));
      else
        errors.push({
          status: "error",
          category: made.category,
          message: made.problem,
          context: { name: [input.name] },
        });
    }
    const body = { status: "COMPLETE", results, startedAt: isoNow(state), completedAt: isoNow(state) };
    if (errors.length === 0) res.status(201).json(body);
    else res.status(207).json({ ...body, numErrors: errors.length, errors });
  });
  router.post("/crm/v3/properties/:objectType/batch/read", api, (req, res) => {
    const props = propsFor(req, res);
    if (!props) return;
    const inputs = ((req.body ?? {}) as { inputs?: { name: string }[] }).inputs ?? [];
    const found = inputs.map((i) => props.get(i.name)).filter((p): p is HubSpotProperty => p !== undefined);
    const missing = inputs.map((i) => i.name).filter((n) => !props.has(n));
    const body = {
      status: "COMPLETE",
      results: found.map(renderProperty),
      startedAt: isoNow(state),
      completedAt: isoNow(state),
    };
    if (missing.length === 0) res.json(body);
    else
      res.status(207).json({
        ...body,
        numErrors: missing.length,
        errors: missing.map((n) => ({
          status: "error",
          category: "OBJECT_NOT_FOUND",
          message: `Property ${n} does not exist`,
          context: { name: [n] },
        })),
      });
  });
  router.get("/crm/v3/properties/:objectType", api, (req, res) => {
    const props = propsFor(req, res);
    if (!props) return;
    res.json({ results: [...props.values()].map(renderProperty) });
  });
  router.get("/crm/v3/properties/:objectType/:propertyName", api, (req, res) => {
    const props = propsFor(req, res);
    if (!props) return;
    const p = props.get(String(req.params.propertyName));
    if (!p) {
      res
        .status(404)
        .json(errorBody(`Unable to find property ${req.params.propertyName}`, "OBJECT_NOT_FOUND"));
      return;
    }
    res.json(renderProperty(p));
  });
  router.post("/crm/v3/properties/:objectType", api, (req, res) => {
    if (!propsFor(req, res)) return;
    const made = newProperty(String(req.params.objectType), (req.body ?? {}) as Partial<HubSpotProperty>);
    if ("property" in made) res.status(201).json(renderProperty(made.property));
    else res.status(made.status).json(errorBody(made.problem, made.category));
  });

  // ---- Web analytics events (Enterprise portals) ----
  router.get("/events/v3/events", api, (req, res) => {
    // Enterprise only, on every hub (https://developers.hubspot.com/docs/api/events/event-analytics; reference
    // §0b). Below it HubSpot answers 403 MISSING_SCOPES naming the web-analytics access the portal lacks
    // (the body seen in PipedreamHQ/pipedream#11810).
    if (state.tier !== "enterprise") {
      res.status(403).json(eventsRefusal());
      return;
    }
    const q = req.query as Record<string, string | undefined>;
    let events = state.webEvents.filter(
      (e) =>
        (!q.objectType || e.objectType === q.objectType) &&
        (!q.objectId || e.objectId === q.objectId) &&
        (!q.eventType || e.eventType === q.eventType) &&
        (!q.occurredAfter || e.occurredAt > q.occurredAfter) &&
        (!q.occurredBefore || e.occurredAt < q.occurredBefore),
    );
    const ascending = q.sort === "occurredAt";
    events = events.sort((a, b) => (ascending ? 1 : -1) * a.occurredAt.localeCompare(b.occurredAt));
    const limit = Math.min(1000, Number(q.limit ?? 100) || 100);
    const after = Number(q.after ?? 0) || 0;
    const page = events.slice(after, after + limit);
    res.json({
      results: page.map((e) => ({ ...e, objectId: e.objectId })),
      ...(after + limit < events.length
        ? { paging: { next: { after: String(after + limit), link: "" } } }
        : {}),
    });
  });

  // ---- Forms and submissions ----
  // Forms come a page at a time (default 20, at most 100), with `paging.next.after` while more remain
  // (https://developers.hubspot.com/docs/api/marketing/forms, "Retrieve forms").
  router.get("/marketing/v3/forms", api, (req, res) => {
    const limit = Math.min(100, Math.max(1, Number(req.query.limit ?? 20) || 20));
    const after = Number(req.query.after ?? 0) || 0;
    const all = [...state.forms.values()];
    res.json({
      results: all.slice(after, after + limit).map((f) => ({
        id: f.id,
        name: f.name,
        formType: "hubspot",
        createdAt: "2026-01-05T09:00:00.000Z",
        updatedAt: "2026-01-05T09:00:00.000Z",
        archived: false,
      })),
      ...(after + limit < all.length ? { paging: { next: { after: String(after + limit), link: "" } } } : {}),
    });
  });
  router.get("/form-integrations/v1/submissions/forms/:formGuid", api, (req, res) => {
    const form = state.forms.get(String(req.params.formGuid));
    if (!form) {
      res.status(404).json(errorBody(`Form ${req.params.formGuid} not found`, "OBJECT_NOT_FOUND"));
      return;
    }
    const limit = Math.min(50, Number(req.query.limit ?? 20) || 20);
    const after = Number(req.query.after ?? 0) || 0;
    const page = form.submissions.slice(after, after + limit);
    res.json({
      results: page.map(({ conversionId, submittedAt, values, pageUrl }) => ({
        conversionId,
        submittedAt,
        values,
        pageUrl,
      })),
      ...(after + limit < form.submissions.length
        ? { paging: { next: { after: String(after + limit), link: "" } } }
        : {}),
    });
  });

  router.use((req, res) => {
    res
      .status(404)
      .json(errorBody(`No route for ${req.method} ${req.path} in the HubSpot sandbox`, "OBJECT_NOT_FOUND"));
  });
  return router;
}

export { HUBSPOT_OBJECT_TYPES };

/**
 * `X-HubSpot-RateLimit-Daily` and `-Daily-Remaining`: sent to private apps only, absent on OAuth calls
 * (https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines).
 */
function dailyHeaders(state: HubSpotSandboxState, remaining: number | undefined): Record<string, string> {
  if (state.dailyLimit === undefined) return {};
  return {
    "X-HubSpot-RateLimit-Daily": String(state.dailyLimit),
    "X-HubSpot-RateLimit-Daily-Remaining": String(remaining ?? state.dailyLimit - state.windows.daily.count),
  };
}
