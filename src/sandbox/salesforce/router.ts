import { createHash, createHmac, randomBytes } from "node:crypto";
import { sameSecret } from "../../adapters/crypto/constant-time";
import express, { type Request, type Response, type Router } from "express";
import { SandboxApiError } from "./records";
import { dispatchRest } from "./rest";
import {
  apiCallsUsed,
  clearSalesforceFaults,
  countApiCall,
  expireSalesforceSessions,
  injectSalesforceFault,
  issueAccessToken,
  issueRefreshToken,
  revokeSalesforceTokens,
  setApiCallsUsed,
  type SalesforceFaultRule,
  type SalesforceSandboxState,
} from "./state";

export interface SalesforceSandboxRouterOptions {
  /**
   * The instance URL handed out in token responses (jsforce switches to it after `authorize`).
   * @default derived from the request: `<protocol>://<host><mount path>`
   */
  instanceUrl?: string;
  /** When set, `/__sandbox/*` admin calls need header `x-sandbox-admin-token`. @default undefined (open) */
  adminToken?: string;
  /** Max request body. @default "20mb" */
  bodyLimit?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function instanceUrlOf(req: Request, options: SalesforceSandboxRouterOptions): string {
  return options.instanceUrl ?? `${req.protocol}://${req.get("host") ?? "127.0.0.1"}${req.baseUrl}`;
}

function headerMap(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") out[k.toLowerCase()] = v;
  return out;
}

function bearer(req: Request): string | undefined {
  const match = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(req.get("authorization") ?? "");
  return match?.[1]?.trim();
}

function oauthError(res: Response, status: number, error: string, description: string): void {
  res.status(status).json({ error, error_description: description });
}

/**
 * The Salesforce half of the CRM sandbox: OAuth (authorize, token, revoke), the REST API subset the
 * adapter uses (SOQL query, sObject retrieve/create/update, describe, composite, collections, limits),
 * the real daily API limit (403 REQUEST_LIMIT_EXCEEDED), `Sforce-Limit-Info` on every API response, and
 * fault injection under `/__sandbox`. Mount it at `/salesforce`; that URL is the org's instance URL.
 *
 * @example app.use("/salesforce", createSalesforceSandboxRouter(createSalesforceSandboxState()))
 */
export function createSalesforceSandboxRouter(
  state: SalesforceSandboxState,
  options: SalesforceSandboxRouterOptions = {},
): Router {
  const router = express.Router();
  const bodyLimit = options.bodyLimit ?? "20mb";

  router.get("/services/oauth2/authorize", (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const client = q.client_id ? state.clients.get(q.client_id) : undefined;
    if (!client || !q.redirect_uri) {
      res.status(400).type("text/plain").send("error=invalid_client_id: client identifier invalid");
      return;
    }
    const target = new URL(q.redirect_uri);
    if (q.response_type !== "code") {
      target.searchParams.set("error", "unsupported_response_type");
    } else {
      // The sandbox's admin approves at once: no login page.
      const code = `aPrx${randomBytes(18).toString("base64url")}`;
      state.authCodes.set(code, {
        clientId: q.client_id ?? "",
        redirectUri: q.redirect_uri,
        userId: state.adminUserId,
        expiresAt: state.now() + 15 * 60 * 1000,
        ...(q.code_challenge ? { codeChallenge: q.code_challenge } : {}),
      });
      target.searchParams.set("code", code);
    }
    if (q.state !== undefined) target.searchParams.set("state", q.state);
    res.redirect(302, target.toString());
  });

  router.post(
    "/services/oauth2/token",
    express.urlencoded({ extended: false, limit: "64kb" }),
    (req, res) => {
      const p = (req.body ?? {}) as Record<string, string | undefined>;
      const client = p.client_id ? state.clients.get(p.client_id) : undefined;
      if (!client) return oauthError(res, 400, "invalid_client_id", "client identifier invalid");
      if (p.client_secret !== undefined && !sameSecret(p.client_secret, client.secret)) {
        return oauthError(res, 400, "invalid_client", "invalid client credentials");
      }
      const instanceUrl = instanceUrlOf(req, options);
      const issuedAt = String(state.now());
      const idUrl = (userId: string): string => `${instanceUrl}/id/${state.orgId}/${userId}`;
      const signature = (userId: string): string =>
        createHmac("sha256", client.secret)
          .update(`${idUrl(userId)}${issuedAt}`)
          .digest("base64");
      if (p.grant_type === "authorization_code") {
        const code = p.code ? state.authCodes.get(p.code) : undefined;
        if (p.code) state.authCodes.delete(p.code);
        if (
          !code ||
          code.expiresAt < state.now() ||
          code.clientId !== p.client_id ||
          code.redirectUri !== p.redirect_uri
        ) {
          return oauthError(res, 400, "invalid_grant", "invalid authorization code");
        }
        if (code.codeChallenge) {
          const expected = createHash("sha256")
            .update(p.code_verifier ?? "")
            .digest("base64url");
          if (expected !== code.codeChallenge)
            return oauthError(res, 400, "invalid_grant", "invalid code verifier");
        }
        res.json({
          access_token: issueAccessToken(state, code.userId, code.clientId),
          refresh_token: issueRefreshToken(state, code.userId, code.clientId),
          signature: signature(code.userId),
          scope: "refresh_token api",
          instance_url: instanceUrl,
          id: idUrl(code.userId),
          token_type: "Bearer",
          issued_at: issuedAt,
        });
        return;
      }
      if (p.grant_type === "refresh_token") {
        const stored = p.refresh_token ? state.refreshTokens.get(p.refresh_token) : undefined;
        if (!stored || stored.revoked || stored.clientId !== p.client_id) {
          return oauthError(res, 400, "invalid_grant", "expired access/refresh token");
        }
        res.json({
          access_token: issueAccessToken(state, stored.userId, stored.clientId),
          signature: signature(stored.userId),
          scope: "refresh_token api",
          instance_url: instanceUrl,
          id: idUrl(stored.userId),
          token_type: "Bearer",
          issued_at: issuedAt,
        });
        return;
      }
      oauthError(res, 400, "unsupported_grant_type", "grant type not supported");
    },
  );

  router.post(
    "/services/oauth2/revoke",
    express.urlencoded({ extended: false, limit: "64kb" }),
    (req, res) => {
      const token = ((req.body ?? {}) as Record<string, string | undefined>).token ?? "";
      const access = state.accessTokens.get(token);
      const refresh = state.refreshTokens.get(token);
      if (!access && !refresh)
        return oauthError(res, 400, "unsupported_token_type", "this token type is not supported");
      if (access) access.revoked = true;
      if (refresh) {
        refresh.revoked = true;
        for (const t of state.accessTokens.values()) if (t.userId === refresh.userId) t.revoked = true;
      }
      res.status(200).end();
    },
  );

  router.use("/__sandbox", express.json({ limit: "1mb" }), (req, res, next) => {
    if (options.adminToken && !sameSecret(req.get("x-sandbox-admin-token") ?? "", options.adminToken)) {
      res.status(401).json({
        error: "unauthorized",
        message: "sandbox admin token required",
        hint: "Send x-sandbox-admin-token.",
      });
      return;
    }
    next();
  });

  /** Body: `{ latencyMs?, rules?: SalesforceFaultRule[], clear?, expireSessions?, revokeTokens?, apiCallsUsed?, dailyApiLimit? }`. */
  router.post("/__sandbox/faults", (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.clear === true) clearSalesforceFaults(state);
    if (typeof body.latencyMs === "number" && body.latencyMs >= 0) state.faults.latencyMs = body.latencyMs;
    if (Array.isArray(body.rules)) {
      for (const rule of body.rules as SalesforceFaultRule[]) {
        if (typeof rule.status !== "number" || typeof rule.errorCode !== "string") {
          res.status(400).json({
            error: "invalid_payload",
            message: "each rule needs status and errorCode",
            hint: 'e.g. {"status":503,"errorCode":"SERVER_UNAVAILABLE"}',
          });
          return;
        }
        injectSalesforceFault(state, rule);
      }
    }
    if (body.expireSessions === true) expireSalesforceSessions(state);
    if (body.revokeTokens === true) revokeSalesforceTokens(state);
    if (
      typeof body.dailyApiLimit === "number" &&
      Number.isInteger(body.dailyApiLimit) &&
      body.dailyApiLimit > 0
    ) {
      state.dailyApiLimit = body.dailyApiLimit;
    }
    if (typeof body.apiCallsUsed === "number" && body.apiCallsUsed >= 0)
      setApiCallsUsed(state, body.apiCallsUsed);
    res.json(sandboxSummary(state));
  });

  router.get("/__sandbox/state", (_req, res) => {
    res.json(sandboxSummary(state));
  });

  router.get("/services/data", (req, res) => {
    res.set("Sforce-Limit-Info", `api-usage=${apiCallsUsed(state)}/${state.dailyApiLimit}`);
    res.json(
      ["58.0", "59.0", "60.0", "61.0", "62.0", "63.0", "64.0", "65.0", "66.0"].map((version) => ({
        label: `v${version}`,
        url: `/services/data/v${version}`,
        version,
      })),
    );
    void req;
  });

  router.use(
    "/services/data",
    express.text({ type: () => true, limit: bodyLimit }),
    async (req: Request, res: Response) => {
      const match = /^\/(v\d+\.\d)(\/.*)?$/.exec(req.path);
      const send = (status: number, body: unknown): void => {
        res.set("Sforce-Limit-Info", `api-usage=${apiCallsUsed(state)}/${state.dailyApiLimit}`);
        if (body === undefined) res.status(status).end();
        else res.status(status).json(body);
      };
      if (!match?.[1]) {
        send(404, [{ errorCode: "NOT_FOUND", message: "The requested resource does not exist" }]);
        return;
      }
      // Injected latency makes a request long-running once it reaches longRunningMs: those share an org-wide cap.
      const longRunning = state.faults.latencyMs >= state.longRunningMs;
      if (longRunning && state.longRunningInFlight >= state.concurrentLongRunningLimit) {
        send(403, [
          { message: "ConcurrentPerOrgLongTxn Limit exceeded.", errorCode: "REQUEST_LIMIT_EXCEEDED" },
        ]);
        return;
      }
      if (longRunning) state.longRunningInFlight++;
      try {
        if (state.faults.latencyMs > 0) await sleep(state.faults.latencyMs);
      } finally {
        if (longRunning) state.longRunningInFlight--;
      }

      const rule = state.faults.rules.find(
        (r) =>
          (r.count ?? 1) > 0 &&
          (!r.pathIncludes || req.path.includes(r.pathIncludes)) &&
          (!r.method || r.method.toUpperCase() === req.method),
      );
      if (rule) {
        rule.count = (rule.count ?? 1) - 1;
        state.faults.rules = state.faults.rules.filter((r) => (r.count ?? 0) > 0);
        send(rule.status, [
          { errorCode: rule.errorCode, message: rule.message ?? `injected ${rule.errorCode}` },
        ]);
        return;
      }

      const token = bearer(req);
      const session = token ? state.accessTokens.get(token) : undefined;
      if (!session || session.revoked || session.expiresAt <= state.now()) {
        send(401, [{ message: "Session expired or invalid", errorCode: "INVALID_SESSION_ID" }]);
        return;
      }
      if (apiCallsUsed(state) >= state.dailyApiLimit) {
        send(403, [{ message: "TotalRequests Limit exceeded.", errorCode: "REQUEST_LIMIT_EXCEEDED" }]);
        return;
      }
      countApiCall(
        state,
        routeOf(req.method, req.path, typeof req.query.q === "string" ? req.query.q : undefined),
      );

      let body: unknown;
      const text = typeof req.body === "string" ? req.body : "";
      if (text.trim() !== "") {
        try {
          body = JSON.parse(text);
        } catch {
          send(400, [
            { errorCode: "JSON_PARSER_ERROR", message: "Unexpected character in the request body" },
          ]);
          return;
        }
      }
      try {
        const result = dispatchRest(state, {
          method: req.method,
          path: match[2] ?? "/",
          query: new URLSearchParams(req.url.split("?")[1] ?? ""),
          body,
          headers: headerMap(req),
          version: match[1],
          userId: session.userId,
        });
        send(result.status, result.body);
      } catch (err) {
        if (err instanceof SandboxApiError) {
          send(err.status, err.errors);
          return;
        }
        send(500, [
          { errorCode: "UNKNOWN_EXCEPTION", message: "An unexpected error occurred in the sandbox." },
        ]);
      }
    },
  );

  return router;
}

export interface SalesforceSandboxSummary {
  orgId: string;
  apiCallsUsed: number;
  apiCallsTotal: number;
  dailyApiLimit: number;
  latencyMs: number;
  pendingFaults: number;
  records: Record<string, number>;
}

export function sandboxSummary(state: SalesforceSandboxState): SalesforceSandboxSummary {
  return {
    orgId: state.orgId,
    apiCallsUsed: apiCallsUsed(state),
    apiCallsTotal: state.apiCallsTotal,
    dailyApiLimit: state.dailyApiLimit,
    latencyMs: state.faults.latencyMs,
    pendingFaults: state.faults.rules.length,
    records: Object.fromEntries([...state.records].map(([type, records]) => [type, records.size])),
  };
}

/** A call's route for the counts by route: ids folded away, a query named by its object and first filter. */
function routeOf(method: string, path: string, soql: string | undefined): string {
  const shape = path.replace(/\/v\d+\.\d/, "").replace(/\/[a-zA-Z0-9]{15,18}(?=\/|$)/g, "/:id");
  if (!soql) return `${method} ${shape}`;
  const m = /\bFROM\s+(\w+)(?:\s+WHERE\s+(\w+))?/i.exec(soql);
  return `${method} ${shape} ${m?.[1] ?? "?"}${m?.[2] ? ` by ${m[2]}` : ""}`;
}
