import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import express, { Router, type Request, type Response } from "express";
import type { ConnectionStore } from "../../ports/connections";
import { diffVersions, versionsOverview } from "../../app/sla-admin";
import { InvalidPayloadError, UnknownConnectionError } from "../../domain/errors";
import type { Logger } from "../../ports/logger";
import type { SlaVersionStore } from "../../ports/sla-versions";
import { adminTokenMatches, presentedAdminToken } from "../admin-auth";
import { renderLoginPage } from "../dashboard/login-page";
import type { Clock } from "../../ports/clock";
import { GuessLimiter } from "../guess-limiter";

export interface DashboardRouterDeps {
  logger: Logger;
  /** HANDOFF_ADMIN_TOKEN: the login form compares against it in constant time. */
  adminToken: string;
  /**
   * Mark the admin cookie `Secure` (browsers then send it over HTTPS only).
   * @default true when the request arrived over HTTPS
   */
  secureCookie?: boolean;
  /** The clock for the sign-in throttle's window. */
  now: Clock;
  /** Wrong-token limit per address. @default 10 wrong tokens per 10 minutes */
  guesses?: GuessLimiter;
}

const COOKIE = "handoff_admin";
/** A working day: the admin logs in again tomorrow. */
const COOKIE_MAX_AGE_S = 12 * 60 * 60;
const ASSET_DIR = join(__dirname, "..", "dashboard");
const ASSETS: Record<string, string> = {
  "dashboard.css": "text/css; charset=utf-8",
  "dashboard.js": "text/javascript; charset=utf-8",
  "charts.js": "text/javascript; charset=utf-8",
  "ui.js": "text/javascript; charset=utf-8",
  "lead-story.js": "text/javascript; charset=utf-8",
  "sla-page.js": "text/javascript; charset=utf-8",
};
// The page loads only its own files: no inline script, no CDN, no framing.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

function loadAsset(file: string, type: string): Asset {
  const body = readFileSync(join(ASSET_DIR, file));
  return { body, type, etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"` };
}

function securityHeaders(res: Response): void {
  res.set({
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
  });
}

function sendAsset(req: Request, res: Response, asset: Asset): void {
  res.set({
    "Content-Type": asset.type,
    ETag: asset.etag,
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
  });
  if (req.get("if-none-match") === asset.etag) {
    res.status(304).end();
    return;
  }
  res.send(asset.body);
}

/**
 * The admin dashboard: `GET /admin` (the page, or the login form without a valid `handoff_admin` cookie),
 * `POST /admin/login` (form field `token`; sets an HttpOnly SameSite=Strict cookie), `POST /admin/logout`, and
 * the page's static files under `/admin/assets/*`. Mount it at the root, next to the other routers.
 * @example app.use(createDashboardRouter({ logger, adminToken, now }));
 */
export function createDashboardRouter(deps: DashboardRouterDeps): Router {
  if (deps.adminToken.length === 0) {
    throw new Error("Expected `adminToken` to be a non-empty string, got an empty one");
  }
  const page = loadAsset("dashboard.html", "text/html; charset=utf-8");
  const assets = new Map(Object.entries(ASSETS).map(([file, type]) => [file, loadAsset(file, type)]));
  const router = Router();

  const loggedIn = (req: Request) => {
    const given = presentedAdminToken(req);
    return given !== undefined && adminTokenMatches(given, deps.adminToken);
  };

  const login = (res: Response, status: number, error?: string) => {
    securityHeaders(res);
    res
      .status(status)
      .type("html")
      .send(renderLoginPage(error === undefined ? {} : { error }));
  };

  router.get(["/admin", "/admin/"], (req, res) => {
    if (!loggedIn(req)) return login(res, 200);
    securityHeaders(res);
    res.type(page.type).send(page.body);
  });

  router.get("/admin/assets/:file", (req, res, next) => {
    const asset = assets.get(req.params.file);
    if (asset === undefined) return next();
    sendAsset(req, res, asset);
  });

  // Guessing a 24-byte token is hopeless anyway; the limit keeps a script from hammering the form. The
  // right token is checked first, so it always signs in, even from an address that is being throttled.
  const guesses = deps.guesses ?? new GuessLimiter({ now: deps.now });

  router.post("/admin/login", express.urlencoded({ extended: false, limit: "4kb" }), (req, res) => {
    const ip = req.ip ?? "unknown";
    const body = (req.body ?? {}) as Record<string, unknown>;
    const token = typeof body.token === "string" ? body.token.trim() : "";
    if (token === "" || !adminTokenMatches(token, deps.adminToken)) {
      if (token !== "" && guesses.blockedForMs(ip) > 0) {
        deps.logger.warn("dashboard login throttled");
        return login(res, 429, "Too many wrong tokens from this address. Wait ten minutes, then try again.");
      }
      if (token !== "") guesses.recordWrong(ip);
      deps.logger.warn("dashboard login refused", { reason: token === "" ? "empty" : "mismatch" });
      return login(
        res,
        401,
        token === ""
          ? "Paste the admin token to sign in."
          : "That token does not match HANDOFF_ADMIN_TOKEN. The embedded default prints it once at start.",
      );
    }
    res.cookie(COOKIE, token, {
      httpOnly: true,
      sameSite: "strict",
      secure: deps.secureCookie ?? req.secure,
      path: "/",
      maxAge: COOKIE_MAX_AGE_S * 1000,
    });
    guesses.clear(ip);
    deps.logger.info("dashboard login");
    res.redirect(303, "/admin");
  });

  router.post("/admin/logout", (_req, res) => {
    res.clearCookie(COOKIE, { httpOnly: true, sameSite: "strict", path: "/" });
    res.redirect(303, "/admin");
  });

  return router;
}

export interface DashboardApiDeps {
  versions: SlaVersionStore;
  connections: ConnectionStore;
  logger: Logger;
  /** Which SLA version is live is read at this instant. */
  now: Clock;
}

function queryText(req: Request, name: string, hint: string): string {
  const value = req.query[name];
  if (typeof value === "string" && value.length > 0 && value.length <= 200) return value;
  throw new InvalidPayloadError(
    `query parameter ${name} is missing or invalid`,
    [{ path: name, message: "expected a non-empty string of at most 200 characters" }],
    hint,
  );
}

async function ensureConnection(deps: DashboardApiDeps, connectionId: string): Promise<void> {
  if ((await deps.connections.get(connectionId)) === null) {
    throw new UnknownConnectionError(connectionId, {
      hint: "Pick a connection from GET /admin/api/connections.",
    });
  }
}

/**
 * The dashboard's extra admin API, mounted under `/admin/api` behind `requireAdmin`:
 * - `GET /connections` — `{ connections: [{ id, crm, name, status }] }` (never tokens)
 * - `GET /sla/versions?connectionId=` — versions newest first with sign-off status, plus the in-force (or
 *   newest) version's hash, funnel vocabulary and rep keys
 * - `GET /sla/diff?connectionId=&a=<hash>&b=<hash>` — `{ a, b, changes: SlaChange[] }` from a to b
 * @example adminApi.use(createDashboardApiRouter({ versions, connections, logger, now }));
 */
export function createDashboardApiRouter(deps: DashboardApiDeps): Router {
  const router = Router();

  router.get("/connections", async (_req, res) => {
    const connections = await deps.connections.list();
    res.json({
      connections: connections.map((c) => ({ id: c.id, crm: c.crm, name: c.name, status: c.status })),
    });
  });

  router.get("/sla/versions", async (req, res) => {
    const connectionId = queryText(req, "connectionId", "GET /admin/api/sla/versions?connectionId=<id>");
    await ensureConnection(deps, connectionId);
    res.json(await versionsOverview(deps, connectionId));
  });

  router.get("/sla/diff", async (req, res) => {
    const hint = "GET /admin/api/sla/diff?connectionId=<id>&a=<hash>&b=<hash> (hashes from /sla/versions)";
    const connectionId = queryText(req, "connectionId", hint);
    const a = queryText(req, "a", hint);
    const b = queryText(req, "b", hint);
    await ensureConnection(deps, connectionId);
    res.json(await diffVersions(deps, { connectionId, a, b }));
  });

  return router;
}
