import { Connection } from "jsforce";
import { AppError } from "../../domain/errors";
import type { Clock } from "../../ports/clock";
import type { Logger } from "../../ports/logger";
import type { RateBudget } from "../../ports/crm";
import { translateCrmError } from "../crm-errors";
import { OUTBOUND_TIMEOUT_MS } from "../outbound-timeout";
import { RateBudgetQueue } from "../rate-budget";
import type { SalesforceSession, SalesforceTokens } from "./salesforce-oauth";

/** The REST API version every call uses (jsforce would default to 50.0). Collections need ≥ 42. */
export const SALESFORCE_API_VERSION = "62.0";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface SalesforceRequest {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Below the versioned REST base, e.g. `/query?q=…`, `/composite/sobjects`. */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface SalesforceClientOptions {
  connectionId: string;
  session: SalesforceSession;
  logger: Logger;
  /** @default SALESFORCE_API_VERSION */
  apiVersion?: string;
  /**
   * The connection's shared rate budget (RateBudgetRegistry.forConnection(id, () => salesforceBudgetOptions(n))):
   * every call runs through it and it is told the org's usage from each `Sforce-Limit-Info`.
   * @default a budget of its own with `concurrency` calls in flight
   */
  budget?: RateBudgetQueue;
  /**
   * Calls in flight when no `budget` is given: below the 25 concurrent long-running requests an org allows,
   * so Handoff never causes REQUEST_LIMIT_EXCEEDED by concurrency. @default 8
   */
  concurrency?: number;
  /**
   * Share of the org's daily API allocation Handoff may use; above it calls fail fast with
   * CrmRateLimitedError so the org's other integrations keep working. @default 0.9
   */
  maxDailyShare?: number;
  /** Per-request timeout, inside the job's expiry. @default 30000 */
  timeoutMs?: number;
  /** Decides when the over-share guard lets the next probe call through. */
  now: Clock;
}

/** Salesforce answers errors with a code; jsforce does not keep the HTTP status, so it is restored here. */
const STATUS_BY_CODE: Record<string, number> = {
  INVALID_SESSION_ID: 401,
  REQUEST_LIMIT_EXCEEDED: 403,
  INSUFFICIENT_ACCESS_OR_READONLY: 403,
  INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY: 403,
  API_DISABLED_FOR_ORG: 403,
  API_CURRENTLY_DISABLED: 403,
  NOT_FOUND: 404,
  ENTITY_IS_DELETED: 404,
  UNKNOWN_EXCEPTION: 500,
  SERVER_UNAVAILABLE: 503,
  // Lock contention is transient: no status, so it becomes a retryable CrmUnavailableError.
  UNABLE_TO_LOCK_ROW: 0,
};

const VALIDATION_CODES = new Set([
  "MALFORMED_ID",
  "MALFORMED_QUERY",
  "INVALID_FIELD",
  "INVALID_TYPE",
  "INVALID_FIELD_FOR_INSERT_UPDATE",
  "INVALID_TYPE_ON_FIELD_IN_RECORD",
  "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
  "FIELD_CUSTOM_VALIDATION_EXCEPTION",
  "FIELD_INTEGRITY_EXCEPTION",
  "INACTIVE_OWNER_OR_USER",
  "INVALID_CROSS_REFERENCE_KEY",
  "DUPLICATES_DETECTED",
  "DUPLICATE_VALUE",
  "REQUIRED_FIELD_MISSING",
  "STRING_TOO_LONG",
  "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY",
  "JSON_PARSER_ERROR",
  "EXCEEDED_ID_LIMIT",
  "LIMIT_EXCEEDED",
  "MISSING_ARGUMENT",
  "INVALID_QUERY_LOCATOR",
  "INVALID_REFERENCE",
  "ALL_OR_NONE_OPERATION_ROLLED_BACK",
  "PROCESSING_HALTED",
]);

export function statusOfSalesforceCode(code: string | undefined): number | undefined {
  if (!code) return undefined;
  const http = /^ERROR_HTTP_(\d{3})$/.exec(code);
  if (http) return Number(http[1]);
  const known = STATUS_BY_CODE[code];
  if (known !== undefined) return known === 0 ? undefined : known;
  return VALIDATION_CODES.has(code) ? 400 : undefined;
}

interface JsforceLikeError {
  errorCode?: unknown;
  name?: unknown;
  data?: unknown;
  code?: unknown;
}

/** The Salesforce error code of a jsforce failure (HttpApiError, MULTIPLE_API_ERRORS) or of a SaveResult error. */
export function salesforceErrorCode(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const e = err as JsforceLikeError;
  if (e.errorCode === "MULTIPLE_API_ERRORS" && Array.isArray(e.data)) {
    const first = e.data[0] as { errorCode?: unknown } | undefined;
    if (typeof first?.errorCode === "string") return first.errorCode;
  }
  if (typeof e.errorCode === "string") return e.errorCode;
  return undefined;
}

/**
 * One Salesforce org's REST client: jsforce `Connection` with an explicit API version, jsforce's own retries
 * off (the jobs retry), one refresh on INVALID_SESSION_ID, errors translated once, and `Sforce-Limit-Info`
 * read after every response into the rate budget.
 */
export class SalesforceClient {
  private readonly options: SalesforceClientOptions;
  private readonly apiVersion: string;
  private readonly budget: RateBudgetQueue;
  private readonly maxDailyShare: number;
  private readonly now: Clock;
  private connection: { tokens: SalesforceTokens; conn: Connection } | undefined;
  private usage: { used: number; limit: number } | undefined;
  private blockedUntil = 0;
  /** Calls sent to Salesforce by this client (refresh excluded). */
  callsMade = 0;

  constructor(options: SalesforceClientOptions) {
    const concurrency = options.concurrency ?? 8;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new Error(`Expected \`concurrency\` to be an integer ≥ 1, got \`${concurrency}\``);
    }
    const share = options.maxDailyShare ?? 0.9;
    if (!(share > 0 && share <= 1)) throw new Error(`Expected \`maxDailyShare\` in (0, 1], got \`${share}\``);
    this.options = options;
    this.apiVersion = options.apiVersion ?? SALESFORCE_API_VERSION;
    if (!/^\d{2}\.0$/.test(this.apiVersion)) {
      throw new Error(`Expected \`apiVersion\` like "62.0", got \`${this.apiVersion}\``);
    }
    this.maxDailyShare = share;
    this.now = options.now;
    this.budget = options.budget ?? new RateBudgetQueue({ name: options.connectionId, concurrency });
  }

  get version(): string {
    return this.apiVersion;
  }

  rateBudget(): RateBudget {
    return { used: this.usage?.used ?? 0, limit: this.usage?.limit ?? 0, windowMs: DAY_MS };
  }

  /** Sends one REST call through the budget; throws only AppErrors. */
  request<T>(req: SalesforceRequest): Promise<T> {
    return this.budget.run(() => this.send<T>(req));
  }

  private connectionFor(tokens: SalesforceTokens): Connection {
    if (this.connection?.tokens === tokens) return this.connection.conn;
    const conn = new Connection({
      instanceUrl: tokens.instanceUrl,
      accessToken: tokens.accessToken,
      version: this.apiVersion,
      // Shows up as changeOrigin in CDC and in the org's API usage, so admins can tell our calls apart.
      callOptions: { client: "Handoff" },
    });
    this.connection = { tokens, conn };
    return conn;
  }

  private guardBudget(): void {
    if (!this.usage || this.usage.limit <= 0) return;
    const ceiling = Math.floor(this.usage.limit * this.maxDailyShare);
    if (this.usage.used < ceiling) return;
    const now = this.now().getTime();
    if (now >= this.blockedUntil) {
      // Over the share: let one call through every 5 minutes to learn whether usage rolled off.
      this.blockedUntil = now + 5 * 60_000;
      return;
    }
    throw translateCrmError({
      crm: "salesforce",
      status: 403,
      crmCode: "REQUEST_LIMIT_EXCEEDED",
      message: `Handoff's share of the daily API allocation is used (${this.usage.used}/${this.usage.limit}, share ${this.maxDailyShare}) for connection ${this.options.connectionId}`,
      retryAfterMs: Math.max(60_000, this.blockedUntil - now),
    });
  }

  private async send<T>(req: SalesforceRequest): Promise<T> {
    try {
      return await this.sendOnce<T>(req);
    } catch (err) {
      // Whatever escaped (a bad instance URL in jsforce's constructor, a session store failure) leaves as an AppError.
      throw this.translate(err, `${req.method} ${req.path.split("?")[0] ?? ""}`);
    }
  }

  private async sendOnce<T>(req: SalesforceRequest): Promise<T> {
    this.guardBudget();
    let tokens = await this.options.session.current();
    for (let attempt = 0; ; attempt++) {
      const conn = this.connectionFor(tokens);
      try {
        this.callsMade++;
        const result = await conn.request<T>(
          {
            method: req.method,
            url: `/services/data/v${this.apiVersion}${req.path}`,
            headers: {
              ...(req.body === undefined ? {} : { "content-type": "application/json" }),
              ...req.headers,
            },
            ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
          },
          { retry: { maxRetries: 0 }, timeout: this.options.timeoutMs ?? OUTBOUND_TIMEOUT_MS },
        );
        this.readLimitInfo(conn);
        return result;
      } catch (err) {
        this.readLimitInfo(conn);
        const code = salesforceErrorCode(err);
        if (code === "INVALID_SESSION_ID" && attempt === 0) {
          this.options.logger.info("salesforce session expired; refreshing once", {
            connectionId: this.options.connectionId,
          });
          tokens = await this.options.session.refresh(tokens.accessToken);
          continue;
        }
        throw this.translate(err, `${req.method} ${req.path.split("?")[0] ?? ""}`);
      }
    }
  }

  private readLimitInfo(conn: Connection): void {
    const usage = conn.limitInfo?.apiUsage;
    if (usage && Number.isFinite(usage.used) && Number.isFinite(usage.limit)) {
      this.usage = { ...usage };
      this.budget.observeDailyUsage(usage.used, usage.limit);
    }
  }

  /** The one place Salesforce failures become AppErrors (through translateCrmError). */
  translate(err: unknown, where: string): AppError {
    if (err instanceof AppError) return err;
    const code = salesforceErrorCode(err);
    const network =
      typeof (err as JsforceLikeError | null)?.code === "string"
        ? String((err as JsforceLikeError).code)
        : undefined;
    const status = statusOfSalesforceCode(code);
    const daily = this.usage !== undefined && this.usage.limit > 0 && this.usage.used >= this.usage.limit;
    return translateCrmError({
      crm: "salesforce",
      status,
      message: `${where} failed${code ? ` (${code})` : network ? ` (${network})` : ""} for connection ${this.options.connectionId}`,
      ...(code ? { crmCode: code } : {}),
      // The daily allocation is a rolling 24 h window: back off for long; the concurrency limit clears fast.
      ...(code === "REQUEST_LIMIT_EXCEEDED" ? { retryAfterMs: daily ? 15 * 60_000 : 30_000 } : {}),
      cause: err,
    });
  }
}
