import { createHmac, randomBytes } from "node:crypto";
import { readClaims, signClaims } from "../../adapters/crypto/claims-token";
import { sameSecret } from "../../adapters/crypto/constant-time";
import { Router, type Request } from "express";
import type { Connection, ConnectionStore } from "../../ports/connections";
import { AppError } from "../../domain/errors";
import type { CrmPort } from "../../ports/crm";
import type { CrmInstaller } from "../../ports/crm-install";
import type { Logger } from "../../ports/logger";
import { escapeHtml } from "../../adapters/notify/escape-html";
import type { Clock } from "../../ports/clock";

export interface InstallRoutesDeps {
  publicUrl: string;
  /** Signs `state` (and the PKCE cookie) so a callback can only finish an install we started. */
  stateSecret: string;
  connections: ConnectionStore;
  /** Builds the adapter once tokens are stored, so the fields Handoff writes are created/checked at install. */
  crmFor(connectionId: string): Promise<CrmPort>;
  /**
   * Each CRM's OAuth steps (consent URL, scopes, code exchange, which portal or org), built by the composition
   * root from its folder; absent when that CRM's app is not configured.
   */
  installers: { hubspot?: CrmInstaller | undefined; salesforce?: CrmInstaller | undefined };
  logger: Logger;
  /** The clock for the OAuth state's expiry. */
  now: Clock;
}

const STATE_TTL_MS = 10 * 60_000;

function sign(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(payload).digest("base64url");
}

export function signState(secret: string, crm: string, now: number): string {
  return signClaims(secret, { crm, nonce: randomBytes(12).toString("base64url"), exp: now + STATE_TTL_MS });
}

/** A cookie a browser did not write (`%E0%A4%A`) is an altered cookie, not a server error. */
function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return "";
  }
}

export function verifyState(secret: string, state: unknown, crm: string, now: number): void {
  const refuse = (why: string) =>
    new AppError("invalid_state", `install state ${why}`, {
      hint: "Start the install again from /install/…",
    });
  if (typeof state !== "string") throw refuse("is missing");
  const read = readClaims<{ crm: string; exp: number }>(secret, state);
  if (read.refused) throw refuse(read.refused);
  const { claims } = read;
  if (claims.crm !== crm) throw refuse("is for another CRM");
  if (!(claims.exp > now)) throw refuse("has expired");
}

function page(title: string, body: string): string {
  return `<!doctype html><meta charset="utf-8"><title>${escapeHtml(title)}</title><body style="font:16px system-ui;max-width:46rem;margin:3rem auto;line-height:1.5"><h1>${escapeHtml(title)}</h1>${body}</body>`;
}

function requireInstaller(installer: CrmInstaller | undefined, crm: "hubspot" | "salesforce"): CrmInstaller {
  if (!installer) {
    throw new AppError("app_not_configured", `the ${crm} app is not configured`, {
      hint: `Set ${crm.toUpperCase()}_CLIENT_ID and ${crm.toUpperCase()}_CLIENT_SECRET.`,
    });
  }
  return installer;
}

function requireCode(query: Request["query"], crmName: string): string {
  const code = typeof query.code === "string" ? query.code : "";
  if (!code) throw new AppError("missing_code", `${crmName} did not send a code`, { hint: "Start again." });
  return code;
}

/**
 * Installing Handoff into a CRM: `GET /install/hubspot` → HubSpot consent → `/oauth/hubspot/callback`;
 * `GET /install/salesforce` → Salesforce consent (PKCE) → `/oauth/salesforce/callback`. Tokens are stored
 * encrypted; the fields Handoff writes are created (HubSpot) or checked (Salesforce) right away.
 */
export function createInstallRouter(deps: InstallRoutesDeps): Router {
  const router = Router();
  const now = () => deps.now().getTime();
  const installer = (crm: "hubspot" | "salesforce") => requireInstaller(deps.installers[crm], crm);
  /** Stores what the CRM's installer connected, with its tokens (encrypted by the store). */
  const finish = async (
    crm: "hubspot" | "salesforce",
    code: string,
    verifier?: string,
  ): Promise<Connection> => {
    const installed = await installer(crm).finish(code, verifier);
    const connection = await deps.connections.upsert(installed.connection);
    await deps.connections.saveTokens(connection.id, installed.tokens);
    return connection;
  };

  router.get("/install/hubspot", (_req, res) => {
    res.redirect(302, installer("hubspot").start(signState(deps.stateSecret, "hubspot", now())).url);
  });

  router.get("/oauth/hubspot/callback", async (req, res) => {
    verifyState(deps.stateSecret, req.query.state, "hubspot", now());
    const { id, externalId } = await finish("hubspot", requireCode(req.query, "HubSpot"));
    await deps.crmFor(id);
    deps.logger.info("HubSpot portal installed", { connectionId: id });
    res
      .type("html")
      .send(
        page(
          "Handoff is installed",
          `<p>Portal <b>${escapeHtml(externalId)}</b> is connected. The Handoff fields were created; webhooks arrive at <code>${escapeHtml(deps.publicUrl)}/webhooks/hubspot</code>.</p><p>Next: publish your SLA (<code>handoff sla sign</code> by both teams, then <code>handoff sla publish</code>).</p>`,
        ),
      );
  });

  router.get("/install/salesforce", (_req, res) => {
    const consent = installer("salesforce").start(signState(deps.stateSecret, "salesforce", now()));
    const verifier = consent.verifier ?? "";
    const cookie = `${verifier}.${sign(deps.stateSecret, verifier)}`;
    res.cookie("handoff_pkce", cookie, {
      httpOnly: true,
      sameSite: "lax",
      secure: deps.publicUrl.startsWith("https:"),
      maxAge: STATE_TTL_MS,
      path: "/oauth/salesforce",
    });
    res.redirect(302, consent.url);
  });

  router.get("/oauth/salesforce/callback", async (req: Request, res) => {
    verifyState(deps.stateSecret, req.query.state, "salesforce", now());
    const cookie = /(?:^|;\s*)handoff_pkce=([^;]+)/.exec(req.get("cookie") ?? "")?.[1];
    const [verifier, mac] = safeDecode(cookie ?? "").split(".");
    if (!verifier || !mac || !sameSecret(mac, sign(deps.stateSecret, verifier))) {
      throw new AppError("invalid_state", "the install cookie is missing or altered", {
        hint: "Start again from /install/salesforce in the same browser.",
      });
    }
    const connection = await finish("salesforce", requireCode(req.query, "Salesforce"), verifier);
    const { id } = connection;
    const crm = await deps.crmFor(id);
    const fields = await crm.ensureFields();
    deps.logger.info("Salesforce org installed", { connectionId: id, missingFields: fields.missing });
    const endpoint = `${deps.publicUrl}/webhooks/salesforce/${id}/${connection.webhookToken}`;
    res.clearCookie("handoff_pkce", { path: "/oauth/salesforce" });
    res
      .type("html")
      .send(
        page(
          "Handoff is installed",
          `<p>Org <b>${escapeHtml(connection.externalId)}</b> is connected.</p><p>Outbound message endpoint for the Flow (keep it secret): <code>${escapeHtml(endpoint)}</code></p>` +
            (fields.missing.length
              ? `<p>Create these fields first (see webhooks/salesforce/README.md): <code>${escapeHtml(fields.missing.join(", "))}</code></p>`
              : "<p>All Handoff fields are present.</p>"),
        ),
      );
  });

  return router;
}
